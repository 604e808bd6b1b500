"""Inserting many rows whose values are already JSON-safe (from a packet), quickly.

On SQLite the values go straight to ``executemany`` in the form SQLAlchemy itself
stores them (ISO dates, "YYYY-MM-DD HH:MM:SS.ffffff" timestamps, JSON text),
skipping a decode into Python objects and SQLAlchemy's per-row processing: the
fast path of a large import. Other databases take the portable Core insert.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from fieldkit.store.base import Base
from fieldkit.store.codec import FieldSpec, decode, field_map
from fieldkit.store.engine import json_text
from fieldkit.store.system import AttachmentBlob


def _json_text(value: Any) -> Any:
    if value is None:
        return None
    return "[]" if value == [] else json_text(value)  # most change-log lists are empty


def _decoded(spec: FieldSpec, value: Any) -> Any:
    if spec.kind == "json":
        return value
    if spec.kind == "datetime":
        return None if value is None else dt.datetime.fromisoformat(value)
    return decode(spec, value)


class JsonRows:
    """Rows for one table, each a tuple of JSON-safe values in ``columns`` order, written in bulk.

    Timestamps are given as ``time()`` returns them, once per change rather than per column.
    """

    def __init__(self, session: Session, model: type[Base], columns: Sequence[str]) -> None:
        specs = field_map(model)
        self.model = model
        self.columns = tuple(columns)
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        if self.sqlite:
            # convert only the columns that need it; the rest go through untouched
            self._json = tuple(i for i, name in enumerate(self.columns) if specs[name].kind == "json")
        self._specs = tuple(specs[name] for name in self.columns)
        self.rows: list[tuple[Any, ...]] = []

    def time(self, text: str) -> str:
        """A timestamp as this database stores it (SQLAlchemy writes a space on SQLite)."""
        return text.replace("T", " ", 1) if self.sqlite else text

    def add(self, values: tuple[Any, ...]) -> None:
        if self.sqlite and self._json:
            converted = list(values)
            for i in self._json:
                converted[i] = _json_text(converted[i])
            values = tuple(converted)
        self.rows.append(values)

    def __len__(self) -> int:
        return len(self.rows)

    def flush(self, session: Session) -> None:
        """Insert the rows added so far."""
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        if self.sqlite:
            table = self.model.__table__.name  # type: ignore[attr-defined]
            marks = ", ".join("?" * len(self.columns))
            sql = f"INSERT INTO {table} ({', '.join(self.columns)}) VALUES ({marks})"
            session.connection().exec_driver_sql(sql, rows)
            return
        decoded = [{s.name: _decoded(s, v) for s, v in zip(self._specs, row, strict=True)} for row in rows]
        session.execute(insert(self.model), decoded)


def has_blob(session: Session, sha256: str) -> bool:
    """Whether the store holds these attachment bytes (without loading them)."""
    query = select(AttachmentBlob.sha256).where(AttachmentBlob.sha256 == sha256)
    return session.execute(query).first() is not None


def insert_blob(session: Session, sha256: str, size: int, pieces: Iterable[bytes]) -> tuple[str, int]:
    """Store attachment bytes that arrive in pieces, ``size`` in all, under ``sha256``; return the
    SHA-256 and the length of what arrived, for the caller to compare (and roll back if they
    differ: bytes past ``size`` are not written).

    On SQLite the row is made at its full size and the pieces written into it in place, so no
    more than one piece is held at a time, however large the file; other databases take the
    bytes whole.
    """
    digest = hashlib.sha256()
    if session.get_bind().dialect.name != "sqlite":
        data = b"".join(pieces)
        digest.update(data)
        session.execute(insert(AttachmentBlob).values(sha256=sha256, size=len(data), data=data))
        return digest.hexdigest(), len(data)
    connection = session.connection()
    table = AttachmentBlob.__tablename__
    made = connection.exec_driver_sql(
        f"INSERT INTO {table} (sha256, size, data) VALUES (?, ?, zeroblob(?))", (sha256, size, size)
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    arrived = 0
    open_blob = getattr(driver, "blobopen", None) or driver.open_blob  # sqlcipher3 (encrypted stores)
    with open_blob(table, "data", made.lastrowid) as blob:
        for piece in pieces:
            digest.update(piece)
            if arrived + len(piece) <= size:
                blob.write(piece)
            arrived += len(piece)
    return digest.hexdigest(), arrived
