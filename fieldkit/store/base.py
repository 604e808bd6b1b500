"""Declarative base and the columns every synchronised record carries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fieldkit.store.spec import RecordSpec

# Stable constraint names so Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(36)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        dt.datetime: DateTime(timezone=False),
    }


class SyncedRecord(Base):
    """A record that travels between offices.

    ``id`` is a UUIDv7 made by the office where the record was born
    (``origin_office``); ``version`` grows by one with each change anywhere;
    ``deleted`` is a tombstone: rows are never removed, so a deletion can travel.
    """

    __abstract__ = True
    #: name used in the change log, packets and exports
    record_type: ClassVar[str]
    #: what the rest of FieldKit knows about the type (see ``fieldkit.store.spec``)
    spec: ClassVar[RecordSpec]

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    origin_office: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("__abstract__", False):
            register(cls)


#: record type -> model, kept up to date as types are declared; read it through
#: ``fieldkit.store.registry``, which also derives everything else from the declarations
MODEL_BY_TYPE: dict[str, type[SyncedRecord]] = {}
#: called whenever the set of types changes (caches of what derives from it)
TYPES_CHANGED: list[Callable[[], None]] = []


def register(model: type[SyncedRecord]) -> None:
    record_type = model.record_type
    if MODEL_BY_TYPE.get(record_type, model) is not model:
        raise RuntimeError(f"record type {record_type!r} is declared twice")
    MODEL_BY_TYPE[record_type] = model
    for changed in TYPES_CHANGED:
        changed()


def unregister(model: type[SyncedRecord]) -> None:
    """Forget a type (tests that declare one of their own)."""
    if MODEL_BY_TYPE.get(model.record_type) is model:
        del MODEL_BY_TYPE[model.record_type]
        for changed in TYPES_CHANGED:
            changed()


#: columns every synced record has; the rest are its content fields
SYSTEM_FIELDS = (
    "id",
    "origin_office",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
    "deleted",
)
