"""``fieldkit keys ...``: back up the office's secret keys and restore them on a new computer."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from fieldkit.cli.common import open_for
from fieldkit.cli.secret_file import read_secret_file
from fieldkit.crypto.keybackup import ShareError, combine_shares
from fieldkit.errors import ValidationError
from fieldkit.i18n import _, ngettext
from fieldkit.services.keys import (
    KeyBackup,
    OfficeFields,
    backup_keys,
    check_recovery_passphrase,
    read_share_files,
    restore_from_backup,
    restore_from_shares,
    split_keys,
)

RECOVERY_ENV = "FIELDKIT_RECOVERY_PASSPHRASE"


def register(sub: Any) -> None:
    keys = sub.add_parser("keys", help=_("back up and restore the office's secret keys"))
    ksub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    backup = ksub.add_parser("backup", help=_("write the keys encrypted under a recovery passphrase"))
    backup.add_argument("--out", required=True, type=Path, metavar="DIR")
    add_recovery_option(backup)
    backup.set_defaults(handler=backup_command)

    split = ksub.add_parser("split", help=_("cut the keys into shares, some of which together restore them"))
    split.add_argument(
        "--threshold", required=True, type=int, metavar="K", help=_("shares needed to restore")
    )
    split.add_argument(
        "--shares", required=True, type=int, metavar="N", help=_("shares to make (at most 16)")
    )
    split.add_argument("--out", required=True, type=Path, metavar="DIR")
    split.set_defaults(handler=_split)

    restore = ksub.add_parser(
        "restore", help=_("restore the keys from a backup or from shares (creates the store if needed)")
    )
    source = restore.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from-backup", nargs="+", type=Path, metavar="PATH", help=_("the backup folder, or its files")
    )
    source.add_argument("--shares", nargs="+", type=Path, metavar="FILE", help=_("share text files"))
    restore.add_argument("--office-name", help=_("the office's name, where the backup does not hold it"))
    restore.add_argument(
        "--office-type", metavar="TYPE", help=_("the office's type, where the backup does not hold it")
    )
    restore.add_argument("--parent", help=_("code of the office this one reports to"))
    add_recovery_option(restore)
    restore.set_defaults(handler=_restore)


def add_recovery_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--recovery-passphrase-file",
        metavar="FILE",
        type=Path,
        help=_("read the recovery passphrase from FILE instead of asking (or {env})").format(
            env=RECOVERY_ENV
        ),
    )


def recovery_passphrase(args: argparse.Namespace, *, confirm: bool) -> str:
    """The recovery passphrase: from the option's file, the environment, or asked on the terminal."""
    path: Path | None = getattr(args, "recovery_passphrase_file", None)
    if path is not None:
        return read_secret_file(path, ValidationError)
    if os.environ.get(RECOVERY_ENV):
        return os.environ[RECOVERY_ENV]
    if not sys.stdin.isatty():
        raise ValidationError(
            _("No terminal to ask for the recovery passphrase: give {option} FILE").format(
                option="--recovery-passphrase-file"
            )
        )
    first = getpass.getpass(_("Recovery passphrase: "))
    if confirm:
        check_recovery_passphrase(first, getpass.getpass(_("The same passphrase again: ")))
    return first


def _print_written(result: KeyBackup) -> None:
    for path in result.files:
        print(path)
    print(_("Fingerprint: {fingerprint}").format(fingerprint=result.fingerprint))


def backup_command(args: argparse.Namespace) -> int:
    passphrase = recovery_passphrase(args, confirm=True)
    check_recovery_passphrase(passphrase)
    with open_for(args) as ctx:
        result = backup_keys(ctx, args.out, passphrase)
    _print_written(result)
    print(
        _("The keys are encrypted with the recovery passphrase; keep it apart from the files."),
        file=sys.stderr,
    )
    return 0


def _split(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        result = split_keys(ctx, args.out, args.threshold, args.shares)
    _print_written(result)
    print(
        ngettext(
            "Give each share to a different trusted person; {count} of them together restores the keys.",
            "Give each share to a different trusted person; {count} of them together restore the keys.",
            args.threshold,
        ).format(count=args.threshold),
        file=sys.stderr,
    )
    return 0


def _restore(args: argparse.Namespace) -> int:
    fields = OfficeFields(args.office_name, args.office_type, args.parent)
    if args.shares:
        shares = read_share_files(args.shares)
        try:  # before the store opens (or is made): too few or mixed shares change nothing
            combine_shares(shares)
        except ShareError as exc:
            raise ValidationError(str(exc)) from None
        with open_for(args, create=True) as ctx:
            restored = restore_from_shares(ctx, shares, fields)
    else:
        passphrase = recovery_passphrase(args, confirm=False)
        with open_for(args, create=True) as ctx:
            restored = restore_from_backup(ctx, args.from_backup, passphrase, fields)
    if restored.created_office:
        print(
            _("Office {code} ({name}) restored.").format(code=restored.office_code, name=restored.office_name)
        )
        print(
            _(
                "Before entering any records, ask the office's partners for a full packet "
                "(fieldkit sync export --full) and import it."
            ),
            file=sys.stderr,
        )
    else:
        print(_("The keys of office {code} are back in place.").format(code=restored.office_code))
    print(_("Key fingerprint: {fingerprint}").format(fingerprint=restored.fingerprint))
    return 0
