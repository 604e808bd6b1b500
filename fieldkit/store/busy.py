"""Waiting for the write lock that another program holds on the same SQLite store.

SQLite lets one writer at a time in. A large import holds the lock for a minute or more, so
a fixed busy timeout would make every other writer fail half-way through the user's work.
Instead a writer that gets the lock leaves a note beside the store saying who it is and what
it does, and renews it as its statements run; a writer that cannot get the lock reads the
note, tells whoever listens (the window's progress note, the command line's stderr) and
keeps trying for as long as the holder is a FieldKit program that is still running and
still renewing its note. A holder that left no note (another
tool, an old version) is waited for ``UNKNOWN_HOLDER_PATIENCE_S`` and then refused with a
message, never with the driver's "database is locked".
"""

from __future__ import annotations

import contextvars
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import OperationalError

from fieldkit.access import Permission, current_pass
from fieldkit.errors import StoreError
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Cancelled

#: one attempt at the lock waits this long inside SQLite before the holder is looked at again
WAIT_SLICE_MS = 1000
#: how long a holder that left no note is waited for
UNKNOWN_HOLDER_PATIENCE_S = 30.0
#: a holder renews its note at most this often while its statements run
BEAT_S = 5.0
#: a holder whose note stays the same this long is taken to be stuck
STALLED_S = 120.0

_monotonic: Callable[[], float] = time.monotonic  # tests step it by hand
_this_host = socket.gethostname()


@dataclass(frozen=True)
class WriterNote:
    """Who holds the write lock: written beside the store while a FieldKit writer holds it."""

    pid: int
    host: str
    activity: str  # a ``Permission`` value, or "" when not known
    token: str
    beat: int = 0  # grows while the holder works

    def doing(self) -> str:
        """What the holder is doing, in the current language."""
        return _activity_label(self.activity)

    def is_alive(self) -> bool:
        """Whether the holder is still running, as far as this computer can tell."""
        if self.host != _this_host or os.name != "posix":
            return True  # cannot look, and a holder that died would have let go of the lock
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # another user's process: it exists
            return True
        return True


@dataclass(frozen=True)
class StoreWait:
    """One moment of waiting for the write lock: who holds it (None: not known) and since when."""

    holder: WriterNote | None
    waited_s: float

    def message(self) -> str:
        if self.holder is None:
            return _("Another program is writing to this store; waiting for it to finish…")
        return _(
            "Another FieldKit program (process {pid}) is {doing} in this store; "
            "waiting until it has finished…"
        ).format(pid=self.holder.pid, doing=self.holder.doing())


#: called with each ``StoreWait`` while waiting and with ``None`` once the lock is ours; it may
#: raise ``Cancelled`` to stop waiting
WaitListener = Callable[[StoreWait | None], None]

_listener: contextvars.ContextVar[WaitListener | None] = contextvars.ContextVar(
    "fieldkit_store_wait", default=None
)


@contextmanager
def report_waits(listener: WaitListener | None) -> Iterator[None]:
    """Tell ``listener`` about every wait for the write lock in this thread while the block runs."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


class StoreBusy(StoreError):
    """The write lock could not be had: nothing was written."""


class WaitAbandoned(StoreBusy, Cancelled):
    """The user stopped waiting for the other program: nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            _("Nothing was written: you stopped waiting for another program that is writing to this store.")
        )


def note_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + "-writer")


