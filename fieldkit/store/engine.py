"""The one place that makes engines and sessions.

SQLite runs in WAL mode with foreign keys on. Writes go through ``Store.write()``,
whose transactions start with ``BEGIN IMMEDIATE`` so two writers queue on the
busy timeout instead of failing half-way; reads use deferred transactions and
never block a writer. PostgreSQL (psycopg 3) uses the same code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from fieldkit.errors import StoreError
from fieldkit.i18n import _
from fieldkit.paths import default_store_path


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` / ``FIELDKIT_DB`` (a file path or SQLAlchemy URL) into a URL."""
    value = os.fspath(db) if db is not None else os.environ.get("FIELDKIT_DB") or None
    if value is None:
        value = str(default_store_path())
    if "://" in value:
        try:
            make_url(value)
        except ArgumentError as exc:
            raise StoreError(_("Not a valid database URL: {url}").format(url=value)) from exc
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and memory stores."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def json_text(value: Any) -> str:
    """JSON as every path stores it (compact, non-ASCII as is), so that a change written here
    and the same change arriving in a packet are the same bytes at every office."""
    return orjson.dumps(value).decode()


#: SQLite's own defaults (2 MiB of pages; a checkpoint once the WAL passes 1,000 pages)
DEFAULT_CACHE_SIZE = -2000
DEFAULT_AUTOCHECKPOINT = 1000


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        json_serializer=json_text,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is bypassed so that BEGIN is ours
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, _record: Any) -> None:
        # undo ``bulk_write_settings``: a big cache would stay allocated for the life of the connection
        if dbapi_conn is None:  # invalidated: nothing to restore
            return
        dbapi_conn.execute(f"PRAGMA cache_size={DEFAULT_CACHE_SIZE}")
        dbapi_conn.execute(f"PRAGMA wal_autocheckpoint={DEFAULT_AUTOCHECKPOINT}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Store:
    """An open store: engines and session factories for one database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.backend = make_url(url).get_backend_name()
        self.path = sqlite_path(url)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if self.backend == "sqlite":
                self.engine = _sqlite_engine(url, immediate=False)
                self.write_engine = _sqlite_engine(url, immediate=True)
            else:
                self.engine = create_engine(url, pool_pre_ping=True, json_serializer=json_text)
                self.write_engine = self.engine
        except Exception as exc:  # driver missing, bad URL parts
            raise StoreError(_("Cannot open the store {url}: {reason}").format(url=url, reason=exc)) from exc
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        #: called before every session; a ``Context`` installs its permission door here
        self.session_guard: Callable[[], None] | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; nothing it does is committed.

        Closing (not rolling back) ends it, so objects loaded in it keep their values.
        """
        if self.session_guard is not None:
            self.session_guard()
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        if self.session_guard is not None:
            self.session_guard()
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)})"


#: page cache for bulk writes: a large store's indexes no longer fit SQLite's default 2 MiB,
#: and every miss is a read back from the WAL
BULK_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_write_settings(session: Session) -> Iterator[None]:
    """Settings for one session that writes many rows (demo data, large imports), on SQLite.

    A bigger page cache, and no checkpoint at commit: copying every new page from the WAL
    into the database is left to SQLite's next commit or to closing the store, instead of
    doubling the wait for the import itself. Both return to normal when the connection goes
    back to the pool (see ``_sqlite_engine``), that is after the commit.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint=0")
    yield
