"""Bring a store to the current schema, copying the file aside first.

The app upgrades an older store when it opens it. Before touching a SQLite file
that is behind, it copies it to ``<name>.schema-<old revision>.bak`` with SQLite's
online backup, so a failed upgrade never costs the user their records. The backup of an
encrypted store is encrypted with the same key, its key-derivation header copied beside it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from fieldkit.errors import StoreError
from fieldkit.i18n import _
from fieldkit.paths import create_private_file
from fieldkit.store import cipher, files, records, system  # noqa: F401  (register every table)
from fieldkit.store.base import Base
from fieldkit.store.engine import Store

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_store(path: Path, target: Path, key: bytes | None = None) -> Path:
    """Copy the store at ``path`` to the new file ``target`` with SQLite's online backup, which
    gives a consistent copy while other programs write.

    With ``key`` (an encrypted store) the copy is written through SQLCipher with the same key, so
    no page of it is ever plain, and the store's key-derivation header is copied beside it: the
    copy opens with the passphrase the store had when it was made.
    """
    create_private_file(target)
    try:
        if key is None:
            src, dst = sqlite3.connect(path), sqlite3.connect(target)
        else:
            src = cipher.connect(path, key)
            dst = cipher.connect(target, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        if key is not None:
            cipher.write_header(files.header_path(target), cipher.require_header(path))
    except BaseException:
        for made in (target, files.header_path(target)):
            made.unlink(missing_ok=True)
        raise
    return target


def backup_sqlite(path: Path, suffix: str, key: bytes | None = None) -> Path:
    """The copy made before an upgrade: ``<name>.<suffix>.bak`` beside the store."""
    target = path.with_name(f"{path.name}.{suffix}.bak")
    for earlier in (target, *(target.with_name(target.name + end) for end in ("-wal", "-shm", ".kdf"))):
        earlier.unlink(missing_ok=True)  # a copy of the same revision made before, maybe with another key
    return backup_store(path, target, key)


def mark_as_fieldkit(store: Store) -> None:
    """Write FieldKit's mark into a SQLite store's header, so other files can be told apart."""
    if not store.is_sqlite:
        return
    with store.engine.connect() as conn:  # a read: it must not wait for another program's import
        if conn.exec_driver_sql("PRAGMA application_id").scalar() == files.FIELDKIT_APPLICATION_ID:
            return
    with store.write_engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={files.FIELDKIT_APPLICATION_ID}")
        conn.commit()


def schema_is_current(store: Store) -> bool:
    return current_revision(store) == head_revision()


def upgrade(store: Store) -> Path | None:
    """Upgrade to head and mark the store as FieldKit's; return the backup made, if any."""
    current = current_revision(store)
    head = head_revision()
    if current == head:
        mark_as_fieldkit(store)
        return None
    known = {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            _(
                "This store was written by a newer FieldKit (schema {revision}); update FieldKit to open it."
            ).format(revision=current)
        )
    backup = None
    if current is not None and store.path is not None and store.path.exists():
        backup = backup_sqlite(store.path, f"schema-{current}", store.key)
    cfg = _config()
    with store.write_engine.connect() as conn:
        cfg.attributes["connection"] = conn
        cfg.attributes["target_metadata"] = Base.metadata
        command.upgrade(cfg, "head")
        conn.commit()
    mark_as_fieldkit(store)
    return backup
