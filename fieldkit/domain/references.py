"""What points at a record type: read from the models' foreign keys, never listed by hand."""

from __future__ import annotations

from fieldkit.store.base import SyncedRecord
from fieldkit.store.registry import MODEL_BY_TYPE, references


def referencing(record_type: str) -> list[tuple[type[SyncedRecord], str]]:
    """(model, field) pairs that point at ``record_type``, except one-to-one links."""
    out = []
    for model in MODEL_BY_TYPE.values():
        for name, target in references(model.record_type).items():
            column = model.__table__.c[name]
            if target.record_type == record_type and not column.unique:
                out.append((model, name))
    return out
