"""Applying incoming changes to the store: convergent, field by field.

Every office orders the changes to one record the same way, by
``(version, origin, seq)``. A field takes the value of the latest change that
set it, so any offices that hold the same changes hold the same record, whatever
order the changes arrived in. Creates are inserted in bulk; changes whose record
or referenced record has not arrived yet are held and retried after later imports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from fieldkit.store.base import SyncedRecord
from fieldkit.store.codec import decode, field_map
from fieldkit.store.records import MODEL_BY_TYPE
from fieldkit.store.system import ChangeLog, HeldChange
from fieldkit.sync.changes import Change, references


@dataclass
class ApplyStats:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicting: int = 0
    held: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    touched_visits: set[str] = field(default_factory=set)


def _existing_ids(session: Session, model: type[SyncedRecord], ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    pending = list(ids)
    for start in range(0, len(pending), 900):
        chunk = pending[start : start + 900]
        found.update(session.execute(select(model.id).where(model.id.in_(chunk))).scalars())
    return found


def _known_changes(session: Session, changes: Sequence[Change]) -> set[tuple[str, int]]:
    """Which of these (origin, seq) pairs the change log already holds."""
    by_origin: dict[str, list[int]] = defaultdict(list)
    for c in changes:
        by_origin[c.origin].append(c.seq)
    known: set[tuple[str, int]] = set()
    for origin, seqs in by_origin.items():
        lo, hi = min(seqs), max(seqs)
        rows = session.execute(
            select(ChangeLog.seq).where(
                ChangeLog.origin_office == origin, ChangeLog.seq >= lo, ChangeLog.seq <= hi
            )
        ).scalars()
        known.update((origin, int(s)) for s in rows)
    return known


def _decoded(model: type[SyncedRecord], data: dict[str, Any]) -> dict[str, Any]:
    specs = field_map(model)
    return {k: decode(specs[k], v) for k, v in data.items()}


def apply_changes(session: Session, changes: Sequence[Change], packet_id: str) -> ApplyStats:
    """Apply changes (already validated) in dependency order; hold what cannot apply yet."""
    stats = ApplyStats()
    known = _known_changes(session, changes)
    todo = sorted((c for c in changes if (c.origin, c.seq) not in known), key=lambda c: c.apply_order)
    stats.unchanged += len(changes) - len(todo)
    # ids that exist, per type, refreshed as creates are applied
    present: dict[str, set[str]] = defaultdict(set)
    wanted: dict[str, set[str]] = defaultdict(set)
    for c in todo:
        wanted[c.record_type].add(c.record_id)
        for name, target in references(c.record_type).items():
            value = c.data.get(name)
            if isinstance(value, str):
                wanted[target.record_type].add(value)
    for kind, ids in wanted.items():
        present[kind] = _existing_ids(session, MODEL_BY_TYPE[kind], ids)

    creates: dict[str, list[dict[str, Any]]] = defaultdict(list)
    log_rows: list[dict[str, Any]] = []
    held_rows: list[dict[str, Any]] = []
    for c in todo:
        model = MODEL_BY_TYPE[c.record_type]
        missing_ref = any(
            isinstance(c.data.get(name), str) and c.data[name] not in present[target.record_type]
            for name, target in references(c.record_type).items()
        )
        exists = c.record_id in present[c.record_type]
        if missing_ref or (not exists and c.op != "create"):
            held_rows.append(
                {"origin_office": c.origin, "seq": c.seq, "packet_id": packet_id, "change": c.to_json()}
            )
            stats.held += 1
            continue
        if not exists:
            creates[c.record_type].append(
                {
                    "id": c.record_id,
                    "origin_office": c.origin,
                    "created_at": c.at,
                    "created_by": c.by,
                    "updated_at": c.at,
                    "updated_by": c.by,
                    "version": c.version,
                    "deleted": False,
                    **_decoded(model, c.data),
                }
            )
            present[c.record_type].add(c.record_id)
            stats.new += 1
        else:
            _flush_creates(session, creates)
            outcome = _merge(session, model, c)
            if outcome == "unchanged":
                stats.unchanged += 1
            else:
                stats.updated += 1
                if outcome == "conflict":
                    stats.conflicting += 1
        log_rows.append(
            {
                "origin_office": c.origin,
                "seq": c.seq,
                "record_type": c.record_type,
                "record_id": c.record_id,
                "version": c.version,
                "op": c.op,
                "at": c.at,
                "by": c.by,
                "data": c.data,
            }
        )
        stats.by_type[c.record_type] = stats.by_type.get(c.record_type, 0) + 1
        if c.record_type == "monitoring_visit":
            stats.touched_visits.add(c.record_id)
        elif c.record_type == "incident" and isinstance(c.data.get("visit_id"), str):
            stats.touched_visits.add(c.data["visit_id"])
        if len(log_rows) >= 20000:
            _flush_creates(session, creates)
            session.execute(insert(ChangeLog), log_rows)
            log_rows.clear()
    _flush_creates(session, creates)
    if log_rows:
        session.execute(insert(ChangeLog), log_rows)
    if held_rows:
        # a change held before and held again keeps its place
        for row in held_rows:
            session.execute(
                delete(HeldChange).where(
                    HeldChange.origin_office == row["origin_office"], HeldChange.seq == row["seq"]
                )
            )
        session.execute(insert(HeldChange), held_rows)
    return stats


def _flush_creates(session: Session, creates: dict[str, list[dict[str, Any]]]) -> None:
    for kind in list(creates):
        rows = creates.pop(kind)
        if rows:
            session.execute(insert(MODEL_BY_TYPE[kind]), rows)


def _merge(session: Session, model: type[SyncedRecord], change: Change) -> str:
    """Apply one change to an existing record, field by field; 'updated', 'unchanged' or 'conflict'."""
    history = session.execute(
        select(
            ChangeLog.version,
            ChangeLog.origin_office,
            ChangeLog.seq,
            ChangeLog.data,
            ChangeLog.at,
            ChangeLog.by,
        ).where(ChangeLog.record_id == change.record_id)
    ).all()
    latest_per_field: dict[str, tuple[int, str, int]] = {}
    newest: tuple[int, str, int] = (0, "", 0)
    concurrent = False
    for version, origin, seq, data, _at, _by in history:
        key = (int(version), str(origin), int(seq))
        newest = max(newest, key)
        for name in data:
            if name not in latest_per_field or key > latest_per_field[name]:
                latest_per_field[name] = key
        if int(version) == change.version and origin != change.origin and set(data) & set(change.data):
            concurrent = True
    winning = {
        name: value
        for name, value in change.data.items()
        if change.key > latest_per_field.get(name, (0, "", 0))
    }
    values: dict[str, Any] = _decoded(model, winning)
    record = session.get(model, change.record_id)
    assert record is not None
    if change.version > record.version:
        values["version"] = change.version
    if change.key > newest:
        values["updated_at"], values["updated_by"] = change.at, change.by
    if values:
        session.execute(update(model).where(model.id == change.record_id).values(**values))
        session.expire(record)
    if concurrent:
        return "conflict"
    return "updated" if winning else "unchanged"
