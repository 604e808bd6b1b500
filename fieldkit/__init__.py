"""FieldKit core: storage, services, sync and reports, with no dependency on Qt."""

__version__ = "0.1.0"
