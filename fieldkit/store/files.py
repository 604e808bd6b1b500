"""Telling a FieldKit store apart from every other file before SQLite touches it.

A store is marked in its SQLite header (``application_id``), so a file of another program,
a file that is not a database at all, or one cut short, is refused before any connection
could switch it to WAL or add our tables. Stores written before the mark existed are
recognised by their tables and marked on their next writable opening.

An encrypted store (``store.cipher``) has no readable header at all: it is recognised by the
key-derivation file beside it, ``<store>.kdf``.
"""

from __future__ import annotations

import enum
import glob
import os
import sqlite3
import stat
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from fieldkit.errors import StoreError
from fieldkit.i18n import _

#: "FKST" in the header's application_id field (offset 68), big-endian
FIELDKIT_APPLICATION_ID = 0x464B5354
_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100
#: SQLCipher's pages: an encrypted store's size is a whole number of them
_CIPHER_PAGE_SIZE = 4096
#: tables only a FieldKit store has together; they identify stores from before the mark
_FIELDKIT_TABLES = frozenset({"alembic_version", "change_log", "office_secret"})


class StoreFileKind(enum.Enum):
    MISSING = "missing"
    EMPTY = "empty"
    FIELDKIT = "fieldkit"
    #: a FieldKit store written before stores carried the mark
    FIELDKIT_UNMARKED = "fieldkit-unmarked"
    OTHER_DATABASE = "other-database"
    NOT_A_DATABASE = "not-a-database"
    TRUNCATED = "truncated"
    #: an SQLCipher store with its key-derivation header beside it
    ENCRYPTED = "encrypted"
    #: what looks like an SQLCipher store whose key-derivation header is missing
    ENCRYPTED_WITHOUT_HEADER = "encrypted-without-header"


def header_path(path: Path) -> Path:
    """The key-derivation header kept beside an encrypted store."""
    return path.with_name(path.name + ".kdf")


def is_plain_sqlite(path: Path) -> bool:
    """Whether ``path`` starts as every unencrypted SQLite database does."""
    with path.open("rb") as fh:
        return fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC


def examine(path: Path) -> StoreFileKind:
    """What ``path`` holds, read from its header (and, for unmarked databases, its table names)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return StoreFileKind.MISSING
    if size == 0:
        return StoreFileKind.EMPTY
    with path.open("rb") as fh:
        header = fh.read(_HEADER_SIZE)
    if not header.startswith(_SQLITE_MAGIC) and header_path(path).exists():
        return StoreFileKind.ENCRYPTED
    if len(header) == _HEADER_SIZE and not header.startswith(_SQLITE_MAGIC) and size % _CIPHER_PAGE_SIZE == 0:
        return StoreFileKind.ENCRYPTED_WITHOUT_HEADER
    if len(header) < _HEADER_SIZE or not header.startswith(_SQLITE_MAGIC):
        return StoreFileKind.NOT_A_DATABASE
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    page_count = int.from_bytes(header[28:32], "big")
    # the in-header size is valid only when SQLite also wrote the matching change counter; while a
    # WAL exists a checkpoint may be growing the file, so a short file is then left to SQLite to judge
    size_is_valid = header[24:28] == header[92:96] and page_count > 0
    checkpointing = path.with_name(path.name + "-wal").exists()
    if size_is_valid and not checkpointing and size < page_size * page_count:
        return StoreFileKind.TRUNCATED
    if int.from_bytes(header[68:72], "big") == FIELDKIT_APPLICATION_ID:
        return StoreFileKind.FIELDKIT
    return StoreFileKind.FIELDKIT_UNMARKED if _has_fieldkit_tables(path) else StoreFileKind.OTHER_DATABASE


def _has_fieldkit_tables(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return names >= _FIELDKIT_TABLES


def is_read_only(path: Path) -> bool:
    """Whether the store must be opened without writing: write-protected, or on read-only media."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR


def folder_is_read_only(path: Path) -> bool:
    """Whether SQLite could not create its shared-memory file beside the store."""
    return not os.access(path.parent, os.W_OK) or not path.parent.stat().st_mode & stat.S_IWUSR


def companions(path: Path) -> list[Path]:
    """The files named after a store beside it: SQLite's WAL and shared memory, FieldKit's backups
    and refusal log, copies a user made of it."""
    return sorted(p for p in path.parent.glob(f"{glob.escape(path.name)}?*") if p.is_file())


def newest_backup(path: Path) -> Path | None:
    """The most recent copy FieldKit made beside the store (``<name>.<why>.bak``), if any."""
    copies = [p for p in path.parent.glob(f"{glob.escape(path.name)}.*.bak") if p.is_file()]
    return max(copies, key=lambda p: p.stat().st_mtime, default=None)


def damaged_store_error(path: Path) -> StoreError:
    """The message for a store SQLite cannot read: what happened and what to do."""
    backup = newest_backup(path)
    if backup is not None:
        return StoreError(
            _(
                "{path} is damaged or is not a database, so FieldKit cannot open it. "
                "FieldKit has not changed it. Restore the copy FieldKit kept beside it, {backup}, "
                "or your own backup."
            ).format(path=path, backup=backup.name)
        )
    return StoreError(
        _(
            "{path} is damaged or is not a database, so FieldKit cannot open it. "
            "FieldKit has not changed it, and there is no copy of it beside it: restore your own "
            "backup, or choose another store with {option}."
        ).format(path=path, option="--db")
    )


def is_damage(exc: DatabaseError) -> bool:
    """Whether SQLite failed because the file is not a database or is corrupt (not, say, locked)."""
    name = getattr(exc.orig, "sqlite_errorname", "")
    return isinstance(name, str) and name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def check_store_file(path: Path, *, create: bool) -> StoreFileKind:
    """Refuse, untouched, any file that is not a FieldKit store; without ``create``, a missing one too."""
    kind = examine(path)
    if kind is StoreFileKind.EMPTY and not create:  # a store cut down to nothing: its backup is the way back
        raise damaged_store_error(path)
    if kind is StoreFileKind.MISSING and not create:
        raise StoreError(
            _(
                "There is no FieldKit store at {path}. Check the {option} path; "
                "to start a new office there, run '{command}'."
            ).format(path=path, option="--db", command="fieldkit init")
        )
    if kind is StoreFileKind.OTHER_DATABASE:
        raise StoreError(
            _(
                "{path} is a database of another program, not a FieldKit store. "
                "FieldKit has not changed it; check the {option} path."
            ).format(path=path, option="--db")
        )
    if kind is StoreFileKind.ENCRYPTED_WITHOUT_HEADER:
        raise StoreError(
            _(
                "{path} cannot be read as a plain store and has no key-derivation file {name} beside "
                "it. If it is an encrypted store, put back the {name} kept with your backup; "
                "otherwise it is damaged: restore your backup. FieldKit has not changed it."
            ).format(path=path, name=header_path(path).name)
        )
    if kind in (StoreFileKind.NOT_A_DATABASE, StoreFileKind.TRUNCATED):
        raise damaged_store_error(path)
    return kind
