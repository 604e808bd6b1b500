"""Logs and crash reports that keep record values out.

An exception's own text often quotes what it was handling: a driver error its SQL parameters,
a ``ValueError`` the bad value, an ``OSError`` the name of an attachment. So what FieldKit
writes to its log (stderr for the command line and the window) is a traceback of places alone:
files, lines and functions, each exception's type, and the message only for FieldKit's own
errors, which are written for the user and never show record values. SQLAlchemy's statement
log, which would print every query, is kept at warnings whatever level the rest logs at.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from fieldkit.errors import FieldKitError

#: loggers of libraries that would log statements or values at INFO or DEBUG
_QUIET_LOGGERS = ("sqlalchemy", "alembic.runtime.migration")
_WITHHELD = "(message withheld: it may quote record values)"
_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"


def _describe(exc: BaseException) -> str:
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if isinstance(exc, FieldKitError):
        return f"{kind}: {exc}"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"{kind}: errno {exc.errno} {_WITHHELD}"  # the file name may name a person
    return f"{kind} {_WITHHELD}"


def redacted_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and of the exceptions it came from, without their messages."""
    # newest first, each with how it came from the one after it (as Python's own report says)
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.__cause__ is not None:
            older, link = (
                current.__cause__,
                "The above exception was the direct cause of the following exception:",
            )
        elif current.__context__ is not None and not current.__suppress_context__:
            older, link = (
                current.__context__,
                "During handling of the above exception, another exception occurred:",
            )
        else:
            older, link = None, ""
        chain.append((current, link))
        current = older
    parts: list[str] = []
    for item, link in reversed(chain):  # oldest first; a link says how an exception came from the one above
        if link:
            parts.append(f"\n{link}\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(item.__traceback__))
        parts.append(_describe(item) + "\n")
    return "".join(parts).rstrip("\n")


class RedactingFilter(logging.Filter):
    """Turns a record's exception into its redacted traceback before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redacted_traceback(record.exc_info[1])
            record.exc_info = None
        return True


def quiet_value_loggers() -> None:
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """``sys.excepthook``: the redacted traceback goes to the log, never the exception's text."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    exc.__traceback__ = tb if exc.__traceback__ is None else exc.__traceback__
    logging.getLogger("fieldkit").critical("Unexpected error\n%s", redacted_traceback(exc))


def _log_thread_uncaught(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def install(level: int = logging.WARNING) -> None:
    """Log to stderr at ``level`` with exceptions redacted, and send uncaught exceptions (in any
    thread) to that log instead of Python's default report, which prints their text."""
    root = logging.getLogger()
    if not root.handlers:  # as logging.basicConfig: handlers someone else set up stay theirs
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
        root.setLevel(level)
    quiet_value_loggers()
    sys.excepthook = log_uncaught
    threading.excepthook = _log_thread_uncaught
