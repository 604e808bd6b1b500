"""What every subcommand and the window's launcher share: exit codes and terminal progress."""

from __future__ import annotations

import sys
from collections.abc import Callable

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
