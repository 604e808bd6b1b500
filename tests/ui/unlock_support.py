"""A stand-in key source for the unlock and lock tests: a store marked encrypted asks for its
passphrase and refuses any but ``RIGHT_PASSPHRASE``, as ``cipher.store_key`` does, without the
cost of a key derivation. The store file itself is a real SQLite store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from fieldkit.context import Context
from fieldkit.errors import StoreError
from fieldkit.services.users import add_user
from fieldkit.store import cipher

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


def add_administrator(ctx: Context) -> None:
    """Give the store its first account (``USER``/``RIGHT_PASSWORD``): from now on it asks who signs in."""
    add_user(ctx, USER, display_name="Amina", roles=["administrator"], password=RIGHT_PASSWORD)
