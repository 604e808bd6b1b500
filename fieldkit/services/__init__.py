"""Services: what the GUI and the CLI can do, as plain functions over a ``Context``."""
