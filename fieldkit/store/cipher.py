"""Encryption at rest: the key that opens an SQLCipher store, derived from its passphrase.

An encrypted store is an SQLCipher 4 database (AES-256 pages, HMAC-SHA512 per page) opened with
a raw 32-byte key. The key is derived from the passphrase with Argon2id; what the derivation
needs (salt and costs) is kept in a small JSON file beside the store, ``<store>.kdf``, with a
check value of the key, so that a wrong passphrase is told apart from a damaged store before
SQLite reads a page. The header holds nothing secret: without the passphrase it only tells an
attacker how expensive each guess is.

Every function here refuses with a ``StoreError`` (one translated sentence) and leaves the store's
files as they were.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import ARGON2_VERSION, Type, hash_secret_raw

from fieldkit.errors import StoreError
from fieldkit.i18n import _
from fieldkit.paths import PRIVATE_FILE_MODE, make_private_dir
from fieldkit.store.files import header_path, is_plain_sqlite

HEADER_FORMAT = "fieldkit-store-kdf"
HEADER_VERSION = 1
KDF_NAME = "argon2id"
KEY_LENGTH = 32
SALT_LENGTH = 16
#: SQLCipher's settings are pinned to those of version 4, so that a later SQLCipher with other
#: defaults still opens the store
CIPHER_COMPATIBILITY = 4
_KEY_CHECK_LABEL = b"FieldKit store key check v1"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id costs: passes over memory, memory in KiB, lanes."""

    time_cost: int
    memory_cost_kib: int
    parallelism: int


#: 256 MiB, 3 passes, 2 lanes: about 0.35 s on the 2-core reference machine (bench/encrypted_store.py),
#: under 2 s on a laptop several times slower, and well above RFC 9106's second recommendation
#: (64 MiB, 3 passes) so that each guess at a seized laptop's passphrase costs the same
DEFAULT_KDF = KdfParams(time_cost=3, memory_cost_kib=256 * 1024, parallelism=2)

#: the costs a new header gets; tests set cheap ones so that the suite stays fast
kdf_params: KdfParams = DEFAULT_KDF

#: what a header may ask for at most: a tampered header must not make opening take all memory
_MAX_MEMORY_KIB = 4 * 1024 * 1024
_MAX_TIME_COST = 64
_MAX_PARALLELISM = 64


class PassphraseError(StoreError):
    """The passphrase is missing, empty or wrong: nothing was opened or changed."""


class KeyHeaderError(StoreError):
    """The store's key-derivation header is missing, damaged or of an unknown kind."""


@dataclass(frozen=True)
class KeyHeader:
    """What ``<store>.kdf`` holds: how to turn the passphrase into the store's key, and a check of it."""

    salt: bytes
    params: KdfParams
    key_check: str
    key_length: int = KEY_LENGTH
    cipher_compatibility: int = CIPHER_COMPATIBILITY

    def to_json(self) -> dict[str, Any]:
        return {
            "format": HEADER_FORMAT,
            "version": HEADER_VERSION,
            "kdf": KDF_NAME,
            "argon2_version": ARGON2_VERSION,
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "time_cost": self.params.time_cost,
            "memory_cost_kib": self.params.memory_cost_kib,
            "parallelism": self.params.parallelism,
            "key_length": self.key_length,
            "key_check": self.key_check,
            "cipher": "sqlcipher",
            "cipher_compatibility": self.cipher_compatibility,
        }


def _unknown_kdf(path: Path, kdf: object, version: object) -> KeyHeaderError:
    return KeyHeaderError(
        _(
            "{path} is encrypted with a key derivation this FieldKit does not know ({kdf}, version "
            "{version}). Open it with the FieldKit version that encrypted it. Nothing was changed."
        ).format(path=path, kdf=kdf, version=version)
    )


def _damaged_header(path: Path) -> KeyHeaderError:
    return KeyHeaderError(
        _(
            "The key-derivation file {name} beside the store is damaged, so the store cannot be "
            "unlocked. Put back the copy of it kept with your backup. Nothing was changed."
        ).format(name=header_path(path).name)
    )


