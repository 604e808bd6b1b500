"""Conflicts: concurrent edits whose losing values were kept for a person to resolve.

Resolving writes one change to the record with the chosen values and the ids of
the conflicts it settles; that change syncs like any other, so every office sees
the conflict closed with the same values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from fieldkit.access import Permission, Principal, requires
from fieldkit.changeset import ChangeSet
from fieldkit.context import Context
from fieldkit.domain.aliases import alias_map
from fieldkit.domain.validation import refuse_too_long
from fieldkit.domain.vocab import invalidate_cache
from fieldkit.errors import NotFound, ValidationError
from fieldkit.i18n import _
from fieldkit.services.records import model_for
from fieldkit.store.base import SyncedRecord
from fieldkit.store.clearance import (
    conflicts_in_sight,
    record_visible,
    redact,
    redact_conflict_side,
    require_restricted,
)
from fieldkit.store.codec import decode, field_map, record_to_dict
from fieldkit.store.registry import references, restricted_fields
from fieldkit.store.system import Conflict


@dataclass(frozen=True)
class ConflictRow:
    id: str
    record_type: str
    record_id: str
    record_title: str
    field: str
    kind: str
    winner_value: Any
    winner_by: str
    winner_at: dt.datetime
    loser_value: Any
    loser_by: str
    loser_at: dt.datetime
    status: str


@dataclass(frozen=True)
class RecordConflicts:
    """One record side by side: its current values and every open conflict on it."""

    record_type: str
    record_id: str
    current: dict[str, Any]
    conflicts: list[ConflictRow]


def _row(c: Conflict, title: str, aliases: dict[str, str], principal: Principal) -> ConflictRow:
    """A conflict as a person reads it: references to merged-away records name the survivor
    (the conflict keeps what the changes said, the same at every office), and restricted
    values read as they do everywhere for someone who may not see them."""
    refs = references(c.record_type)

    def through(name: str, value: Any) -> Any:
        return aliases.get(value, value) if name in refs and isinstance(value, str) else value

    def value(stored: dict[str, Any]) -> Any:
        side = redact_conflict_side(c.record_type, c.field, stored, principal)
        if c.kind == "field":
            return through(c.field, side.get("value"))
        values = side.get("values")
        if not isinstance(values, dict):
            return side
        return {**side, "values": {name: through(name, v) for name, v in values.items()}}

    return ConflictRow(
        c.id,
        c.record_type,
        c.record_id,
        title,
        c.field,
        c.kind,
        value(c.winner_value),
        c.winner_by,
        c.winner_at,
        value(c.loser_value),
        c.loser_by,
        c.loser_at,
        c.status,
    )


def _title(model: type[SyncedRecord], value: Any, principal: Principal) -> str:
    """A record's title as the list shows it: redacted when its title field is restricted."""
    name = model.spec.title or "id"
    return str(redact(model.record_type, {name: str(value or "")}, principal)[name])


@requires(Permission.VIEW_RECORDS)
def count_open(ctx: Context) -> int:
    """Open conflicts on records the user is cleared for."""
    in_sight = conflicts_in_sight(ctx.principal)
    with ctx.store.read() as session:
        query = select(func.count()).select_from(Conflict).where(Conflict.status == "open", *in_sight)
        return session.execute(query).scalar_one()


@requires(Permission.VIEW_RECORDS)
def list_conflicts(ctx: Context, *, status: str = "open", limit: int = 5000) -> list[ConflictRow]:
    """Conflicts on records the user is cleared for, latest first; the others are not listed."""
    in_sight = conflicts_in_sight(ctx.principal)
    with ctx.store.read() as session:
        rows = session.execute(
            select(Conflict)
            .where(Conflict.status == status, *in_sight)
            .order_by(Conflict.loser_at.desc())
            .limit(limit)
        ).scalars()
        result = []
        aliases = alias_map(session)
        titles: dict[tuple[str, str], str] = {}
        for c in rows:
            key = (c.record_type, c.record_id)
            if key not in titles:
                model = model_for(c.record_type)
                column = getattr(model, model.spec.title or "id")
                found = session.execute(select(column).where(model.id == c.record_id)).scalar()
                titles[key] = _title(model, found, ctx.principal)
            result.append(_row(c, titles[key], aliases, ctx.principal))
        return result


@requires(Permission.VIEW_RECORDS)
def record_conflicts(ctx: Context, record_type: str, record_id: str) -> RecordConflicts:
    model = model_for(record_type)
    with ctx.store.read() as session:
        record = session.get(model, record_id)
        if record is None or not record_visible(session, model, record_id, ctx.principal):
            # in the words of an id that does not exist: a hidden record's existence is not told
            raise NotFound(_("No {record_type} with id {id}").format(record_type=record_type, id=record_id))
        title = _title(model, getattr(record, model.spec.title or "id", ""), ctx.principal)
        aliases = alias_map(session)
        conflicts = session.execute(
            select(Conflict)
            .where(Conflict.record_id == record_id, Conflict.status == "open")
            .order_by(Conflict.field, Conflict.id)
        ).scalars()
        return RecordConflicts(
            record_type,
            record_id,
            redact(record_type, record_to_dict(record), ctx.principal),
            [_row(c, title, aliases, ctx.principal) for c in conflicts],
        )


@requires(Permission.RESOLVE_CONFLICTS)
def resolve(
    ctx: Context,
    record_type: str,
    record_id: str,
    conflict_ids: list[str],
    values: dict[str, Any],
    *,
    deleted: bool | None = None,
) -> ChangeSet:
    """Settle conflicts with ``values`` (JSON-safe, as shown in the conflict), and for an
    edit/delete conflict say whether the record stays ``deleted``."""
    model = model_for(record_type)
    specs = field_map(model)
    if values.keys() & restricted_fields(record_type):
        require_restricted(ctx.principal)  # a value one cannot see is not one to choose
    try:
        decoded = {name: decode(specs[name], value) for name, value in values.items()}
    except KeyError as exc:
        raise ValidationError(_("Unknown field {field}").format(field=exc.args[0])) from None
    except (TypeError, ValueError) as exc:
        raise ValidationError(str(exc)) from exc
    refuse_too_long(model, values)
    with ctx.write() as (session, writer):
        record = session.get(model, record_id)
        if record is None or not record_visible(session, model, record_id, ctx.principal):
            raise NotFound(_("No {record_type} with id {id}").format(record_type=record_type, id=record_id))
        found = session.execute(select(Conflict).where(Conflict.id.in_(conflict_ids))).scalars().all()
        if len(found) != len(set(conflict_ids)) or any(c.record_id != record_id for c in found):
            raise ValidationError(_("Those conflicts are not all on this record"))
        if deleted is True:
            writer.update(record, decoded)
            writer.delete(record, resolves=conflict_ids)
        elif deleted is False and record.deleted:
            writer.update(record, decoded)
            writer.restore(record, resolves=conflict_ids)
        else:
            writer.update(record, decoded, resolves=conflict_ids)
    changes = ChangeSet.of(writer.record_types, conflicts=True)
    if changes.vocab:
        invalidate_cache()  # validation must see the term as it now stands
    return changes
