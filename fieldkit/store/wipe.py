"""Emergency wipe: destroy a SQLite store, everything FieldKit keeps beside it, and its own files.

The order matters. The key material goes first (the key-derivation header beside the store,
then the first pages of the store and of each copy, where SQLCipher keeps its salt): once they
are gone an encrypted store cannot be decrypted even by someone who knows the passphrase, so
being interrupted after that step already protects the records. Then every file is overwritten
once with random bytes, flushed to the disk, cut to nothing and unlinked.

What this can and cannot promise is in ``docs/security.md`` ("Emergency wipe"): on flash
storage and copy-on-write filesystems the old blocks may survive an overwrite, so it is the
encryption together with the destroyed header that protects the data, and copies elsewhere
(packets on a stick, exported files, partner offices) are out of reach.

This works on files alone, without opening the store: it must work when the passphrase is
forgotten, and anyone who can reach the file could delete it anyway. It is therefore no
service behind the permission door; the window asks for the confirmation before calling it.
"""

from __future__ import annotations

import errno
import glob
import os
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from fieldkit.errors import FieldKitError
from fieldkit.i18n import _
from fieldkit.paths import user_data_dir
from fieldkit.store.files import StoreFileKind, examine

#: typed to confirm a wipe when the store's office cannot be read (encrypted, damaged, no office)
FIXED_CONFIRMATION = "WIPE"
#: the key-derivation header the encrypted store keeps beside itself
KDF_SUFFIX = ".kdf"
#: SQLite's largest page: the store's first pages (header, SQLCipher's salt, schema) lie within it
FIRST_PAGES = 65536
_CHUNK = 1 << 20
#: FieldKit's own files in its data folder that are not stores: interface settings, logs, caches
_OWN_DATA_FILES = ("ui-settings.ini", "*.log", "crash-*.txt")
_OWN_DATA_FOLDERS = ("logs", "cache", "crash-reports")

#: told the name of each file as it is destroyed (or fails), for progress
Listener = Callable[[Path], None]


class WipeRefused(FieldKitError):
    """The confirmation was missing or wrong: nothing was touched."""


@dataclass
class WipeFailure:
    path: Path
    reason: str


@dataclass
class WipeReport:
    """What a wipe destroyed, what it could not, and what it knowingly left."""

    store: Path
    key_material: list[Path] = field(default_factory=list)
    destroyed: list[Path] = field(default_factory=list)
    failed: list[WipeFailure] = field(default_factory=list)
    #: other stores in FieldKit's data folder: not the one asked for, so kept
    left: list[Path] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failed

    def as_json(self) -> dict[str, object]:
        return {
            "store": str(self.store),
            "complete": self.complete,
            "key_material_destroyed": [str(p) for p in self.key_material],
            "destroyed": [str(p) for p in self.destroyed],
            "failed": [{"path": str(f.path), "reason": f.reason} for f in self.failed],
            "left": [str(p) for p in self.left],
        }


def kdf_header_path(store: Path) -> Path:
    return store.with_name(store.name + KDF_SUFFIX)


def store_files(store: Path) -> list[Path]:
    """The store and every file named after it beside it: WAL and shared memory, backups
    (``<name>.<why>.bak``), the key-derivation header, the writer's note, the refusal log."""
    found = [store] if store.is_file() else []
    found += sorted(p for p in store.parent.glob(f"{glob.escape(store.name)}?*") if p.is_file())
    return found


def own_data_files(data_dir: Path, store: Path) -> tuple[list[Path], list[Path]]:
    """FieldKit's own files in its data folder (settings, logs, caches), and the other stores
    there, which are left alone."""
    if not data_dir.is_dir():
        return [], []
    own: set[Path] = set()
    for pattern in _OWN_DATA_FILES:
        own.update(p for p in data_dir.glob(pattern) if p.is_file())
    for name in _OWN_DATA_FOLDERS:
        folder = data_dir / name
        if folder.is_dir():
            own.update(p for p in folder.rglob("*") if p.is_file())
    target = set(store_files(store))
    others = sorted(
        p for p in data_dir.glob("*.db") if p.is_file() and p.resolve() != store.resolve() and p not in target
    )
    return sorted(own - target), others


