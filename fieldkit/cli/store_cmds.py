"""``fieldkit store``: encryption at rest and backups of the store file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from fieldkit.access import Permission, PermissionDenied, is_allowed
from fieldkit.cli.common import open_for
from fieldkit.cli.passphrase import (
    NEW_PASSPHRASE_VARIABLE,
    PASSPHRASE_VARIABLE,
    current_passphrase,
    new_passphrase,
)
from fieldkit.errors import StoreError
from fieldkit.formatting import format_number
from fieldkit.i18n import _, ngettext
from fieldkit.services.store_protection import (
    back_up_open_store,
    change_open_store_passphrase,
    default_backup_path,
    encrypt_open_store,
)
from fieldkit.store import cipher, encryption, files, office_keys
from fieldkit.store.cipher import KdfParams
from fieldkit.store.engine import resolve_url, sqlite_path


def register(sub: Any) -> None:
    store = sub.add_parser("store", help=_("encrypt the store file, change its passphrase, back it up"))
    commands = store.add_subparsers(dest="store_command", metavar="COMMAND", required=True)

    encrypt = commands.add_parser(
        "encrypt",
        help=_(
            "encrypt a plain store in place with a new passphrase ({option} or {variable}, or asked twice)"
        ).format(option="--passphrase-file", variable=PASSPHRASE_VARIABLE),
    )
    encrypt.set_defaults(handler=_encrypt)

    change = commands.add_parser("passphrase", help=_("change the passphrase of an encrypted store"))
    change.add_argument(
        "--new-passphrase-file",
        metavar="FILE",
        help=_(
            "read the new passphrase from FILE (readable by you alone; default: {variable} or asked twice)"
        ).format(variable=NEW_PASSPHRASE_VARIABLE),
    )
    change.set_defaults(handler=_change)

    backup = commands.add_parser(
        "backup", help=_("copy the store to a backup file, encrypted as the store is")
    )
    backup.add_argument(
        "--to", type=Path, metavar="FILE", help=_("the new backup file (default: beside the store, dated)")
    )
    backup.set_defaults(handler=_backup)

    info = commands.add_parser("info", help=_("whether the store is encrypted, and how"))
    info.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    info.set_defaults(handler=_info)


def _store_file(args: argparse.Namespace) -> Path:
    path = sqlite_path(resolve_url(args.db))
    if path is None:
        raise StoreError(
            _(
                "This command works on a store kept in a file. A PostgreSQL database is protected by "
                "its server: its disk encryption, TLS and accounts."
            )
        )
    return path


def _on_server(args: argparse.Namespace) -> bool:
    return sqlite_path(resolve_url(args.db)) is None


def _seal_on_server(args: argparse.Namespace) -> int:
    from fieldkit.domain.keys import seal_office_keys

    with open_for(args) as ctx:  # sealed keys already: opening asks their passphrase first
        if ctx.store.office_keys_key is not None:
            raise StoreError(
                _(
                    "The office keys in this database are sealed already; change their passphrase "
                    "with '{command}'. Nothing was changed."
                ).format(command="fieldkit store passphrase")
            )
        passphrase = new_passphrase(
            args, file=args.passphrase_file, variable=PASSPHRASE_VARIABLE, option="--passphrase-file"
        )
        seal_office_keys(ctx, passphrase)
    print(_("The office keys in this database are sealed under the passphrase."))
    _print_server_copies()
    return 0


def _print_server_copies() -> None:
    print(
        _(
            "Copies made before (database dumps, the server's backups and its write-ahead log) still "
            "hold the keys as they were: replace those dumps and backups with new ones."
        )
    )


def _reseal_on_server(args: argparse.Namespace) -> int:
    from fieldkit.domain.keys import change_office_keys_passphrase

    old = current_passphrase(args)
    with open_for(args, passphrase=lambda: old) as ctx:  # a wrong one is told before the new is asked
        if ctx.store.office_keys_key is None:
            raise StoreError(
                _("The office keys in this database are not sealed: seal them first ('{command}').").format(
                    command="fieldkit store encrypt"
                )
            )
        new = new_passphrase(
            args,
            file=args.new_passphrase_file,
            variable=NEW_PASSPHRASE_VARIABLE,
            option="--new-passphrase-file",
        )
        change_office_keys_passphrase(ctx, old, new)
    print(_("The passphrase of the office keys in this database has changed."))
    _print_server_copies()
    return 0


def _encrypt(args: argparse.Namespace) -> int:
    if _on_server(args):
        return _seal_on_server(args)
    path = _store_file(args)
    files.check_store_file(path, create=False)
    if cipher.is_encrypted(path):  # before asking for a passphrase that would not be used
        raise StoreError(_("{path} is encrypted already. Nothing was changed.").format(path=path))
    with open_for(args) as ctx:  # signs in where the store has accounts: the role must allow it
        if not is_allowed(ctx.principal, Permission.MANAGE_OFFICE):  # before a passphrase is asked
            raise PermissionDenied(ctx.principal, Permission.MANAGE_OFFICE)
        passphrase = new_passphrase(
            args, file=args.passphrase_file, variable=PASSPHRASE_VARIABLE, option="--passphrase-file"
        )
        removed = encrypt_open_store(ctx, passphrase)
    print(_("{path} is encrypted.").format(path=path))
    print(
        ngettext(
            "Removed {count} plain file:",
            "Removed {count} plain files:",
            len(removed),
        ).format(count=len(removed))
    )
    for gone in removed:
        print(f"  {gone}")
    _print_keep_safe(path)
    return 0


def _print_keep_safe(path: Path) -> None:
    print(
        _(
            "Keep the passphrase safe, and {header} with every copy of the store: without both "
            "nobody can open it, FieldKit included."
        ).format(header=files.header_path(path).name)
    )


def _change(args: argparse.Namespace) -> int:
    if _on_server(args):
        return _reseal_on_server(args)
    path = _store_file(args)
    files.check_store_file(path, create=False)
    if not cipher.is_encrypted(path):
        raise StoreError(
            _("{path} is not encrypted: encrypt it first ('{command}').").format(
                path=path, command="fieldkit store encrypt"
            )
        )
    old = current_passphrase(args)
    with open_for(args, passphrase=lambda: old) as ctx:  # a wrong one is told before the new one is asked
        if not is_allowed(ctx.principal, Permission.MANAGE_OFFICE):  # before the new one is asked
            raise PermissionDenied(ctx.principal, Permission.MANAGE_OFFICE)
        new = new_passphrase(
            args,
            file=args.new_passphrase_file,
            variable=NEW_PASSPHRASE_VARIABLE,
            option="--new-passphrase-file",
        )
        change_open_store_passphrase(ctx, old, new)
    print(_("The passphrase of {path} has changed.").format(path=path))
    print(
        _(
            "Backups made before keep the old passphrase: make a new one ('{command}') and remove "
            "the old ones when anyone who should not may know it."
        ).format(command="fieldkit store backup")
    )
    return 0


def _backup(args: argparse.Namespace) -> int:
    path = _store_file(args)
    files.check_store_file(path, create=False)
    with open_for(args) as ctx:
        target: Path = args.to or default_backup_path(path, ctx.now())
        target = target.expanduser().resolve()
        if target.exists() or files.header_path(target).exists():
            raise StoreError(
                _("{path} exists already; choose another file with {option}.").format(
                    path=target, option="--to"
                )
            )
        back_up_open_store(ctx, target)
        key = ctx.store.key
    print(_("Backup written to {path}.").format(path=target))
    if key is not None:
        print(
            _("It is encrypted with the store's passphrase; keep {header} beside it.").format(
                header=files.header_path(target).name
            )
        )
    return 0


def _info(args: argparse.Namespace) -> int:
    url = resolve_url(args.db)
    path = sqlite_path(url)
    info = encryption.describe(path)
    sealing = office_keys.sealing_of(url) if path is None else None
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(info.path) if info.path is not None else None,
                    "encrypted": info.encrypted,
                    "size_bytes": info.size_bytes,
                    "kdf": info.kdf,
                    "time_cost": info.time_cost,
                    "memory_cost_kib": info.memory_cost_kib,
                    "parallelism": info.parallelism,
                    "cipher": info.cipher,
                    "cipher_compatibility": info.cipher_compatibility,
                    "office_keys_sealed": sealing is not None if path is None else None,
                },
                ensure_ascii=False,
            )
        )
        return 0
    if info.path is None:
        print(_("The store is a database server's; its server protects it at rest."))
        if sealing is None:
            print(
                _("The office keys are not sealed. Seal them under a passphrase with '{command}'.").format(
                    command="fieldkit store encrypt"
                )
            )
            return 0
        print(
            _("The office keys are sealed under a passphrase with {cipher}.").format(
                cipher="ChaCha20-Poly1305"
            )
        )
        _print_kdf(sealing.params)
        return 0
    size = _("{size} MiB").format(size=format_number(round(info.size_bytes / (1024 * 1024), 1)))
    print(_("Store: {path} ({size})").format(path=info.path, size=size))
    if not info.encrypted:
        print(_("Not encrypted. Encrypt it with '{command}'.").format(command="fieldkit store encrypt"))
        return 0
    print(
        _("Encrypted with {cipher} (settings of version {version}).").format(
            cipher=info.cipher, version=info.cipher_compatibility
        )
    )
    _print_kdf(KdfParams(info.time_cost or 0, info.memory_cost_kib or 0, info.parallelism or 0))
    return 0


def _print_kdf(params: KdfParams) -> None:
    print(
        _("Key derived with {kdf}: {memory} MiB, {passes} passes, {lanes} lanes.").format(
            kdf="Argon2id",
            memory=params.memory_cost_kib // 1024,
            passes=params.time_cost,
            lanes=params.parallelism,
        )
    )
