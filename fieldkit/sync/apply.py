"""Applying incoming changes to the store: causal, convergent, field by field.

A change applies only once the changes its author had seen (its parents) are here,
so every office sees a record's history in an order that respects who saw what.
Every office orders the changes to one record the same way, by
``(version, origin, seq)``; a field takes the value of the latest change that set it,
so offices that hold the same changes hold the same record whatever order the
packets came in. Two changes neither of which saw the other are concurrent: where
they set one field differently, or one deleted what the other edited, the losing
value is kept as a conflict for a person to resolve. Creates are inserted in bulk;
a change whose record, referenced record or parents have not arrived is held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from fieldkit.domain.aliases import (
    alias_map,
    claims_merged_key,
    repoint_references,
    return_references,
    settle_unique_keys,
)
from fieldkit.ids import stable_id
from fieldkit.store.base import SyncedRecord
from fieldkit.store.changes import mark_resolved
from fieldkit.store.codec import decode, field_map
from fieldkit.store.records import RecordAlias
from fieldkit.store.registry import (
    MODEL_BY_TYPE,
    references,
    registry_cache,
    search_fields,
    search_root_of,
)
from fieldkit.store.system import ChangeLog, Conflict, HeldChange
from fieldkit.sync.apply_writes import RecordInserts, RecordUpdates
from fieldkit.sync.changes import Change
from fieldkit.sync.transaction import Transaction


@dataclass
class ApplyStats:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicting: int = 0
    held: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    #: per indexed record type, records whose searchable text changed, and those created
    search_touched: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    search_new: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: when asked for (``track``): each change's (record type, record id, outcome), the outcome
    #: "known" (applied before), "held", "new", "updated", "unchanged" or "conflict"; a count
    #: shown to a user not cleared for every record leaves out those they may not see
    outcomes: list[tuple[str, str, str]] | None = None


def _existing_ids(session: Session, model: type[SyncedRecord], ids: Iterable[str]) -> set[str]:
    """Which of these ids the table holds."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    found: set[str] = set()
    if session.get_bind().dialect.name == "sqlite":
        # straight to the driver: building and compiling 900-id statements costs more than running them
        run, table = session.connection().exec_driver_sql, model.__tablename__
        for start in range(0, len(wanted), 900):
            ids_now = tuple(wanted[start : start + 900])
            marks = ", ".join("?" * len(ids_now))
            found.update(run(f"SELECT id FROM {table} WHERE id IN ({marks})", ids_now).scalars())
        return found
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        found.update(session.execute(select(model.id).where(model.id.in_(chunk))).scalars())
    return found


def _existing_changes(session: Session, keys: Iterable[tuple[str, int]]) -> set[str]:
    """Which of these (origin, seq) pairs the change log holds, as "ORIGIN:seq"."""
    by_origin: dict[str, set[int]] = defaultdict(set)
    for origin, seq in keys:
        by_origin[origin].add(seq)
    found: set[str] = set()
    for origin, seqs in by_origin.items():
        lo, hi = min(seqs), max(seqs)
        if hi - lo < 4 * len(seqs):  # dense (a packet's own range): one range scan
            where = [ChangeLog.seq.between(lo, hi)]
            rows = session.execute(
                select(ChangeLog.seq).where(ChangeLog.origin_office == origin, *where)
            ).scalars()
            found.update(f"{origin}:{s}" for s in rows if s in seqs)
            continue
        ordered = sorted(seqs)  # sparse (parents scattered over history): look each up
        for start in range(0, len(ordered), 900):
            rows = session.execute(
                select(ChangeLog.seq).where(
                    ChangeLog.origin_office == origin, ChangeLog.seq.in_(ordered[start : start + 900])
                )
            ).scalars()
            found.update(f"{origin}:{s}" for s in rows)
    return found


def _split(key: str) -> tuple[str, int]:
    origin, _sep, seq = key.rpartition(":")
    return origin, int(seq)


