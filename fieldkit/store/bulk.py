"""Inserting many rows whose values are already JSON-safe (from a packet), quickly.

On SQLite the values go straight to ``executemany`` in the form SQLAlchemy itself
stores them (ISO dates, "YYYY-MM-DD HH:MM:SS.ffffff" timestamps, JSON text),
skipping a decode into Python objects and SQLAlchemy's per-row processing: the
fast path of a large import. Other databases take the portable Core insert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from fieldkit.store.base import Base
from fieldkit.store.codec import FieldSpec, decode, field_map
from fieldkit.store.engine import json_text


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
