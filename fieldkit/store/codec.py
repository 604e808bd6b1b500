"""Record fields to and from JSON-safe values, the same way everywhere.

Exports, the change log and sync packets all use this, so one record always
serialises to the same bytes: dates as ISO strings, timestamps to the
microsecond, JSON lists and maps as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer
from sqlalchemy import inspect as sa_inspect

from fieldkit.store.base import SYSTEM_FIELDS, Base, SyncedRecord

#: the only spellings stored: ``date.fromisoformat`` alone would also take "20250919"
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
DATETIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\Z")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # "str", "int", "float", "bool", "date", "datetime", "json"
    nullable: bool


def _kind(column_type: Any) -> str:
    if isinstance(column_type, JSON):
        return "json"
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, Integer):
        return "int"
    if isinstance(column_type, Float):
        return "float"
    return "str"


@cache
def fields_of(model: type[Base]) -> tuple[FieldSpec, ...]:
    """Every column of ``model``, system fields first, in declaration order."""
    columns = sa_inspect(model).columns
    return tuple(FieldSpec(c.key, _kind(c.type), bool(c.nullable)) for c in columns)


@cache
def content_fields(model: type[SyncedRecord]) -> tuple[FieldSpec, ...]:
    return tuple(f for f in fields_of(model) if f.name not in SYSTEM_FIELDS)


@cache
def field_map(model: type[SyncedRecord]) -> dict[str, FieldSpec]:
    return {f.name: f for f in fields_of(model)}


def encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        return value.isoformat(timespec="microseconds")
    return value


def decode(spec: FieldSpec, value: Any) -> Any:
    """Rebuild a Python value from JSON, raising ValueError/TypeError on a wrong type."""
    if value is None:
        if not spec.nullable and spec.kind != "json":
            raise ValueError(f"{spec.name} must not be empty")
        return None
    kind = spec.kind
    if kind == "date":
        if not isinstance(value, str) or not DATE_TEXT.match(value):
            raise ValueError(f"{spec.name} must be a date written YYYY-MM-DD")
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        if not isinstance(value, str) or not DATETIME_TEXT.match(value):
            raise ValueError(f"{spec.name} must be a time written YYYY-MM-DDTHH:MM:SS")
        return dt.datetime.fromisoformat(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise TypeError(f"{spec.name} must be true or false")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{spec.name} must be a whole number")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{spec.name} must be a number")
        return float(value)
    if kind == "str":
        if not isinstance(value, str):
            raise TypeError(f"{spec.name} must be text")
        return value
    if not isinstance(value, list | dict):
        raise TypeError(f"{spec.name} must be a list or a map")
    return value


def record_to_dict(record: SyncedRecord) -> dict[str, Any]:
    """Every field of a record, JSON-safe, in column order."""
    return {f.name: encode(f.kind, getattr(record, f.name)) for f in fields_of(type(record))}


def row_to_dict(model: type[SyncedRecord], row: Any) -> dict[str, Any]:
    """Same as ``record_to_dict`` for a Core row (``row._mapping``)."""
    mapping = row._mapping
    return {f.name: encode(f.kind, mapping[f.name]) for f in fields_of(model)}


def encode_values(model: type[SyncedRecord], values: dict[str, Any]) -> dict[str, Any]:
    specs = field_map(model)
    return {k: encode(specs[k].kind, v) for k, v in values.items()}