def parse_header(path: Path, raw: bytes) -> KeyHeader:
    """The header of the store at ``path`` from the bytes of its ``.kdf`` file."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeError) as exc:
        raise _damaged_header(path) from exc
    return decode_header(
        data,
        cipher_name="sqlcipher",
        damaged=lambda: _damaged_header(path),
        unknown=lambda kdf, version: _unknown_kdf(path, kdf, version),
    )


def decode_header(
    data: object,
    *,
    cipher_name: str,
    damaged: Callable[[], KeyHeaderError],
    unknown: Callable[[object, object], KeyHeaderError],
) -> KeyHeader:
    """A header from its JSON form, for the cipher named ``cipher_name``; checked for sane costs.

    ``damaged`` and ``unknown`` make the errors, which name where the header was kept.
    """
    if not isinstance(data, dict) or data.get("format") != HEADER_FORMAT:
        raise damaged()
    if data.get("version") != HEADER_VERSION or data.get("kdf") != KDF_NAME:
        raise unknown(data.get("kdf"), data.get("version"))
    if data.get("argon2_version") != ARGON2_VERSION or data.get("cipher") != cipher_name:
        raise unknown(f"{data.get('kdf')}/{data.get('cipher')}", data.get("argon2_version"))
    try:
        salt = base64.b64decode(str(data["salt"]), validate=True)
        params = KdfParams(int(data["time_cost"]), int(data["memory_cost_kib"]), int(data["parallelism"]))
        header = KeyHeader(
            salt=salt,
            params=params,
            key_check=str(data["key_check"]),
            key_length=int(data["key_length"]),
            cipher_compatibility=int(data["cipher_compatibility"]),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise damaged() from exc
    if header.key_length != KEY_LENGTH or header.cipher_compatibility != CIPHER_COMPATIBILITY:
        raise unknown(KDF_NAME, f"{header.key_length}/{header.cipher_compatibility}")
    if not (
        8 <= len(salt) <= 64
        and 1 <= params.time_cost <= _MAX_TIME_COST
        and 1 <= params.parallelism <= _MAX_PARALLELISM
        and 8 * params.parallelism <= params.memory_cost_kib <= _MAX_MEMORY_KIB
    ):
        raise damaged()
    return header


def read_header(path: Path) -> KeyHeader | None:
    """The key-derivation header beside the store at ``path``, or None when there is none."""
    try:
        raw = header_path(path).read_bytes()
    except FileNotFoundError:
        return None
    return parse_header(path, raw)


def write_header(target: Path, header: KeyHeader) -> None:
    """Write ``header`` to the file ``target`` whole or not at all, readable by its owner only."""
    staged = target.with_name(target.name + ".tmp")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.write(fd, json.dumps(header.to_json(), indent=2).encode("utf-8") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(staged, target)
    sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    # a rename survives a power cut only once its folder is on disk
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _normalised(passphrase: str) -> bytes:
    # the same passphrase typed on another keyboard or system may come composed differently
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def check_passphrase(passphrase: str) -> None:
    if not passphrase:
        raise PassphraseError(_("The passphrase is empty. Nothing was opened or changed."))


def derive_key(passphrase: str, header: KeyHeader) -> bytes:
    """The store key for ``passphrase`` under ``header``'s salt and costs (Argon2id)."""
    check_passphrase(passphrase)
    p = header.params
    return hash_secret_raw(
        _normalised(passphrase),
        header.salt,
        time_cost=p.time_cost,
        memory_cost=p.memory_cost_kib,
        parallelism=p.parallelism,
        hash_len=header.key_length,
        type=Type.ID,
    )


def key_check(key: bytes) -> str:
    """A value that tells whether a key is the store's, from which the key cannot be found."""
    return hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:32]


def new_header(passphrase: str, params: KdfParams | None = None) -> tuple[KeyHeader, bytes]:
    """A header with a fresh salt, and the key it gives for ``passphrase``."""
    check_passphrase(passphrase)
    salt = secrets.token_bytes(SALT_LENGTH)
    draft = KeyHeader(salt=salt, params=params or kdf_params, key_check="")
    key = derive_key(passphrase, draft)
    return KeyHeader(salt=salt, params=draft.params, key_check=key_check(key)), key


def wrong_passphrase() -> PassphraseError:
    return PassphraseError(_("The passphrase does not open this store."))


def unlock(path: Path, passphrase: str, header: KeyHeader | None = None) -> bytes:
    """The key of the encrypted store at ``path`` for ``passphrase``; a wrong one is refused."""
    header = header or require_header(path)
    key = derive_key(passphrase, header)
    if not hmac.compare_digest(key_check(key), header.key_check):
        raise wrong_passphrase()
    return key


