"""Ids that a merge retired, and the records they now stand for.

A merge leaves a ``RecordAlias`` so that packets still naming the old id land on the
surviving record; both the merge service and the packet import read them.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldkit.domain.references import referencing
from fieldkit.store.records import RecordAlias


def alias_map(session: Session) -> dict[str, str]:
    """Merged-away id -> surviving id, following chains of merges."""
    direct = dict(
        session.execute(
            select(RecordAlias.alias_id, RecordAlias.target_id).where(RecordAlias.deleted.is_(False))
        ).all()
    )
    resolved = {}
    for alias in direct:
        target, hops = direct[alias], 0
        while target in direct and hops < 50:
            target, hops = direct[target], hops + 1
        resolved[alias] = target
    return resolved


def repoint_references(session: Session, record_type: str, alias_id: str, target_id: str) -> None:
    """Point local rows at the surviving record (run wherever an alias arrives; not a change)."""
    for ref_model, name in referencing(record_type):
        column = getattr(ref_model, name)
        session.execute(update(ref_model).where(column == alias_id).values({name: target_id}))
