"""Typed errors the core raises; every one carries a message fit for a user.

The CLI prints them without a traceback; the GUI shows them in a dialog.
"""

from __future__ import annotations

import errno
import zipfile
import zlib

from sqlalchemy.exc import ArgumentError, DBAPIError

from fieldkit.i18n import _


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
    """What to show about a failure: a translated sentence, never the exception's own (English)
    text, its class name or the record values it was handling. The log keeps the details."""
    if isinstance(exc, FieldKitError):  # written for the user, already translated
        return str(exc) or _("Something went wrong; the details are in the log.")
    if isinstance(exc, OSError) and exc.filename:
        return _("{path}: {reason}").format(path=exc.filename, reason=reason_for(exc))
    return _("It could not be done: {reason}.").format(reason=reason_for(exc))


def reason_for(exc: BaseException) -> str:
    """Why ``exc`` happened, as a translated phrase to fill a ``{reason}`` placeholder."""
    if isinstance(exc, FieldKitError):
        return str(exc)
    if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
        return _os_reason(exc)
    if isinstance(exc, DBAPIError):
        return _database_reason(exc)
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError | zipfile.LargeZipFile):
        return _("the file is damaged or incomplete")
    if isinstance(exc, UnicodeError):
        return _("it holds text that cannot be read")
    if isinstance(exc, RecursionError):
        return _("its contents are nested too deeply")
    if isinstance(exc, ValueError | TypeError | KeyError):
        return _("its contents are not in the form FieldKit expects")
    if isinstance(exc, MemoryError):
        return _("there is not enough memory")
    if isinstance(exc, ImportError):
        return _("a part of FieldKit is not installed")
    if isinstance(exc, ArgumentError):
        return _("the address is not valid")
    return _("an unexpected error; the details are in the log")


def _os_reason(exc: OSError) -> str:
    code = exc.errno
    if isinstance(exc, FileNotFoundError) or code == errno.ENOENT:
        return _("it does not exist")
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return _("permission was refused")
    if isinstance(exc, IsADirectoryError):
        return _("it is a folder, not a file")
    if isinstance(exc, NotADirectoryError):
        return _("a part of the path is not a folder")
    if isinstance(exc, FileExistsError):
        return _("it exists already")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return _("the disk is full")
    if code == errno.EROFS:
        return _("the disk is write-protected")
    if code == errno.ENAMETOOLONG:
        return _("the name is too long")
    if code == errno.EIO:
        return _("the disk could not be read or written")
    if code is None:
        return _("the file could not be read or written")
    return _("the system refused it (error {number})").format(number=code)


def _database_reason(exc: DBAPIError) -> str:
    # the driver's own text is English and may quote values: only its kind is told apart
    text = str(exc.orig.args[0]).lower() if exc.orig is not None and exc.orig.args else ""
    if "locked" in text or "busy" in text:
        return _("another program is writing to the store")
    if "not null" in text:
        return _("the store refused a change that lacks a required value")
    if "unique" in text or "duplicate" in text:
        return _("the store refused a change that would repeat a record it holds")
    if "disk" in text or "full" in text:
        return _("the disk could not be read or written")
    if "readonly" in text or "read-only" in text:
        return _("the store is read-only")
    return _("the store refused the change")
