"""Typed errors the core raises; every one carries a message fit for a user.

The CLI prints them without a traceback; the GUI shows them in a dialog.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, StatementError


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


def describe_error(exc: BaseException) -> str:
    """What to show or log about a failure: its message, never the record values it was handling.

    Database errors are reduced to the driver's own message (a constraint's name, "database is
    locked"), without the statement and its parameters.
    """
    if isinstance(exc, FieldKitError | OSError):  # written for the user: a full disk, a missing folder
        return str(exc) or type(exc).__name__
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        # the first line only: PostgreSQL's DETAIL line quotes the clashing values
        reason = str(exc.orig.args[0]).strip().split("\n", 1)[0] if exc.orig.args else ""
        return f"{type(exc.orig).__name__}: {reason}" if reason else type(exc.orig).__name__
    if isinstance(exc, StatementError):  # a value the driver could not take: its text may hold the value
        return type(exc.orig if exc.orig is not None else exc).__name__
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