def _decoded(model: type[SyncedRecord], data: dict[str, Any]) -> dict[str, Any]:
    specs = field_map(model)
    return {k: decode(specs[k], v) for k, v in data.items()}


def apply_changes(
    session: Session,
    changes: Sequence[Change],
    packet_id: str,
    transaction: Transaction | None = None,
    *,
    track: bool = False,
) -> ApplyStats:
    """Apply changes (already validated) in dependency order; hold what cannot apply yet.

    A large packet applies in batches; ``transaction`` carries what they share. ``track`` keeps
    each change's outcome in ``ApplyStats.outcomes`` (one batch's worth).
    """
    transaction = transaction or Transaction()
    transaction.next_batch()
    stats = ApplyStats(outcomes=[] if track else None)
    outcomes = stats.outcomes
    known = _existing_changes(session, ((c.origin, c.seq) for c in changes))
    fresh = [c for c in changes if c.change_key not in known] if known else changes
    if outcomes is not None and known:
        outcomes.extend((c.record_type, c.record_id, "known") for c in changes if c.change_key in known)
    todo = sorted(fresh, key=lambda c: c.apply_order)
    stats.unchanged += len(changes) - len(todo)
    aliases = alias_map(session)
    targets = set(aliases.values())
    pointing = [_through_aliases(c, aliases) for c in todo] if aliases else todo
    # a reference that would clash once moved keeps the merged-away id: both must be known
    present = _present_records(session, [*todo, *pointing] if aliases else todo, transaction)
    histories = _Histories(session, (c.record_id for c in todo if c.record_id in present[c.record_type]))
    have_changes = known | _existing_changes(session, (_split(p) for c in todo for p in c.parents))
    # only a change that names parents asks what this batch has applied so far
    parents_named = any(c.parents for c in todo)

    _load_text_owners(session, [c for c in todo if c.op != "create"], transaction.text_owners)
    inserts = RecordInserts(session)
    updates = RecordUpdates()

    def flush() -> None:
        inserts.flush()  # new records first: an update may be to one of them
        updates.flush(session)

    held_rows: list[dict[str, Any]] = []
    for original in todo:
        # the change log keeps what was sent; the record points at the surviving record
        c = _through_aliases(original, aliases) if aliases else original
        model = MODEL_BY_TYPE[c.record_type]
        if aliases and claims_merged_key(model, original.data, c.data, targets):
            flush()  # the rows that may hold the key must be in the table
            settled = settle_unique_keys(
                session, model, c.record_id, original.data, c.data, new=c.op == "create"
            )
            c = c if settled == c.data else replace(c, data=settled)
        missing_ref = False
        for name, target_type in _references(c.record_type):
            value = c.data.get(name)
            if type(value) is str and value not in present[target_type]:
                missing_ref = True
        exists = c.record_id in present[c.record_type]
        unseen_parent = bool(c.parents) and any(p not in have_changes for p in c.parents)
        if missing_ref or unseen_parent or (not exists and c.op != "create"):
            held_rows.append(
                {"origin_office": c.origin, "seq": c.seq, "packet_id": packet_id, "change": c.to_json()}
            )
            stats.held += 1
            if outcomes is not None:
                outcomes.append((c.record_type, c.record_id, "held"))
            continue
        at = inserts.time(c)
        if not exists:
            inserts.record(c, at)
            present[c.record_type].add(c.record_id)
            transaction.created[c.record_type].add(c.record_id)
            stats.new += 1
            if outcomes is not None:
                outcomes.append((c.record_type, c.record_id, "new"))
            if (root := search_root_of(c.record_type)) is not None:
                _note_created_text(stats, transaction, c, root)
            if c.record_type == "record_alias":
                flush()
                aliases = _follow_new_alias(session, str(c.data["target_type"]), aliases)
                targets = set(aliases.values())
        else:
            outcome = _merge(session, model, c, histories, updates, logged=original)
            if (root := search_root_of(c.record_type)) is not None:
                _note_changed_text(stats, transaction, c, root, updates.pending(model, c.record_id))
            stats.updated += outcome != "unchanged"
            stats.unchanged += outcome == "unchanged"
            stats.conflicting += outcome == "conflict"
            if outcomes is not None:
                outcomes.append((c.record_type, c.record_id, outcome))
            if c.record_type == "record_alias" and outcome != "unchanged":
                # one pair merged at two offices is one alias record: its target may have moved
                flush()
                target_type = session.execute(
                    select(RecordAlias.target_type).where(RecordAlias.id == c.record_id)
                ).scalar_one()
                aliases = _follow_new_alias(session, target_type, aliases)
                targets = set(aliases.values())
        inserts.log(original, at)
        histories.add(original)
        if parents_named:
            have_changes.add(c.change_key)
        if c.resolves:
            flush()
            mark_resolved(session, c.resolves, c.change_key)
        stats.by_type[c.record_type] = stats.by_type.get(c.record_type, 0) + 1
        if len(inserts) >= 20000:
            flush()
    flush()
    if held_rows:
        keys = [(r["origin_office"], r["seq"]) for r in held_rows]
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            session.execute(
                delete(HeldChange).where(tuple_(HeldChange.origin_office, HeldChange.seq).in_(chunk))
            )
        session.execute(insert(HeldChange), held_rows)
    return stats


