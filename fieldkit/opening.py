"""Opening a store for work: upgrade its schema, seed its vocabularies, read which office it is.

This sits above the domain layer because seeding needs the vocabularies; ``Context``
itself stays below everything that takes one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from fieldkit.context import Context, default_user
from fieldkit.domain.vocab import seed_vocabularies
from fieldkit.search import catch_up, pending_search_types
from fieldkit.store import migrate
from fieldkit.store.engine import Store, resolve_url


def open_context(db: str | os.PathLike[str] | None = None, *, user: str | None = None) -> Context:
    """Open (creating or upgrading as needed) the store named by ``db``/``FIELDKIT_DB``."""
    store = Store(resolve_url(db))
    backup = migrate.upgrade(store)
    with store.read() as session:
        behind = pending_search_types(session)
    if behind:  # an upgrade made more types searchable: index what the store already holds
        with store.write() as session:
            catch_up(session)
    seed_vocabularies(store)
    ctx = Context(store=store, user=user or default_user(), backup=backup)
    ctx.refresh_office()
    return ctx


@contextmanager
def opened(db: str | os.PathLike[str] | None = None, *, user: str | None = None) -> Iterator[Context]:
    """``open_context`` for a ``with`` block: the store is closed however the block ends."""
    ctx = open_context(db, user=user)
    try:
        yield ctx
    finally:
        ctx.close()
