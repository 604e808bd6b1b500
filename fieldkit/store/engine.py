"""The one place that makes engines and sessions.

SQLite runs in WAL mode with foreign keys on. Writes go through ``Store.write()``,
whose transactions start with ``BEGIN IMMEDIATE`` so that a writer waits for the
lock before it does anything, and keeps waiting while another FieldKit program
holds it (``busy``); reads use deferred transactions and never block a writer.
PostgreSQL (psycopg 3) uses the same code.

An encrypted store (``Store(key=...)``) is opened through SQLCipher's sqlite3 module
(``sqlcipher3``), each connection keyed before anything reads the file, with temporary tables
and sort files kept in memory so that no decrypted page is written outside the store.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from fieldkit.errors import StoreError, reason_for
from fieldkit.i18n import _
from fieldkit.paths import default_store_path, make_private_dir
from fieldkit.store import busy, cipher


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
#: an encrypted store's pages are decrypted (and their HMAC checked) each time they enter SQLite's
#: cache, not the system's: a larger cache keeps the pages a session reads again decrypted
ENCRYPTED_CACHE_SIZE = -64 * 1024


#: the key, in a connection's ``info``, of the note it left while it holds the write lock
_NOTE_TOKEN = "fieldkit_writer_note"


def _read_only_url(path: Path, *, immutable: bool) -> str:
    # immutable: on read-only media SQLite cannot even create its shared-memory file
    flag = "immutable=1" if immutable else "mode=ro"
    # quoted twice: SQLAlchemy unquotes the database part once, SQLite's URI needs its own escapes
    # for a space, '#', '%' or a non-ASCII folder name
    return f"sqlite:///{quote(path.as_uri(), safe=':/')}?{flag}&uri=true"


def _sqlite_engine(url: str, immediate: bool, *, read_only: bool = False, key: bytes | None = None) -> Engine:
    # a writer waits for the lock in slices, looking at who holds it in between
    busy_timeout_ms = busy.WAIT_SLICE_MS if immediate else 30000
    options: dict[str, Any] = {}
    if key is not None:
        from sqlcipher3 import dbapi2 as sqlcipher

        options["module"] = sqlcipher
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        hide_parameters=True,  # record values must never reach an error message or a log
        json_serializer=json_text,
        **options,
    )
    path = sqlite_path(url)
    cache_size = DEFAULT_CACHE_SIZE if key is None else ENCRYPTED_CACHE_SIZE

    if key is not None:

        @event.listens_for(engine, "do_connect")
        def _keyed_connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
            # the key comes first: before it, every page (the schema included) is unreadable
            dbapi_conn = dialect.loaded_dbapi.connect(*cargs, **cparams)
            try:
                cipher.apply_key(dbapi_conn, key)
            except BaseException:
                dbapi_conn.close()
                raise
            return dbapi_conn

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is bypassed so that BEGIN is ours
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        if key is not None:  # temporary tables and sorts of an encrypted store never reach the disk
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute(f"PRAGMA cache_size={cache_size}")
        cur.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, _record: Any) -> None:
        # undo ``bulk_write_settings``: a big cache would stay allocated for the life of the connection
        if dbapi_conn is None:  # invalidated: nothing to restore
            return
        dbapi_conn.execute(f"PRAGMA cache_size={cache_size}")
        dbapi_conn.execute(f"PRAGMA wal_autocheckpoint={DEFAULT_AUTOCHECKPOINT}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not immediate:
            conn.exec_driver_sql("BEGIN")
        elif path is None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # a memory store has no other program
        else:
            conn.info[_NOTE_TOKEN] = busy.wait_for_write_lock(
                lambda: conn.exec_driver_sql("BEGIN IMMEDIATE"), path
            )

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(conn: Any, *_statement: Any) -> None:
        token = conn.info.get(_NOTE_TOKEN)
        if token is not None and path is not None:
            busy.beat(path, token)

    def _drop_note(conn: Any) -> None:
        token = conn.info.pop(_NOTE_TOKEN, None)
        if token is not None and path is not None:
            busy.remove_note(path, token)

    event.listen(engine, "commit", _drop_note)
    event.listen(engine, "rollback", _drop_note)

    return engine


class Store:
    """An open store: engines and session factories for one database."""

    def __init__(
        self, url: str, *, read_only: bool = False, immutable: bool = False, key: bytes | None = None
    ) -> None:
        """``read_only`` opens a SQLite file without ever writing to it (``immutable``: not even
        SQLite's shared-memory file beside it, for read-only media). ``key`` opens an SQLCipher
        store (``store.cipher``)."""
        self.url = url
        self.key = key
        if key is not None and make_url(url).get_backend_name() != "sqlite":
            raise StoreError(_("Only a store kept in a file can be encrypted with a passphrase."))
        self.backend = make_url(url).get_backend_name()
        self.path = sqlite_path(url)
        self.read_only = read_only and self.path is not None
        if self.path is not None and not self.read_only:
            make_private_dir(self.path.parent)
        try:
            if self.backend == "sqlite":
                engine_url = url
                if self.read_only and self.path is not None:
                    engine_url = _read_only_url(self.path, immutable=immutable)
                self.engine = _sqlite_engine(engine_url, immediate=False, read_only=self.read_only, key=key)
                self.write_engine = _sqlite_engine(
                    engine_url, immediate=True, read_only=self.read_only, key=key
                )
            else:
                self.engine = create_engine(
                    url, pool_pre_ping=True, hide_parameters=True, json_serializer=json_text
                )
                self.write_engine = self.engine
        except Exception as exc:  # driver missing, bad URL parts
            raise StoreError(
                _("Cannot open the store {url}: {reason}").format(url=url, reason=reason_for(exc))
            ) from exc
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        #: called before every session; a ``Context`` installs its permission door here
        self.session_guard: Callable[[], None] | None = None
        #: on a database server, the key that opens the office's sealed secret keys once the
        #: passphrase was given at opening (``store.office_keys``); None when they are not sealed
        self.office_keys_key: bytes | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @property
    def is_encrypted(self) -> bool:
        """Whether the store is an SQLCipher file opened with its key."""
        return self.key is not None

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
        if self.read_only:
            raise StoreError(
                _(
                    "This store is read-only (write-protected, or on read-only media): it can be read "
                    "and exported, not changed. To change it, copy it to a writable folder."
                )
            )
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.office_keys_key = None
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)})"


#: page cache for bulk writes: a large store's indexes no longer fit SQLite's default 2 MiB,
#: and every miss is a read back from the WAL
BULK_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_write_settings(session: Session, cache_kib: int = BULK_CACHE_KIB) -> Iterator[None]:
    """Settings for one session that writes many rows (demo data, large imports), on SQLite.

    A bigger page cache (``cache_kib``), and no checkpoint at commit: copying every new page from the WAL
    into the database is left to SQLite's next commit or to closing the store, instead of
    doubling the wait for the import itself. Both return to normal when the connection goes
    back to the pool (see ``_sqlite_engine``), that is after the commit.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(f"PRAGMA cache_size=-{cache_kib}")
        session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint=0")
    yield