def _follow_new_alias(session: Session, record_type: str, before: dict[str, str]) -> dict[str, str]:
    """Move references for every id an alias just stored resolves differently now (a chain or a
    cycle of merges moves more than the one id); return the aliases as they now stand."""
    after = alias_map(session)
    # rows an alias had moved to a target it no longer leads to go where their own ids lead now
    stranded: dict[str, set[str]] = defaultdict(set)
    for alias_id, old_target in before.items():
        if after.get(alias_id) != old_target:
            stranded[old_target].add(alias_id)
    for old_target, moved_from in stranded.items():
        return_references(session, record_type, old_target, moved_from, after)
    for alias_id, target_id in after.items():
        if before.get(alias_id) != target_id:
            repoint_references(session, record_type, alias_id, target_id)
    return after


def _through_aliases(change: Change, aliases: dict[str, str]) -> Change:
    refs = references(change.record_type)
    if not aliases or not refs:
        return change
    data = {k: aliases.get(v, v) if k in refs and isinstance(v, str) else v for k, v in change.data.items()}
    return change if data == change.data else replace(change, data=data)


@registry_cache
def _references(record_type: str) -> tuple[tuple[str, str], ...]:
    """(field, record type it points to) for each reference a record type holds."""
    return tuple((name, target.record_type) for name, target in references(record_type).items())


def _present_records(
    session: Session, todo: Sequence[Change], transaction: Transaction
) -> dict[str, set[str]]:
    """The ids, among the records these changes touch or point to, that the store holds."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for c in todo:
        wanted[c.record_type].add(c.record_id)
        for name, target_type in _references(c.record_type):
            value = c.data.get(name)
            if type(value) is str:
                wanted[target_type].add(value)
    present: dict[str, set[str]] = defaultdict(set)
    for kind, ids in wanted.items():
        made = transaction.made(kind, ids)
        present[kind] = made | _existing_ids(session, MODEL_BY_TYPE[kind], ids - made)
    return present


def _note_created_text(
    stats: ApplyStats, transaction: Transaction, c: Change, root: tuple[str, str | None]
) -> None:
    """Keep the searchable text of records this batch creates, with that of records belonging to
    them, as far as the transaction's budget allows.

    ``root`` is where the record's text is indexed: (indexed type, reference field or None)."""
    root_type, owner_field = root
    values = [c.data.get(name) for name in search_fields(c.record_type)]
    if owner_field is None:
        stats.search_touched[root_type].add(c.record_id)
        stats.search_new[root_type].add(c.record_id)
        transaction.keep_text(c.record_id, values)
        return
    owner = c.data.get(owner_field)
    owner = owner if isinstance(owner, str) else None
    transaction.text_owners[c.record_id] = owner
    if owner is not None:
        stats.search_touched[root_type].add(owner)
        transaction.add_text(owner, values)


