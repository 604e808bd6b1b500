"""Encrypting a plain store in place, changing an encrypted store's passphrase, describing either.

Both work on the file alone and take it for themselves first: a program that had the store
open would otherwise go on reading the plain file, or writing pages under the old key. The
plain store is replaced only after its encrypted copy has been read back whole (SQLite's
integrity check, the same number of rows in every table), and the new key-derivation header
replaces the old one only after SQLCipher has re-encrypted every page with the new key.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.errors import StoreError
from fieldkit.i18n import _
from fieldkit.paths import create_private_file
from fieldkit.store import busy, cipher, files

#: an encrypted copy is written here, beside the store, until it has been checked
_STAGED_SUFFIX = ".encrypting"
_SQLITE_FILES = ("-wal", "-shm", "-journal")


class StoreInUse(StoreError):
    """Another program has the store open: nothing was changed."""


@dataclass(frozen=True)
class EncryptionInfo:
    """What ``fieldkit store info`` tells about a store: never a secret."""

    path: Path | None
    encrypted: bool
    size_bytes: int
    kdf: str | None = None
    time_cost: int | None = None
    memory_cost_kib: int | None = None
    parallelism: int | None = None
    cipher: str | None = None
    cipher_compatibility: int | None = None


def describe(path: Path | None) -> EncryptionInfo:
    """Whether the store at ``path`` is encrypted and how (None: a server database)."""
    if path is None:
        return EncryptionInfo(path=None, encrypted=False, size_bytes=0)
    files.check_store_file(path, create=False)
    size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    if not cipher.is_encrypted(path):
        return EncryptionInfo(path=path, encrypted=False, size_bytes=size)
    header = cipher.require_header(path)
    return EncryptionInfo(
        path=path,
        encrypted=True,
        size_bytes=size,
        kdf=cipher.KDF_NAME,
        time_cost=header.params.time_cost,
        memory_cost_kib=header.params.memory_cost_kib,
        parallelism=header.params.parallelism,
        cipher=f"SQLCipher {cipher.cipher_version()}",
        cipher_compatibility=header.cipher_compatibility,
    )


def _in_use_error(path: Path) -> StoreInUse:
    holder = busy.read_note(path)
    if holder is not None and holder.is_alive():
        return StoreInUse(
            _(
                "Another FieldKit program (process {pid}) is {doing} in {path}. Nothing was changed: "
                "close it and try again."
            ).format(pid=holder.pid, doing=holder.doing(), path=path)
        )
    return StoreInUse(
        _(
            "Another program has {path} open. Nothing was changed: close the FieldKit windows and "
            "commands that use it, and try again."
        ).format(path=path)
    )


@contextmanager
def _held_alone(path: Path, key: bytes | None) -> Iterator[Any]:
    """A connection to the store that no other program shares while the block runs.

    Leaving WAL mode needs every other connection closed (SQLite checks it across processes);
    exclusive locking then keeps newcomers out until this connection closes. Connections of this
    same process are not seen: the window closes its own store before it calls in here.
    """
    from sqlcipher3 import dbapi2

    holder = busy.read_note(path)
    if holder is not None and holder.is_alive():
        raise _in_use_error(path)
    conn = cipher.connect(path, key, isolation_level=None, timeout=1.0)
    try:
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except dbapi2.OperationalError as exc:
            raise _in_use_error(path) from exc
        except dbapi2.DatabaseError as exc:
            raise files.damaged_store_error(path) from exc
        if str(mode).lower() != "delete":
            raise _in_use_error(path)
        yield conn
    finally:
        conn.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_counts(conn: Any, schema: str = "main") -> dict[str, int]:
    names = [
        str(row[0])
        for row in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    counts = {}
    for name in names:
        counts[name] = int(conn.execute(f"SELECT count(*) FROM {schema}.{_quoted(name)}").fetchone()[0])
    return counts


def _export_copy(conn: Any, staged: Path, key: bytes) -> None:
    """Write every table, index and the search index of the store into ``staged``, encrypted."""
    conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(staged), f"x'{key.hex()}'"))
    try:
        conn.execute(f"PRAGMA encrypted.cipher_compatibility = {cipher.CIPHER_COMPATIBILITY}")
        conn.execute("SELECT sqlcipher_export('encrypted')")
        # the export copies the schema and rows, not the header fields FieldKit reads
        for field in ("application_id", "user_version"):
            value = int(conn.execute(f"PRAGMA main.{field}").fetchone()[0])
            conn.execute(f"PRAGMA encrypted.{field} = {value}")
    finally:
        conn.execute("DETACH DATABASE encrypted")


def _verify_copy(conn: Any, path: Path, staged: Path, key: bytes) -> None:
    """Read the encrypted copy back with its key; refuse unless it is whole and holds every row."""
    expected = _row_counts(conn)
    copy = cipher.connect(staged, key)
    try:
        whole = copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        whole = whole and not copy.execute("PRAGMA cipher_integrity_check").fetchall()
        same = whole and _row_counts(copy) == expected
    except Exception:  # unreadable is as bad as different
        same = False
    finally:
        copy.close()
    if not same:
        raise StoreError(
            _(
                "The encrypted copy of {path} did not read back the same as the store, so the store "
                "was left as it was, unencrypted. Check the free space on the disk and try again."
            ).format(path=path)
        )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _overwrite_and_close(fd: int) -> None:
    """Overwrite a plain file's bytes with zeros before it goes. On SSDs and copy-on-write file
    systems old blocks may survive anyway: full-disk encryption is what covers those."""
    try:
        size = os.fstat(fd).st_size
        os.lseek(fd, 0, os.SEEK_SET)
        zeros = bytes(1 << 20)
        left = size
        while left > 0:
            left -= os.write(fd, zeros[: min(left, len(zeros))])
        os.fsync(fd)
    except OSError:
        pass  # the file is removed all the same
    finally:
        os.close(fd)


def _remove_plain(path: Path) -> bool:
    if not path.exists():
        return False
    with suppress(OSError):
        _overwrite_and_close(os.open(path, os.O_RDWR))
    path.unlink()
    return True


def plain_backups(path: Path) -> list[Path]:
    """The unencrypted copies FieldKit made beside the store (``<name>.<why>.bak``)."""
    found = []
    for backup in sorted(path.parent.glob(f"{glob.escape(path.name)}.*.bak")):
        if backup.is_file() and backup.stat().st_size and files.is_plain_sqlite(backup):
            found.append(backup)
    return found


def encrypt_store(path: Path, passphrase: str, *, params: cipher.KdfParams | None = None) -> list[Path]:
    """Encrypt the plain store at ``path`` with ``passphrase``; return the plain files removed.

    An encrypted copy is written beside the store and read back; only then does it replace the
    store, and only then are the plain store's bytes, its WAL and shared memory, and the plain
    backups FieldKit made beside it (``*.bak``) overwritten and removed. Refused, with nothing
    changed, while another program has the store open.
    """
    cipher.check_passphrase(passphrase)
    kind = files.check_store_file(path, create=False)
    if kind is files.StoreFileKind.ENCRYPTED:
        raise StoreError(_("{path} is encrypted already. Nothing was changed.").format(path=path))
    if files.is_read_only(path) or files.folder_is_read_only(path):
        raise StoreError(
            _("{path} is write-protected, so it cannot be encrypted in place. Nothing was changed.").format(
                path=path
            )
        )
    header, key = cipher.new_header(passphrase, params)
    staged = path.with_name(path.name + _STAGED_SUFFIX)
    for leftover in (staged, *(staged.with_name(staged.name + end) for end in _SQLITE_FILES)):
        leftover.unlink(missing_ok=True)  # from a conversion that stopped half-way
    removed: list[Path] = []
    plain_fd: int | None = None
    with _held_alone(path, None) as conn:
        try:
            create_private_file(staged)
            _export_copy(conn, staged, key)
            _verify_copy(conn, path, staged, key)
            _fsync(staged)
            cipher.write_header(files.header_path(path), header)
            if os.name == "posix":  # to overwrite the plain bytes once the name points to the copy
                plain_fd = os.open(path, os.O_RDWR)
            for end in _SQLITE_FILES:
                if _remove_plain(path.with_name(path.name + end)):
                    removed.append(path.with_name(path.name + end))
            os.replace(staged, path)
            cipher.sync_folder(path.parent)
        except BaseException:
            if plain_fd is not None:
                os.close(plain_fd)
            if staged.exists():  # the store was not replaced: a header beside a plain file would mislead
                staged.unlink()
                files.header_path(path).unlink(missing_ok=True)
                with suppress(Exception):
                    conn.execute("PRAGMA journal_mode=WAL")  # as it was
            raise
    if plain_fd is not None:
        _overwrite_and_close(plain_fd)
    removed.insert(0, path)
    for backup in plain_backups(path):
        for companion in (backup, *(backup.with_name(backup.name + end) for end in _SQLITE_FILES)):
            if _remove_plain(companion):
                removed.append(companion)
    return removed


def change_passphrase(path: Path, old: str, new: str, *, params: cipher.KdfParams | None = None) -> None:
    """Re-encrypt the store at ``path`` under a key from ``new`` (a fresh salt), if ``old`` opens it.

    The new header waits beside the store (``.kdf.new``) while SQLCipher re-encrypts every page in
    one transaction, and replaces the old header only then; an opening that finds both uses the
    one whose key opens the store. Backups made before keep the passphrase they were made with.
    """
    if not cipher.is_encrypted(path):
        files.check_store_file(path, create=False)
        raise StoreError(
            _("{path} is not encrypted: encrypt it first ('{command}').").format(
                path=path, command="fieldkit store encrypt"
            )
        )
    cipher.check_passphrase(new)
    old_key = cipher.store_key(path, lambda: old, create=False)
    assert old_key is not None  # an encrypted store always has a key
    if files.is_read_only(path) or files.folder_is_read_only(path):
        raise StoreError(
            _("{path} is write-protected, so its passphrase cannot be changed. Nothing was changed.").format(
                path=path
            )
        )
    header, new_key = cipher.new_header(new, params)
    pending = cipher.pending_header_path(path)
    with _held_alone(path, old_key) as conn:
        cipher.write_header(pending, header)
        try:  # one transaction: when it fails, every page still has the old key
            conn.execute(cipher.key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey", 1))
        except BaseException:
            pending.unlink(missing_ok=True)
            raise
    os.replace(pending, files.header_path(path))
    cipher.sync_folder(path.parent)
