"""Argument parsing and error handling shared by every subcommand.

Bad input ends in one clear line on stderr and a non-zero exit, never a
traceback (``--debug`` shows it for a bug report).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from fieldkit import __version__
from fieldkit.cli import private_log
from fieldkit.cli.common import EXIT_CANCELLED, EXIT_ERROR, cli_wait_printer
from fieldkit.errors import FieldKitError, reason_for
from fieldkit.i18n import LANGUAGES, _, set_language
from fieldkit.progress import Cancelled
from fieldkit.store.busy import report_waits

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    from fieldkit.cli import (
        audit_cmds,
        data_cmds,
        keys_cmds,
        office_cmds,
        report_cmds,
        store_cmds,
        sync_cmds,
        users_cmds,
        visits_cmds,
        wipe_cmds,
    )

    parser = argparse.ArgumentParser(
        prog="fieldkit",
        description=_("FieldKit: offline records for human-rights field offices."),
    )
    parser.add_argument(
        "--db", help=_("store file path or SQLAlchemy URL (default: FIELDKIT_DB or the user store)")
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=_("read the store's passphrase from FILE (readable by you alone) instead of asking"),
    )
    parser.add_argument(
        "--user", help=_("the account to sign in as, on a store that has accounts (default: FIELDKIT_USER)")
    )
    parser.add_argument(
        "--password-file",
        metavar="FILE",
        help=_("read the account's password from FILE (readable by you alone) instead of asking"),
    )
    parser.add_argument("--lang", choices=sorted(LANGUAGES), help=_("interface and message language"))
    parser.add_argument("--debug", action="store_true", help=_("show tracebacks for bug reports"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    office_cmds.register(sub)
    data_cmds.register(sub)
    sync_cmds.register(sub)
    visits_cmds.register(sub)
    report_cmds.register(sub)
    users_cmds.register(sub)
    store_cmds.register(sub)
    audit_cmds.register(sub)
    keys_cmds.register(sub)
    wipe_cmds.register(sub)
    version = sub.add_parser("version", help=_("print the FieldKit version"))
    version.set_defaults(handler=lambda _args: print(f"fieldkit {__version__}") or 0)
    return parser


#: opens the window: ``(db, lang) -> exit code``; the shell passes it in (the core never imports it)
GuiLauncher = Callable[[str | None, str | None], int]


def main(argv: Sequence[str] | None = None, open_gui: GuiLauncher | None = None) -> int:
    """Run a subcommand; with none, open the window through ``open_gui``."""
    lang = os.environ.get("FIELDKIT_LANG")
    if lang in LANGUAGES:
        set_language(lang)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lang:
        set_language(args.lang)
    private_log.install(logging.DEBUG if args.debug else logging.WARNING)  # no record values in the log
    handler: Handler | None = getattr(args, "handler", None)
    try:
        if handler is None:
            if open_gui is None:
                parser.print_help()
                return EXIT_ERROR
            return open_gui(args.db, args.lang)
        with report_waits(cli_wait_printer()):
            return int(handler(args) or 0)
    except Cancelled:
        print(_("fieldkit: cancelled"), file=sys.stderr)
        return EXIT_CANCELLED
    except FieldKitError as exc:
        print(_("fieldkit: error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # a folder that cannot be written, a full disk: the user can act on it
        if args.debug:
            raise
        print(
            _("fieldkit: error: {reason}: {path}").format(reason=reason_for(exc), path=exc.filename or ""),
            file=sys.stderr,
        )
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(_("fieldkit: interrupted"), file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as exc:
        if args.debug:
            raise
        print(
            _("fieldkit: unexpected error: {message} (run again with {option} for details)").format(
                message=reason_for(exc), option="--debug"
            ),
            file=sys.stderr,
        )
        return EXIT_ERROR
