"""Opening a store for work: upgrade its schema, seed its vocabularies, read which office it is.

This sits above the domain layer because seeding needs the vocabularies; ``Context``
itself stays below everything that takes one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import DatabaseError

from fieldkit.context import Context, default_user
from fieldkit.domain.accounts import sign_in
from fieldkit.domain.vocab import seed_vocabularies
from fieldkit.errors import StoreError
from fieldkit.i18n import _
from fieldkit.paths import create_private_file, make_private_dir, narrow_to_owner, user_data_dir
from fieldkit.search import catch_up, index_is_outdated, pending_search_types
from fieldkit.store import cipher, files, migrate, office_keys
from fieldkit.store.changes import utcnow
from fieldkit.store.engine import Store, resolve_url, sqlite_path


@dataclass(frozen=True)
class Credentials:
    """Where the secrets a store may ask for come from; each is asked for only when needed.

    The CLI reads them from a prompt, a file or the environment; the window from its unlock
    screen. ``passphrase`` opens an encrypted store (and encrypts a new one), or on a database
    server unseals the office's secret keys when they are sealed (asked at opening, before the
    password); ``password`` signs ``user`` in to a store that has accounts.
    """

    passphrase: Callable[[], str] | None = None
    password: Callable[[], str] | None = None


def open_context(
    db: str | os.PathLike[str] | None = None,
    *,
    user: str | None = None,
    create: bool = False,
    credentials: Credentials | None = None,
) -> Context:
    """Open the store named by ``db``/``FIELDKIT_DB``, upgrading it if needed.

    Only ``create`` makes a new store (``init``, the first-run assistant): a mistyped path is an
    error, not a new empty office. A file that is not a FieldKit store is refused untouched, and a
    write-protected store opens read-only.
    """
    credentials = credentials or Credentials()
    url = resolve_url(db)
    path = sqlite_path(url)
    read_only = immutable = False
    key = None
    if path is not None:
        kind = files.check_store_file(path, create=create)
        # before a new file is made: a passphrase typed twice differently leaves nothing behind
        key = cipher.store_key(path, credentials.passphrase, create=create)
        if kind is files.StoreFileKind.MISSING:
            make_private_dir(path.parent)
            create_private_file(path)  # SQLite gives its WAL and shared-memory files the same mode
        read_only = files.is_read_only(path)
        immutable = read_only and files.folder_is_read_only(path)
        if not read_only:
            for own_file in (path, *files.companions(path)):
                narrow_to_owner(own_file)
            if path.parent == user_data_dir():  # the folder FieldKit made; a folder the user chose is theirs
                narrow_to_owner(path.parent)
    store = Store(url, read_only=read_only, immutable=immutable, key=key)
    try:
        return _prepare(store, user, credentials)
    except DatabaseError as exc:
        store.dispose()
        if path is None or not files.is_damage(exc):
            raise
        raise files.damaged_store_error(path) from exc
    except BaseException:
        store.dispose()
        raise


def _prepare(store: Store, user: str | None, credentials: Credentials) -> Context:
    backup = None
    if store.read_only:
        if not migrate.schema_is_current(store):
            raise StoreError(
                _(
                    "This read-only store was written by another FieldKit version; "
                    "copy it to a writable folder to open it."
                )
            )
    else:
        backup = migrate.upgrade(store)
        with store.read() as session:
            behind = pending_search_types(session) or index_is_outdated(session)
        if behind:  # types made searchable by an upgrade, or words indexed differently now
            with store.write() as session:
                catch_up(session)
        seed_vocabularies(store)
    with store.read() as session:  # on a database server: the passphrase of sealed office keys
        office_keys.open_sealed(store, session, credentials.passphrase)
    principal = sign_in(store, user or os.environ.get("FIELDKIT_USER"), credentials.password, utcnow())
    name = principal.name if principal is not None else user or default_user()
    ctx = Context(store=store, user=name, backup=backup, acting_as=principal)
    ctx.refresh_office()
    return ctx


@contextmanager
def opened(
    db: str | os.PathLike[str] | None = None,
    *,
    user: str | None = None,
    create: bool = False,
    credentials: Credentials | None = None,
) -> Iterator[Context]:
    """``open_context`` for a ``with`` block: the store is closed however the block ends."""
    ctx = open_context(db, user=user, create=create, credentials=credentials)
    try:
        yield ctx
    finally:
        ctx.close()
