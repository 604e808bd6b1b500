"""Which record types point at which: read from the models' foreign keys, never listed by hand."""

from __future__ import annotations

from functools import cache

from sqlalchemy import inspect as sa_inspect

from fieldkit.store.base import SyncedRecord
from fieldkit.store.records import MODEL_BY_TYPE, RECORD_MODELS


@cache
def references(record_type: str) -> dict[str, type[SyncedRecord]]:
    """Foreign-key fields of a record type and the record type each points to."""
    model = MODEL_BY_TYPE[record_type]
    by_table = {m.__tablename__: m for m in RECORD_MODELS}
    refs: dict[str, type[SyncedRecord]] = {}
    for column in sa_inspect(model).columns:
        for fk in column.foreign_keys:
            target = by_table.get(fk.column.table.name)
            if target is not None:
                refs[column.key] = target
    return refs


def referencing(record_type: str) -> list[tuple[type[SyncedRecord], str]]:
    """(model, field) pairs that point at ``record_type``, except one-to-one links."""
    out = []
    for model in MODEL_BY_TYPE.values():
        for name, target in references(model.record_type).items():
            column = model.__table__.c[name]
            if target.record_type == record_type and not column.unique:
                out.append((model, name))
    return out
