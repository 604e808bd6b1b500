"""What every subcommand and the window's launcher share: exit codes and terminal progress."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TextIO

from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.opening import Credentials, opened
from fieldkit.store.busy import StoreWait, WaitListener

EXIT_ERROR = 2
#: a packet was refused (bad signature, unknown sender, not for us); scripts tell it from bad input
EXIT_REFUSED = 3
EXIT_CANCELLED = 130


def cli_progress_printer(enabled: bool) -> Callable[[int, int, str], None] | None:
    """A progress listener that redraws one line on a terminal (nothing when piped)."""
    if not enabled or not sys.stderr.isatty():
        return None
    last = [-1]

    def listener(done: int, total: int, label: str) -> None:
        percent = int(done * 100 / total) if total else 0
        if percent != last[0]:
            last[0] = percent
            sys.stderr.write(f"\r{label} {percent:3d}%")
            if percent >= 100:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return listener


def cli_wait_printer(stream: TextIO | None = None) -> WaitListener:
    """A listener that prints one line when a command starts waiting for another program's
    write lock, and another whenever the program it waits for changes."""
    last_holder: list[tuple[int, str] | None] = []  # empty: not waiting

    def listener(wait: StoreWait | None) -> None:
        if wait is None:
            last_holder.clear()
            return
        holder = (wait.holder.pid, wait.holder.activity) if wait.holder is not None else None
        if last_holder and last_holder[0] == holder:
            return
        last_holder[:] = [holder]
        out = stream or sys.stderr
        line = _("fieldkit: {message} (Ctrl+C to stop waiting)").format(message=wait.message())
        out.write(("\n" if out.isatty() else "") + line + "\n")  # off a progress line being redrawn
        out.flush()

    return listener


def credentials_from(args: argparse.Namespace) -> Credentials:
    """The store passphrase and account password, from the options, the environment or a prompt."""
    from fieldkit.cli.login import password_source
    from fieldkit.cli.passphrase import passphrase_source

    return Credentials(passphrase=passphrase_source(args), password=password_source(args))


@contextmanager
def open_for(
    args: argparse.Namespace, *, create: bool = False, passphrase: Callable[[], str] | None = None
) -> Iterator[Context]:
    """The store named by ``--db``, unlocked and signed in to as the options say; closed after.

    ``passphrase`` replaces the options' source when a command has read the passphrase already."""
    credentials = credentials_from(args)
    if passphrase is not None:
        credentials = replace(credentials, passphrase=passphrase)
    with opened(args.db, user=getattr(args, "user", None), create=create, credentials=credentials) as ctx:
        yield ctx


def option_date(text: str | None, option: str) -> dt.date | None:
    """The ISO date an option was given (None when it was not), or one clear line naming it."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("{option}: '{value}' is not a date; write it as YYYY-MM-DD").format(option=option, value=text)
        ) from None
