"""The ``fieldkit`` command: subcommands run headless; with none, the window opens.

Qt is imported only when the window is wanted, so scripts on a server without a
display (or without PySide6) still have the whole CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from fieldkit.cli.common import EXIT_ERROR
from fieldkit.cli.main import main as cli_main
from fieldkit.i18n import _


def _open_window(db: str | None, lang: str | None) -> int:
    try:
        from ui.app import run_app
    except ImportError as exc:
        print(
            _(
                "fieldkit: the window needs PySide6 ({reason}); install it with: pip install 'fieldkit[gui]'"
            ).format(reason=exc),
            file=sys.stderr,
        )
        return EXIT_ERROR
    return run_app(db=db, lang=lang)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, open_gui=_open_window)


if __name__ == "__main__":
    sys.exit(main())