def read_note(store_path: Path) -> WriterNote | None:
    try:
        raw = json.loads(note_path(store_path).read_text(encoding="utf-8"))
        return WriterNote(
            int(raw["pid"]), str(raw["host"]), str(raw["activity"]), str(raw["token"]), int(raw["beat"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # none, or half-written by a holder that is about to finish


def _activity_label(activity: str) -> str:
    labels: dict[str, str] = {
        Permission.IMPORT_PACKETS: _("importing sync packets"),
        Permission.EXPORT_PACKETS: _("exporting a sync packet"),
        Permission.RUN_DEMO: _("generating demo data"),
        Permission.MERGE_RECORDS: _("merging records"),
    }
    return labels.get(activity, _("saving changes"))


def _is_busy(exc: OperationalError) -> bool:
    name = getattr(exc.orig, "sqlite_errorname", "")
    return name in ("SQLITE_BUSY", "SQLITE_LOCKED") or "database is locked" in str(exc.orig)


def wait_for_write_lock(begin: Callable[[], None], store_path: Path) -> str:
    """Run ``begin`` (a ``BEGIN IMMEDIATE``) until it gets the lock, then leave our note;
    returns the note's token, for ``remove_note``.

    Raises ``StoreBusy`` when a holder we know nothing about keeps the lock past
    ``UNKNOWN_HOLDER_PATIENCE_S``, or when the holder's process is gone.
    """
    listener = _listener.get()
    started = _monotonic()
    progress_seen: tuple[str, int] | None = None
    progress_seen_at = started
    told = False
    try:
        while True:
            try:
                begin()
                break
            except OperationalError as exc:
                if not _is_busy(exc):
                    raise
            holder = read_note(store_path)
            now = _monotonic()
            waited = now - started
            if holder is None or not holder.is_alive():
                if waited >= UNKNOWN_HOLDER_PATIENCE_S:
                    raise StoreBusy(
                        ngettext(
                            "Nothing was written: another program has kept this store locked for "
                            "{seconds} second. Close other programs using {name} and try again.",
                            "Nothing was written: another program has kept this store locked for "
                            "{seconds} seconds. Close other programs using {name} and try again.",
                            int(waited),
                        ).format(seconds=int(waited), name=store_path.name)
                    )
            elif (holder.token, holder.beat) != progress_seen:
                progress_seen, progress_seen_at = (holder.token, holder.beat), now
            elif now - progress_seen_at >= STALLED_S:
                raise StoreBusy(
                    ngettext(
                        "Nothing was written: another FieldKit program (process {pid}) has held this "
                        "store for {minutes} minute without getting on. If it is stuck, close it and "
                        "try again.",
                        "Nothing was written: another FieldKit program (process {pid}) has held this "
                        "store for {minutes} minutes without getting on. If it is stuck, close it and "
                        "try again.",
                        int((now - progress_seen_at) // 60),
                    ).format(pid=holder.pid, minutes=int((now - progress_seen_at) // 60))
                )
            if listener is not None:
                told = True
                try:
                    listener(StoreWait(holder, waited))
                except Cancelled as exc:
                    raise WaitAbandoned() from exc
    finally:
        if told and listener is not None:
            listener(None)
    return _write_note(store_path)


#: the notes this process holds: token -> (the note, when it was last written)
_held: dict[str, tuple[dict[str, str | int], float]] = {}


def _write_note(store_path: Path) -> str:
    door = current_pass()
    activity = door.permission.value if door is not None and door.permission is not None else ""
    token = uuid.uuid4().hex
    note: dict[str, str | int] = {
        "pid": os.getpid(),
        "host": _this_host,
        "activity": activity,
        "token": token,
        "beat": 0,
    }
    _held[token] = (note, _monotonic())
    _store_note(store_path, note)
    return token


def beat(store_path: Path, token: str) -> None:
    """The holder is working (a statement is about to run): renew its note now and then."""
    held = _held.get(token)
    if held is None or _monotonic() - held[1] < BEAT_S:
        return
    note = {**held[0], "beat": int(held[0]["beat"]) + 1}
    _held[token] = (note, _monotonic())
    _store_note(store_path, note)


def _store_note(store_path: Path, note: dict[str, str | int]) -> None:
    path = note_path(store_path)
    staged = path.with_name(path.name + ".new")
    try:
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps(note).encode("utf-8"))
        finally:
            os.close(fd)
        os.replace(staged, path)  # a waiter never reads half a note
    except OSError:
        pass  # a read-only folder: waiters then see an unknown holder, which is still safe


def remove_note(store_path: Path, token: str) -> None:
    """Take our note away, at commit or rollback: the lock is still ours, so the note is too."""
    if _held.pop(token, None) is not None:
        with suppress(OSError):
            note_path(store_path).unlink()
