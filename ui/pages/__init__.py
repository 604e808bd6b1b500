"""The pages the main window switches between."""
