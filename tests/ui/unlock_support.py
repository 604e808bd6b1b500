"""Support for the unlock and lock tests: a real store encrypted with SQLCipher under
``RIGHT_PASSPHRASE``, its key derived with argon2id parameters cheap enough for a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.context import Context
from fieldkit.services.users import add_user
from fieldkit.store import cipher
from fieldkit.store.encryption import encrypt_store

RIGHT_PASSPHRASE = "correct horse battery"
WRONG_MESSAGE = "The passphrase does not open this store."
CHEAP_KDF = cipher.KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)


def mark_encrypted(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Encrypt the (closed) store at ``path`` in place: from now on it asks for ``RIGHT_PASSPHRASE``."""
    monkeypatch.setattr(cipher, "kdf_params", CHEAP_KDF)
    encrypt_store(path, RIGHT_PASSPHRASE, params=CHEAP_KDF)
    assert cipher.is_encrypted(path)


RIGHT_PASSWORD = "open sesame 42"
USER = "amina"


def add_administrator(ctx: Context) -> None:
    """Give the store its first account (``USER``/``RIGHT_PASSWORD``): from now on it asks who signs in."""
    add_user(ctx, USER, display_name="Amina", roles=["administrator"], password=RIGHT_PASSWORD)