def _note_changed_text(
    stats: ApplyStats,
    transaction: Transaction,
    c: Change,
    root: tuple[str, str | None],
    merged: dict[str, Any],
) -> None:
    """A searchable record changed: what it is indexed under is read from the store, old owner and
    new alike.

    ``merged`` holds the values the merge kept for the record: a change that lost the owner
    field to a later one does not move the record.
    """
    root_type, owner_field = root
    owners: set[str | None] = set()
    if owner_field is None:
        owners.add(c.record_id)
    else:
        owners.add(transaction.text_owners.get(c.record_id))
        moved_to = c.data.get(owner_field)
        if isinstance(moved_to, str):
            owners.add(moved_to)
        if isinstance(merged.get(owner_field), str):
            transaction.text_owners[c.record_id] = merged[owner_field]
    for owner in owners:
        if owner is not None:
            stats.search_touched[root_type].add(owner)
            transaction.drop_text(owner)


def _load_text_owners(session: Session, changes: Sequence[Change], known: dict[str, str | None]) -> None:
    """What the records these changes touch belong to, for search, in a few queries."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for c in changes:
        root = search_root_of(c.record_type)
        if root is not None and root[1] is not None and c.record_id not in known:
            wanted[c.record_type].add(c.record_id)
    for record_type, id_set in wanted.items():
        model = MODEL_BY_TYPE[record_type]
        owner_column = getattr(model, str(model.spec.search_into))
        ids = sorted(id_set)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            rows = session.execute(select(model.id, owner_column).where(model.id.in_(chunk)))
            known.update({record_id: owner for record_id, owner in rows})


class _Histories:
    """Every change to the records a batch touches, loaded in a few queries, kept up to date."""

    def __init__(self, session: Session, record_ids: Iterable[str]) -> None:
        self._past: dict[str, list[_Past]] = defaultdict(list)
        self._added: dict[str, list[Change]] = defaultdict(list)
        ids = sorted(set(record_ids))
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(
                    ChangeLog.record_id,
                    ChangeLog.version,
                    ChangeLog.origin_office,
                    ChangeLog.seq,
                    ChangeLog.op,
                    ChangeLog.data,
                    ChangeLog.parents,
                    ChangeLog.at,
                    ChangeLog.by,
                ).where(ChangeLog.record_id.in_(ids[start : start + 500]))
            )
            for rid, v, o, seq, op, d, p, at, by in rows:
                self._past[rid].append(
                    _Past(
                        (int(v), str(o), int(seq)),
                        f"{o}:{seq}",
                        str(op),
                        dict(d),
                        tuple(p or ()),
                        at,
                        str(by),
                    )
                )

    def of(self, record_id: str) -> list[_Past]:
        pending = self._added.pop(record_id, None)
        if pending:
            self._past[record_id].extend(
                _Past(c.key, c.change_key, c.op, c.data, tuple(c.parents), c.at, c.by) for c in pending
            )
        return self._past[record_id]

    def version(self, record_id: str) -> int:
        """The record's version: the highest version among its changes (how a version is made)."""
        return max((p.key[0] for p in self.of(record_id)), default=0)

    def add(self, c: Change) -> None:
        # kept as they are; most records get one change per batch and are never merged
        self._added[c.record_id].append(c)


@dataclass(frozen=True)
class _Past:
    key: tuple[int, str, int]
    change_key: str
    op: str
    data: dict[str, Any]
    parents: tuple[str, ...]
    at: Any
    by: str