def expected_confirmation(store: Path) -> str:
    """What must be typed to wipe ``store``: its office code when a plain store shows it, else
    ``FIXED_CONFIRMATION`` (an encrypted or damaged store, no office yet, no store left)."""
    return read_office_code(store) or FIXED_CONFIRMATION


def read_office_code(store: Path) -> str | None:
    """The local office's code, read straight from a plain SQLite store without changing it.

    ``immutable`` keeps SQLite from touching the WAL and shared-memory files beside it; an office
    created so recently that it is still only in the WAL is missed, and the fixed word is asked."""
    if examine(store) not in (StoreFileKind.FIELDKIT, StoreFileKind.FIELDKIT_UNMARKED):
        return None
    try:
        conn = sqlite3.connect(f"{store.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT code FROM office WHERE is_local = 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return str(row[0]) if row else None


def check_confirmation(typed: str | None, expected: str) -> None:
    """Refuse unless ``typed`` is the expected word (spaces around it and letter case aside)."""
    if typed is not None and typed.strip().casefold() == expected.casefold():
        return
    if expected == FIXED_CONFIRMATION:
        message = _("Nothing was wiped: to confirm, type the word {word} ({option} on the command line).")
        raise WipeRefused(message.format(word=FIXED_CONFIRMATION, option="--confirm"))
    message = _(
        "Nothing was wiped: to confirm, type this office's code, {code} ({option} on the command line)."
    )
    raise WipeRefused(message.format(code=expected, option="--confirm"))


def wipe(
    store: Path,
    *,
    confirmation: str | None,
    expected: str | None = None,
    data_dir: Path | None = None,
    listener: Listener | None = None,
) -> WipeReport:
    """Destroy ``store`` and what belongs to it, after checking ``confirmation``.

    ``expected`` is what the caller asked the user to type (the window knows the office code of
    the store it has open); by default it is read from the store (``expected_confirmation``).
    ``data_dir`` is FieldKit's data folder (default: the user's), whose own files go too.
    """
    check_confirmation(confirmation, expected or expected_confirmation(store))
    store = store.absolute()
    targets = store_files(store)
    data_dir = data_dir if data_dir is not None else user_data_dir()
    data_files, others = own_data_files(data_dir, store)
    report = WipeReport(store=store, left=others)

    key_headers = [p for p in targets if p.name.endswith(KDF_SUFFIX)]
    # 1. the key-derivation header, whole: without it no passphrase rebuilds the key
    for path in key_headers:
        if _destroy(path, report, listener):
            report.key_material.append(path)
    rest = [p for p in targets if p not in key_headers]
    # 2. the first pages of the store and of every copy, where SQLCipher keeps its salt
    for path in rest:
        try:
            _overwrite(path, limit=FIRST_PAGES)
        except OSError:
            continue  # the whole overwrite below fails the same way and reports it
        report.key_material.append(path)
    # 3. every file whole, then the interface's own files
    for path in rest + data_files:
        _destroy(path, report, listener)
    for folder in _OWN_DATA_FOLDERS:  # emptied above; a folder still holding something stays
        with suppress(OSError):
            (data_dir / folder).rmdir()
    return report


def _destroy(path: Path, report: WipeReport, listener: Listener | None) -> bool:
    if listener is not None:
        listener(path)
    try:
        _overwrite(path)
        with open(path, "r+b") as fh:
            fh.truncate(0)
            os.fsync(fh.fileno())
        path.unlink()
    except FileNotFoundError:
        return False  # gone already (SQLite removes its WAL when the last connection closes)
    except OSError as exc:
        report.failed.append(WipeFailure(path, _reason(exc)))
        return False
    _sync_folder(path.parent)
    report.destroyed.append(path)
    return True


def _overwrite(path: Path, *, limit: int | None = None) -> None:
    """Write random bytes over ``path`` (its first ``limit`` bytes) in place and flush them to the disk."""
    with open(path, "r+b") as fh:
        size = os.fstat(fh.fileno()).st_size
        todo = size if limit is None else min(size, limit)
        while todo > 0:
            step = min(todo, _CHUNK)
            fh.write(os.urandom(step))
            todo -= step
        fh.flush()
        os.fsync(fh.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the unlink itself durable, where the system allows a folder to be flushed."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _("not allowed to change it")
    if exc.errno == errno.EROFS:
        return _("the disk is read-only")
    if exc.errno == errno.EBUSY:
        return _("another program is using it")
    return exc.strerror or _("it could not be changed")
