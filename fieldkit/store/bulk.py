"""Inserting many rows whose values are already JSON-safe (from a packet), quickly.

On SQLite the values go straight to ``executemany`` in the form SQLAlchemy itself
stores them (ISO dates, "YYYY-MM-DD HH:MM:SS.ffffff" timestamps, JSON text, 0/1),
skipping a decode into Python objects and SQLAlchemy's per-row processing: the
fast path of a large import. Other databases take the portable Core insert.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.orm import Session

from fieldkit.store.base import Base
from fieldkit.store.codec import decode, fields_of


def _json_text(value: Any) -> Any:
    if value is None:
        return None
    return "[]" if value == [] else orjson.dumps(value).decode()  # most change-log lists are empty


def _datetime_text(value: Any) -> Any:
    return value.replace("T", " ", 1) if isinstance(value, str) else value


def _bool_int(value: Any) -> Any:
    return None if value is None else int(value)


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "json": _json_text,
    "datetime": _datetime_text,
    "bool": _bool_int,
}


def insert_json_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (every column present, JSON-safe values) into ``model``'s table."""
    if not rows:
        return
    specs = fields_of(model)
    if session.get_bind().dialect.name == "sqlite":
        names = [s.name for s in specs]
        # convert only the columns that need it; the rest go through as they came
        fixes = [(i, _CONVERT[s.kind]) for i, s in enumerate(specs) if s.kind in _CONVERT]
        pick = itemgetter(*names)
        values = []
        for row in rows:
            value = list(pick(row))
            for i, convert in fixes:
                value[i] = convert(value[i])
            values.append(tuple(value))
        table = model.__table__.name  # type: ignore[attr-defined]
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        session.connection().exec_driver_sql(sql, values)
        return
    decoded = [
        {s.name: decode(s, row[s.name]) if s.kind != "json" else row[s.name] for s in specs} for row in rows
    ]
    session.execute(insert(model), decoded)