def _merge(
    session: Session,
    model: type[SyncedRecord],
    change: Change,
    histories: _Histories,
    updates: RecordUpdates,
    *,
    logged: Change,
) -> str:
    """Apply one change to an existing record; 'updated', 'unchanged' or 'conflict'.

    ``logged`` is the change as sent: conflicts compare and keep what the changes say, as every
    office logs them, not the references each office has moved by then through its aliases."""
    history = histories.of(change.record_id)
    latest_per_field: dict[str, tuple[int, str, int]] = {}
    newest: tuple[int, str, int] = (0, "", 0)
    for past in history:
        newest = max(newest, past.key)
        for name in past.data:
            latest_per_field[name] = max(latest_per_field.get(name, (0, "", 0)), past.key)
    winning = {
        name: value
        for name, value in change.data.items()
        if change.key > latest_per_field.get(name, (0, "", 0))
    }
    values: dict[str, Any] = _decoded(model, winning)
    if change.version > histories.version(change.record_id):
        values["version"] = change.version
    if change.key > newest:
        values["updated_at"], values["updated_by"] = change.at, change.by
    creates = [p.key for p in history if p.op == "create"]
    if change.op == "create" and creates and change.key < min(creates):
        # two offices made the record under one agreed id (the same merge): the first create names it
        values["origin_office"], values["created_at"], values["created_by"] = (
            change.origin,
            change.at,
            change.by,
        )
    if values:
        updates.set(model, change.record_id, values)
    found = _record_conflicts(session, model, logged, history)
    if found:
        return "conflict"
    return "updated" if winning else "unchanged"


def _ancestors(change: Change, history: list[_Past]) -> set[str]:
    parents_of = {p.change_key: p.parents for p in history}
    seen: set[str] = set()
    stack = list(change.parents)
    while stack:
        key = stack.pop()
        if key not in seen:
            seen.add(key)
            stack.extend(parents_of.get(key, ()))
    return seen


def _record_conflicts(
    session: Session, model: type[SyncedRecord], change: Change, history: list[_Past]
) -> int:
    """Keep, for each field two concurrent changes set differently, the value that lost."""
    ancestors = _ancestors(change, history)
    incoming = _Past(
        change.key, change.change_key, change.op, change.data, change.parents, change.at, change.by
    )
    count = 0
    for past in history:
        if past.change_key in ancestors or past.op == "create" or past.change_key == change.change_key:
            continue
        # concurrent: neither saw the other (``past`` cannot have seen a change that only arrives now)
        pairs: list[tuple[str, str]] = []
        if (past.op == "delete") != (change.op == "delete") and "delete" in (past.op, change.op):
            edit = incoming if past.op == "delete" else past
            if edit.op == "update" and edit.data:
                pairs.append(("deleted", "edit-delete"))
        for name in set(past.data) & set(change.data):
            if name != "deleted" and past.data[name] != change.data[name]:
                pairs.append((name, "field"))
        for name, kind in pairs:
            winner, loser = (incoming, past) if incoming.key > past.key else (past, incoming)
            conflict_id = stable_id(
                "conflict", change.record_id, name, *sorted((past.change_key, change.change_key))
            )
            if session.get(Conflict, conflict_id) is not None:
                continue
            session.add(
                Conflict(
                    id=conflict_id,
                    record_type=model.record_type,
                    record_id=change.record_id,
                    field=name,
                    kind=kind,
                    winner_change=winner.change_key,
                    winner_value=_shown(winner, name, kind),
                    winner_by=winner.by,
                    winner_at=winner.at,
                    loser_change=loser.change_key,
                    loser_value=_shown(loser, name, kind),
                    loser_by=loser.by,
                    loser_at=loser.at,
                    status="open",
                    resolved_by_change=None,
                )
            )
            count += 1
    if count:
        session.flush()
    return count


def _shown(change: _Past, name: str, kind: str) -> dict[str, Any]:
    """What a side of a conflict holds: the field's value, or for edit/delete the whole edit."""
    if kind == "edit-delete":
        return {"op": change.op, "values": change.data}
    return {"value": change.data.get(name)}
