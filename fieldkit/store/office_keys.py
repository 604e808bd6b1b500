"""The office's secret keys sealed under a passphrase in a store on a database server.

A store in a file is encrypted whole (``fieldkit.store.cipher``): its ``office_secret`` rows are
inside the SQLCipher file and are kept as they are. A PostgreSQL store cannot be encrypted that
way, so there the secret half of each ``office_secret`` row (the age identity and the minisign
secret key, with the public halves beside them) is sealed instead:

- a 32-byte key is derived from the passphrase with Argon2id, with the same header, costs and key
  check as an encrypted store's ``.kdf`` file (``cipher.KeyHeader``), kept in the ``setting`` table
  under ``office_keys.kdf`` with ``"cipher": "chacha20-poly1305"``; it holds nothing secret;
- each row's keys become ``{"format": "fieldkit-sealed-office-keys", "nonce", "sealed"}``:
  ChaCha20-Poly1305 (``cryptography``) under a key made from the derived one (HMAC-SHA256 of a
  fixed label), a fresh 12-byte nonce each time, the office code as associated data, so that a
  sealed row moved to another office's row does not open.

The passphrase is asked once, when the store is opened (``fieldkit.opening``); the sealing key
then stays with the open ``Store`` (``Store.office_keys_key``), as an encrypted store's key does.
Every refusal here is a ``PassphraseError`` or ``KeyHeaderError`` (one translated sentence), and
a refused change leaves the database as it was.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.i18n import _
from fieldkit.store import cipher
from fieldkit.store.cipher import KeyHeader, KeyHeaderError, PassphraseError
from fieldkit.store.engine import Store
from fieldkit.store.system import OfficeSecret, Setting

#: the ``setting`` row that holds the key-derivation header
HEADER_SETTING = "office_keys.kdf"
AEAD_NAME = "chacha20-poly1305"
SEALED_FORMAT = "fieldkit-sealed-office-keys"
SEALED_VERSION = 1
NONCE_LENGTH = 12
_SEAL_LABEL = b"FieldKit office keys seal v1"
_AAD_PREFIX = b"FieldKit office keys v1\x00"


def _damaged() -> KeyHeaderError:
    return KeyHeaderError(
        _(
            "The key-derivation setting of the office keys ({setting}) in this database is damaged, "
            "so the keys cannot be unsealed. Nothing was changed."
        ).format(setting=HEADER_SETTING)
    )


def _unknown(kdf: object, version: object) -> KeyHeaderError:
    return KeyHeaderError(
        _(
            "The office keys in this database are sealed with a key derivation this FieldKit does not "
            "know ({kdf}, version {version}). Open it with the FieldKit version that sealed them. "
            "Nothing was changed."
        ).format(kdf=kdf, version=version)
    )


def header_json(header: KeyHeader) -> str:
    return json.dumps({**header.to_json(), "cipher": AEAD_NAME}, sort_keys=True)


def read_header(session: Session) -> KeyHeader | None:
    """The header the office keys are sealed under, or None when they are not sealed."""
    raw = session.get(Setting, HEADER_SETTING)
    if raw is None:
        return None
    try:
        data = json.loads(raw.value)
    except ValueError as exc:
        raise _damaged() from exc
    return cipher.decode_header(data, cipher_name=AEAD_NAME, damaged=_damaged, unknown=_unknown)


def uses_sealed_keys(store: Store) -> bool:
    """Whether keys are sealed in this kind of store: a server's, not a file (encrypted whole)."""
    return not store.is_sqlite


def _sealing_key(derived: bytes) -> bytes:
    return hmac.new(derived, _SEAL_LABEL, hashlib.sha256).digest()


def unlock_key(header: KeyHeader, passphrase: str) -> bytes:
    """The sealing key for ``passphrase``; a wrong one is refused in the words an encrypted store uses."""
    derived = cipher.derive_key(passphrase, header)
    if not hmac.compare_digest(cipher.key_check(derived), header.key_check):
        raise cipher.wrong_passphrase()
    return _sealing_key(derived)


def new_key(passphrase: str) -> tuple[KeyHeader, bytes]:
    """A header with a fresh salt and the sealing key it gives for ``passphrase``."""
    header, derived = cipher.new_header(passphrase)
    return header, _sealing_key(derived)


def is_sealed(stored: Any) -> bool:
    return isinstance(stored, dict) and stored.get("format") == SEALED_FORMAT


def _aad(code: str) -> bytes:
    return _AAD_PREFIX + code.encode("utf-8")


def seal(key: bytes, code: str, keys: dict[str, Any]) -> dict[str, Any]:
    """``keys`` (``OfficeKeys.to_json()``) as a sealed row value for the office ``code``."""
    nonce = secrets.token_bytes(NONCE_LENGTH)
    plain = json.dumps(keys, sort_keys=True).encode("utf-8")
    sealed = ChaCha20Poly1305(key).encrypt(nonce, plain, _aad(code))
    return {
        "format": SEALED_FORMAT,
        "version": SEALED_VERSION,
        "cipher": AEAD_NAME,
        "nonce": base64.b64encode(nonce).decode("ascii"),
        "sealed": base64.b64encode(sealed).decode("ascii"),
    }


