"""``fieldkit wipe``: destroy this installation's store and everything FieldKit keeps beside it.

The store is not opened: the wipe must work when its passphrase is forgotten or cannot be
given, so it asks for no passphrase or password, only for the confirmation typed with
``--confirm`` (the office code a plain store shows, else the fixed word). Without it, or with
another word, nothing is touched and the command exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from fieldkit.errors import StoreError
from fieldkit.i18n import _, ngettext
from fieldkit.store.engine import resolve_url, sqlite_path
from fieldkit.store.wipe import FIXED_CONFIRMATION, WipeReport, store_files, wipe

#: some files could not be destroyed (the report names them); 2 stays "bad input, nothing done"
EXIT_INCOMPLETE = 1


def register(sub: Any) -> None:
    cmd = sub.add_parser(
        "wipe",
        help=_("emergency: destroy the store, its copies and key header, and FieldKit's own files"),
        description=_(
            "Destroys the store, its write-ahead log, its backup copies, its key-derivation header "
            "and FieldKit's settings and logs on this computer: the key material first, then every "
            "file overwritten once with random bytes and deleted. On SSDs, USB sticks and "
            "copy-on-write filesystems old blocks can survive an overwrite: what protects the data "
            "there is the store's encryption, whose key header is destroyed first. Packets, exports "
            "and partners' copies are not reached."
        ),
    )
    sub_confirm = _("the office code of the store (or {word} when it cannot be read); required").format(
        word=FIXED_CONFIRMATION
    )
    cmd.add_argument("--confirm", metavar="OFFICE-CODE", help=sub_confirm)
    cmd.add_argument("--json", action="store_true", help=_("print the report as JSON"))
    cmd.set_defaults(handler=_wipe)


def _wipe(args: argparse.Namespace) -> int:
    path = sqlite_path(resolve_url(args.db))
    if path is None:
        raise StoreError(
            _("Only a store file on this computer can be wiped; a database server keeps its own copies.")
        )
    if not store_files(path):
        raise StoreError(_("There is nothing to wipe at {path}.").format(path=path))
    report = wipe(path, confirmation=args.confirm)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    return 0 if report.complete else EXIT_INCOMPLETE


def _print_report(report: WipeReport) -> None:
    count = len(report.destroyed)
    print(ngettext("{count} file destroyed:", "{count} files destroyed:", count).format(count=count))
    for path in report.destroyed:
        print(f"  {path}")
    for failure in report.failed:
        line = _("fieldkit: could not destroy {path}: {reason}")
        print(line.format(path=failure.path, reason=failure.reason), file=sys.stderr)
    for path in report.left:
        print(_("Left alone (another store): {path}").format(path=path))
    if not report.complete:
        print(_("The wipe is incomplete: delete the files named above yourself."), file=sys.stderr)
