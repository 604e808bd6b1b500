"""Typed errors the core raises; every one carries a message fit for a user.

The CLI prints them without a traceback; the GUI shows them in a dialog.
"""

from __future__ import annotations


class FieldKitError(Exception):
    """A problem the user can act on. ``str(err)`` is the (translated) message."""


class StoreError(FieldKitError):
    """The store cannot be opened, upgraded or written."""


class NotInitialised(FieldKitError):
    """The store has no office identity yet (``fieldkit init``)."""


class ValidationError(FieldKitError):
    """Input values were rejected; ``fields`` maps a field name to its message."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class NotFound(FieldKitError):
    """A record id does not exist (or is deleted)."""
