"""Ids that a merge retired, and the records they now stand for.

A merge leaves a ``RecordAlias`` so that packets still naming the old id land on the
surviving record; both the merge service and the packet import read them.

Moving a reference to the surviving record can give two rows one unique key (the same
person twice at one event). Which row holds the key is then derived from the rows and
their logged values alone, never from the order packets arrived in: a row whose own
changes name the key keeps it; among rows that reach it only through an alias, the
smallest id. A row that does not hold the key keeps the merged-away id its changes
name, which still resolves through the alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Table, UniqueConstraint, and_, select, update
from sqlalchemy.orm import Session

from fieldkit.domain.references import referencing
from fieldkit.ids import stable_id
from fieldkit.store.base import SyncedRecord
from fieldkit.store.records import RecordAlias
from fieldkit.store.registry import references, registry_cache
from fieldkit.store.system import ChangeLog


def alias_id_for(record_type: str, merged_id: str) -> str:
    """The alias record's own id: the same at every office that merges ``merged_id`` away, so
    two offices making the same merge make one alias, not two that clash."""
    return stable_id("record_alias", record_type, merged_id)


def alias_map(session: Session) -> dict[str, str]:
    """Merged-away id -> surviving id, following chains of merges.

    Two offices merging a pair in opposite directions make a cycle: every id in it stands for
    the smallest, the same at every office that holds both aliases."""
    direct = dict(
        session.execute(
            select(RecordAlias.alias_id, RecordAlias.target_id).where(RecordAlias.deleted.is_(False))
        ).all()
    )
    resolved = {}
    for alias in direct:
        path = [alias]
        while path[-1] in direct and direct[path[-1]] not in path:
            path.append(direct[path[-1]])
        last = path[-1]
        target = min(path[path.index(direct[last]) :]) if last in direct else last
        if target != alias:
            resolved[alias] = target
    return resolved


def _table(model: type[SyncedRecord]) -> Table:
    return cast(Table, model.__table__)


@registry_cache
def unique_keys(model: type[SyncedRecord]) -> tuple[tuple[str, ...], ...]:
    """The column sets a record type's table holds unique across rows (besides its id)."""
    table = _table(model)
    keys = [
        tuple(column.key for column in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    keys += [(column.key,) for column in table.columns if column.unique]
    return tuple(keys)


@registry_cache
def keyed_references(model: type[SyncedRecord]) -> frozenset[str]:
    """Reference fields that are part of a unique key of the record type."""
    keyed = {name for key in unique_keys(model) for name in key}
    return frozenset(keyed & set(references(model.record_type)))


def claims_merged_key(
    model: type[SyncedRecord], named: Mapping[str, Any], moved: Mapping[str, Any], targets: set[str]
) -> bool:
    """Whether values a change brings (``named``; ``moved`` once through the aliases) give a record
    a unique key through an alias, or name a record others were merged into, whose key a row that
    reached it through an alias may hold."""
    keyed = keyed_references(model)
    return bool(keyed) and any(
        name in keyed and (value != named[name] or value in targets) for name, value in moved.items()
    )


def settle_unique_keys(
    session: Session,
    model: type[SyncedRecord],
    record_id: str,
    named: Mapping[str, Any],
    moved: Mapping[str, Any],
    *,
    new: bool,
) -> dict[str, Any]:
    """``moved``, with each unique key it claims settled by this module's rule: a reference that
    may not take its key keeps the id the change names. ``new``: the change creates the record."""
    row: dict[str, Any] = dict(moved)
    if not new:
        table = _table(model)
        stored = session.execute(select(table).where(table.c.id == record_id)).mappings().first()
        row = {**(stored or {}), **moved}
    settled = dict(moved)
    for name, value in moved.items():
        if name not in keyed_references(model):
            continue
        own = value == named[name]
        if not takes_key(session, model, record_id, row, name, named=own) and not own:
            settled[name] = row[name] = named[name]
    return settled


def key_holder(
    session: Session, model: type[SyncedRecord], record_id: str, values: Mapping[str, Any], moved: str
) -> str | None:
    """The other row, if any, that holds a unique key ``values`` (a whole row's content) would
    give record ``record_id`` once its field ``moved`` changed."""
    for key in unique_keys(model):
        if moved not in key or any(values.get(name) is None for name in key):
            continue
        same = and_(*(getattr(model, name) == values[name] for name in key))
        holder = session.execute(select(model.id).where(same, model.id != record_id).limit(1)).scalar()
        if holder is not None:
            return str(holder)
    return None


def logged_value(session: Session, record_id: str, name: str) -> Any:
    """The value the record's own changes give one field: the latest that set it."""
    rows = session.execute(
        select(ChangeLog.version, ChangeLog.origin_office, ChangeLog.seq, ChangeLog.data).where(
            ChangeLog.record_id == record_id
        )
    ).all()
    setting = [(int(v), str(o), int(s), data) for v, o, s, data in rows if name in (data or {})]
    return max(setting, key=lambda row: row[:3])[3][name] if setting else None


def takes_key(
    session: Session, model: type[SyncedRecord], record_id: str, values: Mapping[str, Any], name: str, *,
    named: bool,
) -> bool:  # fmt: skip
    """Whether a row may hold the unique key ``values`` give it, making the row that holds it now
    (only ever one that reached it through an alias) go back to the id its own changes name.

    ``named``: the row's own changes name this value, rather than an id merged into it."""
    holder = key_holder(session, model, record_id, values, name)
    if holder is None:
        return True
    table = _table(model)
    held = session.execute(select(table.c[name]).where(table.c.id == holder)).scalar()
    own = logged_value(session, holder, name)
    if own is None or own == held or not (named or record_id < holder):
        return False
    session.execute(update(table).where(table.c.id == holder).values({name: own}))
    return True


def repoint_references(session: Session, record_type: str, alias_id: str, target_id: str) -> None:
    """Point local rows at the surviving record, wherever an alias arrives.

    Not a change of its own: the alias is, and every office derives the same rows from it.
    Where a row's move would clash with a unique key, the module's rule says which row holds it."""
    for ref_model, name in referencing(record_type):
        table = _table(ref_model)
        column = table.c[name]
        if not any(name in key for key in unique_keys(ref_model)):
            session.execute(update(table).where(column == alias_id).values({name: target_id}))
            continue
        for row in session.execute(select(table).where(column == alias_id)).mappings().all():
            record_id = str(row["id"])
            if takes_key(session, ref_model, record_id, {**row, name: target_id}, name, named=False):
                session.execute(update(table).where(table.c.id == record_id).values({name: target_id}))


def return_references(
    session: Session, record_type: str, old_target: str, moved_from: set[str], resolve: Mapping[str, str]
) -> None:
    """Rows an alias had moved to ``old_target`` from an id in ``moved_from`` that now resolves
    elsewhere (the alias lost to another office's, or its chain changed): move each to where its
    own id resolves now, or, where that key is held, back to the id its own changes name.

    Which rows an alias moved is read from the rows' own changes, so every office moves the same
    rows whatever order the aliases arrived in."""
    for ref_model, name in referencing(record_type):
        table = _table(ref_model)
        keyed = any(name in key for key in unique_keys(ref_model))
        for row in session.execute(select(table).where(table.c[name] == old_target)).mappings().all():
            record_id = str(row["id"])
            own = logged_value(session, record_id, name)
            if own is None or own not in moved_from:
                continue
            for value in dict.fromkeys((resolve.get(own, own), own)):  # where it resolves, else its own
                if value == old_target:
                    break
                if not keyed or takes_key(
                    session, ref_model, record_id, {**row, name: value}, name, named=value == own
                ):
                    session.execute(update(table).where(table.c.id == record_id).values({name: value}))
                    break
