"""A record with the records that are part of it, deleted and restored together.

What is part of what is read from the declarations: a record whose required reference
points at another cannot exist without it (an incident without its visit, a follow-up's
link to a recommendation without the follow-up), so it is part of it, and so are its own
parts. Deleting a record tombstones its live parts in the same transaction, at one
instant: every tombstone of that deletion carries the time and the office of the root's,
in the change log that partners receive as well. Restoring brings back exactly the
records whose tombstone carries that mark, so a part deleted earlier on its own stays
deleted, at whichever office the restore is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.store.base import SyncedRecord
from fieldkit.store.changes import Writer
from fieldkit.store.registry import (
    MODEL_BY_TYPE,
    fields_meta,
    record_models,
    references,
    registry_cache,
    type_order,
)
from fieldkit.store.system import ChangeLog

#: ids per ``IN`` list, well below SQLite's limit on bound parameters
_CHUNK = 500


@registry_cache
def part_types(record_type: str) -> tuple[tuple[type[SyncedRecord], str], ...]:
    """(model, reference field) of the types whose records are parts of a ``record_type`` record."""
    return tuple(
        (model, field)
        for model in record_models()
        for field, target in references(model.record_type).items()
        if target.record_type == record_type and fields_meta(model.record_type)[field].required
    )


def parts_of(session: Session, root: SyncedRecord) -> list[SyncedRecord]:
    """Every record that is part of ``root``, at any depth, deleted or not, parents first."""
    found: list[SyncedRecord] = []
    seen = {root.id}
    level: list[SyncedRecord] = [root]
    while level:
        below: list[SyncedRecord] = []
        for parent in level:
            for model, field in part_types(parent.record_type):
                rows = session.execute(
                    select(model).where(getattr(model, field) == parent.id).order_by(model.id)
                ).scalars()
                for row in rows:
                    if row.id not in seen:
                        seen.add(row.id)
                        below.append(row)
        found.extend(below)
        level = below
    return found


@contextmanager
def one_instant(writer: Writer) -> Iterator[dt.datetime]:
    """Every change the writer makes inside carries the same time: the mark of one deletion."""
    instant = writer.now()
    before = writer.now
    writer.now = lambda: instant
    try:
        yield instant
    finally:
        writer.now = before


@dataclass(frozen=True)
class DeletionMark:
    origin_office: str
    at: dt.datetime


def deletion_mark(session: Session, record: SyncedRecord) -> DeletionMark | None:
    """Office and time of the deletion that left ``record`` deleted; None if it is live."""
    if not record.deleted:
        return None
    change = session.execute(
        select(ChangeLog.origin_office, ChangeLog.at)
        .where(ChangeLog.record_id == record.id, ChangeLog.op == "delete")
        .order_by(ChangeLog.version.desc(), ChangeLog.at.desc(), ChangeLog.origin_office.desc())
        .limit(1)
    ).first()
    return DeletionMark(change.origin_office, change.at) if change is not None else None


def deleted_with(
    session: Session, mark: DeletionMark, candidates: Sequence[SyncedRecord]
) -> list[SyncedRecord]:
    """Those of ``candidates`` still deleted by the deletion that ``mark`` names, parents first."""
    deleted = {r.id: r for r in candidates if r.deleted}
    ids = sorted(deleted)
    marked: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        marked.update(
            session.execute(
                select(ChangeLog.record_id).where(
                    ChangeLog.record_id.in_(ids[start : start + _CHUNK]),
                    ChangeLog.op == "delete",
                    ChangeLog.origin_office == mark.origin_office,
                    ChangeLog.at == mark.at,
                )
            ).scalars()
        )
    order = type_order()
    return sorted((deleted[i] for i in marked), key=lambda r: (order[r.record_type], r.id))


def referenced_records(
    session: Session, records: Sequence[SyncedRecord], inside: set[str]
) -> list[SyncedRecord]:
    """The records that ``records`` point at, other than those in ``inside`` (a person an
    involvement names, not the visit it belongs to)."""
    found: dict[str, SyncedRecord] = {}
    for record in records:
        for field, target in references(record.record_type).items():
            target_id = getattr(record, field)
            if target_id and target_id not in inside and target_id not in found:
                row = session.get(MODEL_BY_TYPE[target.record_type], target_id)
                if row is not None:
                    found[target_id] = row
    return list(found.values())
