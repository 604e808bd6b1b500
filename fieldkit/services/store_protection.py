"""Encrypting the open store, changing its passphrase and backing it up, for the window.

``fieldkit.store.encryption`` works on a closed file; the window has its store open. These close
the context's store, do the work on the file, and open it again in the same ``Context`` (every
page of the window holds that one object), with the new key. When the work is refused the store
opens again as it was. A store on a database server has no passphrase: its server protects it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fieldkit.access import Permission, guard_store_access, requires
from fieldkit.context import Context
from fieldkit.errors import StoreError
from fieldkit.i18n import _
from fieldkit.store import audit as chain
from fieldkit.store import cipher, encryption, files, migrate
from fieldkit.store.audit import append_event
from fieldkit.store.engine import Store


def _store_file(ctx: Context) -> Path:
    path = ctx.store.path
    if path is None:
        raise StoreError(
            _(
                "This store is on a database server, which protects its records at rest (its disk "
                "encryption, TLS and accounts); its office keys are sealed from the command line "
                "('fieldkit store encrypt')."
            )
        )
    if ctx.store.read_only:
        raise StoreError(
            _("{path} is write-protected, so its protection cannot be changed. Nothing was changed.").format(
                path=path
            )
        )
    return path


def _reopen(ctx: Context, key: bytes | None) -> None:
    store = Store(ctx.store.url, key=key)
    store.session_guard = guard_store_access
    ctx.store = store


def _audit(ctx: Context, action: str, detail: dict[str, object] | None = None) -> None:
    with ctx.store.write() as session:
        append_event(session, at=ctx.now(), actor=ctx.user, action=action, detail=detail)


@requires(Permission.MANAGE_OFFICE)
def encrypt_open_store(
    ctx: Context, passphrase: str, *, params: cipher.KdfParams | None = None
) -> list[Path]:
    """Encrypt the context's plain store in place with ``passphrase``; return the plain files removed.

    The store is closed for the conversion and opened again with its new key.
    """
    path = _store_file(ctx)
    if ctx.store.key is not None:
        raise StoreError(_("{path} is encrypted already. Nothing was changed.").format(path=path))
    cipher.check_passphrase(passphrase)
    ctx.close()
    try:
        removed = encryption.encrypt_store(path, passphrase, params=params)
    except BaseException:
        _reopen(ctx, None)
        raise
    _reopen(ctx, cipher.store_key(path, lambda: passphrase, create=False))
    _audit(ctx, chain.ACTION_STORE_ENCRYPT, {"removed": len(removed)})
    return removed


@requires(Permission.MANAGE_OFFICE)
def change_open_store_passphrase(
    ctx: Context, old: str, new: str, *, params: cipher.KdfParams | None = None
) -> None:
    """Re-encrypt the context's store under ``new``, if ``old`` opens it; reopen it with the new key.

    A wrong ``old`` is refused before the store is closed.
    """
    path = _store_file(ctx)
    if ctx.store.key is None:
        raise StoreError(_("{path} is not encrypted: encrypt it first.").format(path=path))
    cipher.check_passphrase(new)
    if cipher.store_key(path, lambda: old, create=False) != ctx.store.key:
        raise cipher.wrong_passphrase()
    key = ctx.store.key
    ctx.close()
    try:
        encryption.change_passphrase(path, old, new, params=params)
    except BaseException:
        _reopen(ctx, key)
        raise
    _reopen(ctx, cipher.store_key(path, lambda: new, create=False))
    _audit(ctx, chain.ACTION_PASSPHRASE)


def default_backup_path(path: Path, now: dt.datetime) -> Path:
    """Beside the store, named by the time: ``<store>.backup-<UTC time>.bak``."""
    return path.with_name(f"{path.name}.backup-{now.strftime('%Y%m%dT%H%M%SZ')}.bak")


@requires(Permission.MANAGE_OFFICE)
def back_up_open_store(ctx: Context, target: Path) -> Path:
    """Copy the open store to the new file ``target``, encrypted with the store's key if it has one
    (its key-derivation header goes beside it): the copy opens with the store's passphrase."""
    path = ctx.store.path
    if path is None:
        raise StoreError(
            _("This store is on a database server: back it up with the server's own tools (pg_dump).")
        )
    target = target.expanduser().resolve()
    if target == path.resolve():
        raise StoreError(_("A backup cannot replace the store itself; choose another file."))
    if target.exists() or files.header_path(target).exists():
        raise StoreError(_("{path} exists already; choose another file.").format(path=target))
    written = migrate.backup_store(path, target, ctx.store.key)
    _audit(ctx, chain.ACTION_BACKUP, {"file": target.name, "encrypted": ctx.store.key is not None})
    return written
