"""A stand-in key source for the unlock and lock tests: a store marked encrypted asks for its
passphrase and refuses any but ``RIGHT_PASSPHRASE``, as ``cipher.store_key`` does, without the
cost of a key derivation. The store file itself is a real SQLite store."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from fieldkit import opening
from fieldkit.access import Principal, local_principal
from fieldkit.errors import FieldKitError, StoreError
from fieldkit.store import cipher
from fieldkit.store.engine import Store

RIGHT_PASSPHRASE = "correct horse battery"
WRONG_MESSAGE = "The passphrase does not open this store."


def mark_encrypted(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """From now on the store at ``path`` asks for ``RIGHT_PASSPHRASE``."""
    encrypted = path.resolve()

    def store_key(at: Path | None, ask: Callable[[], str] | None, *, create: bool) -> bytes | None:
        if at is None or at.resolve() != encrypted:
            return None
        if ask is None:
            raise StoreError("This store is encrypted.")
        given = ask()
        if given != RIGHT_PASSPHRASE:
            raise StoreError(WRONG_MESSAGE)
        return hashlib.sha256(given.encode()).digest()

    monkeypatch.setattr(cipher, "store_key", store_key)


RIGHT_PASSWORD = "open sesame 42"
USER = "amina"
WRONG_PASSWORD_MESSAGE = "Wrong user name or password."


def give_accounts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on opening signs ``USER`` in with ``RIGHT_PASSWORD``, as ``accounts.sign_in`` does;
    returns the names tried, in order."""
    tried: list[str] = []

    def sign_in(
        store: Store, username: str | None, ask: Callable[[], str] | None, now: dt.datetime
    ) -> Principal:
        if ask is None:
            raise FieldKitError("This store needs a user name and password.")
        given = ask()
        tried.append(username or "")
        if username != USER or given != RIGHT_PASSWORD:
            raise FieldKitError(WRONG_PASSWORD_MESSAGE)
        return local_principal(USER)

    monkeypatch.setattr(opening, "sign_in", sign_in)
    return tried