def unseal(key: bytes | None, code: str, stored: dict[str, Any]) -> dict[str, Any]:
    """The keys of a row as ``OfficeKeys.from_json`` reads them; a plain row is returned as it is."""
    if not is_sealed(stored):
        return stored
    if key is None:
        raise _passphrase_needed()
    if stored.get("version") != SEALED_VERSION or stored.get("cipher") != AEAD_NAME:
        raise _unknown(stored.get("cipher"), stored.get("version"))
    try:
        nonce = base64.b64decode(str(stored["nonce"]), validate=True)
        sealed = base64.b64decode(str(stored["sealed"]), validate=True)
        plain = ChaCha20Poly1305(key).decrypt(nonce, sealed, _aad(code))
        keys = json.loads(plain)
    except (KeyError, ValueError, InvalidTag) as exc:
        raise KeyHeaderError(
            _("The sealed keys of office {code} in this database are damaged. Nothing was changed.").format(
                code=code
            )
        ) from exc
    if not isinstance(keys, dict):
        raise _damaged()
    return keys


def _passphrase_needed() -> PassphraseError:
    return PassphraseError(
        _(
            "The office keys in this database are sealed under a passphrase: give it ({option} FILE, "
            "or the {variable} environment variable)."
        ).format(option="--passphrase-file", variable="FIELDKIT_PASSPHRASE")
    )


def open_sealed(store: Store, session: Session, ask_passphrase: Any) -> None:
    """At opening: when the keys are sealed, ask the passphrase and keep the sealing key in ``store``."""
    if not uses_sealed_keys(store):
        return
    header = read_header(session)
    if header is None:
        return
    if ask_passphrase is None:
        raise _passphrase_needed()
    store.office_keys_key = unlock_key(header, ask_passphrase())


def stored_keys(session: Session, store: Store, code: str, keys: dict[str, Any]) -> dict[str, Any]:
    """What an ``office_secret`` row of ``code`` holds for ``keys``: sealed when the store seals them.

    Asked inside the writing transaction, so that keys written while another program seals them
    are refused rather than written plain.
    """
    if not uses_sealed_keys(store) or read_header(session) is None:
        return keys
    if store.office_keys_key is None:
        raise _passphrase_needed()
    return seal(store.office_keys_key, code, keys)


def read_keys(session: Session, store: Store, code: str) -> dict[str, Any] | None:
    """The plain keys of office ``code``, unsealed with the store's key when sealed."""
    row = session.get(OfficeSecret, code)
    if row is None:
        return None
    return unseal(store.office_keys_key, code, row.keys)


def seal_all(session: Session, store: Store, passphrase: str) -> int:
    """Seal every plain ``office_secret`` row under a new passphrase; how many rows were sealed."""
    if read_header(session) is not None:
        raise PassphraseError(
            _(
                "The office keys in this database are sealed already; change their passphrase with "
                "'{command}'. Nothing was changed."
            ).format(command="fieldkit store passphrase")
        )
    header, key = new_key(passphrase)
    rows = list(session.scalars(select(OfficeSecret).with_for_update()))
    for row in rows:
        row.keys = seal(key, row.code, unseal(None, row.code, row.keys))
    session.merge(Setting(key=HEADER_SETTING, value=header_json(header)))
    session.flush()
    store.office_keys_key = key
    return len(rows)


def reseal_all(session: Session, store: Store, old: str, new: str) -> int:
    """Seal every row again under ``new``; ``old`` must open them. How many rows were sealed."""
    header = read_header(session)
    if header is None:
        raise PassphraseError(
            _("The office keys in this database are not sealed: seal them first ('{command}').").format(
                command="fieldkit store encrypt"
            )
        )
    old_key = unlock_key(header, old)
    cipher.check_passphrase(new)
    new_header, new_key_ = new_key(new)
    rows = list(session.scalars(select(OfficeSecret).with_for_update()))
    plain = [(row, unseal(old_key, row.code, row.keys)) for row in rows]  # all opened before any change
    for row, keys in plain:
        row.keys = seal(new_key_, row.code, keys)
    session.merge(Setting(key=HEADER_SETTING, value=header_json(new_header)))
    session.flush()
    store.office_keys_key = new_key_
    return len(rows)


def sealing_of(url: str) -> KeyHeader | None:
    """How the office keys of the database-server store at ``url`` are sealed (None: they are
    not), read without the passphrase: the header holds no secret."""
    store = Store(url)
    try:
        with store.read() as session:
            return read_header(session)
    finally:
        store.dispose()
