"""Encryption at rest: the key that opens an SQLCipher store, derived from its passphrase."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def store_key(path: Path | None, ask_passphrase: Callable[[], str] | None, *, create: bool) -> bytes | None:
    """The raw key for the store at ``path``, or None for a plain store.

    ``ask_passphrase`` is called only when a key is needed: the store is encrypted, or it is
    being created and a passphrase source was given (a new store is then encrypted).
    """
    return None