def require_header(path: Path) -> KeyHeader:
    header = read_header(path)
    if header is None:
        raise KeyHeaderError(
            _(
                "{path} is encrypted, but its key-derivation file {name} is missing, so no passphrase "
                "can open it. Put back the {name} kept with your backup. Nothing was changed."
            ).format(path=path, name=header_path(path).name)
        )
    return header


def is_encrypted(path: Path) -> bool:
    """Whether the file at ``path`` holds an encrypted store (not a plain SQLite file, not empty)."""
    try:
        if path.stat().st_size == 0:
            return False
    except FileNotFoundError:
        return False
    return not is_plain_sqlite(path)


def store_key(path: Path | None, ask_passphrase: Callable[[], str] | None, *, create: bool) -> bytes | None:
    """The raw key for the store at ``path``, or None for a plain store.

    ``ask_passphrase`` is called only when a key is needed: the store is encrypted, or it is
    being created and a passphrase source was given (a new store is then encrypted).
    """
    if path is None:  # PostgreSQL or a memory store: protected by the server, not here
        return None
    if is_encrypted(path):
        header = require_header(path)  # before asking: a passphrase cannot help without it
        if ask_passphrase is None:
            raise PassphraseError(
                _(
                    "{path} is encrypted: give its passphrase ({option} FILE, or the {variable} "
                    "environment variable)."
                ).format(path=path, option="--passphrase-file", variable="FIELDKIT_PASSPHRASE")
            )
        return _unlock_finishing_change(path, header, ask_passphrase())
    is_new = not path.exists() or path.stat().st_size == 0
    if not (create and is_new and ask_passphrase is not None):
        return None
    header, key = new_header(ask_passphrase())
    make_private_dir(path.parent)
    write_header(header_path(path), header)
    return key


def pending_header_path(path: Path) -> Path:
    """Where a change of passphrase keeps the new header until the store has the new key."""
    target = header_path(path)
    return target.with_name(target.name + ".new")


def _unlock_finishing_change(path: Path, header: KeyHeader, passphrase: str) -> bytes:
    pending_file = pending_header_path(path)
    try:
        pending = parse_header(path, pending_file.read_bytes())
    except (FileNotFoundError, KeyHeaderError):
        pending = None  # written whole or not at all: a damaged one was never in force
    if pending is None:
        return unlock(path, passphrase, header)
    # a change of passphrase stopped half-way: the store holds the key of one of the two headers
    for candidate, promote in ((header, False), (pending, True)):
        key = derive_key(passphrase, candidate)
        if not hmac.compare_digest(key_check(key), candidate.key_check) or not key_opens(path, key):
            continue
        with suppress(OSError):  # read-only media: a later writable opening finishes it
            if promote:
                os.replace(pending_file, header_path(path))
                sync_folder(path.parent)
            else:
                pending_file.unlink()
        return key
    raise wrong_passphrase()


def key_opens(path: Path, key: bytes) -> bool:
    from sqlcipher3 import dbapi2

    try:
        conn = connect(f"{path.as_uri()}?mode=ro", key, uri=True)
    except dbapi2.Error:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except dbapi2.DatabaseError:
        return False
    finally:
        conn.close()


def key_pragma(key: bytes) -> str:
    """``PRAGMA key`` with a raw key: SQLCipher then skips its own (PBKDF2) derivation."""
    if len(key) != KEY_LENGTH:
        raise ValueError("an SQLCipher raw key is 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def apply_key(conn: Any, key: bytes) -> None:
    """Key a fresh sqlcipher3 connection; this must come before anything reads the file."""
    conn.execute("PRAGMA cipher_log_level = NONE")  # its log goes to stderr, past our one-line errors
    conn.execute(key_pragma(key))
    conn.execute(f"PRAGMA cipher_compatibility = {CIPHER_COMPATIBILITY}")


def connect(database: str | Path, key: bytes | None, **kwargs: Any) -> Any:
    """An sqlcipher3 connection to ``database``, keyed when ``key`` is given (plain otherwise)."""
    from sqlcipher3 import dbapi2

    conn = dbapi2.connect(str(database), **kwargs)
    try:
        if key is not None:
            apply_key(conn, key)
        else:
            conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA temp_store = MEMORY")  # an export's sorts hold plain rows
    except BaseException:
        conn.close()
        raise
    return conn


def cipher_version() -> str:
    """The SQLCipher library's version, such as "4.12.0 community"."""
    conn = connect(":memory:", None)
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    return str(row[0]) if row else ""
