"""Who may see what: one filter for confidentiality levels and identifying fields.

A record's confidentiality level (``RecordSpec.confidentiality``; an incident, a follow-up or
an attachment takes its visit's, as ``registry.confidentiality_path`` derives) is visible
only to a principal cleared for it; the restricted fields (``meta(restricted=True)``: names,
contacts and addresses of people) only to a principal ``may_see_restricted``. Every read
that lists, counts, searches, exports or packs records asks here, in SQL
(``visibility_conditions``, ``hidden_clause``) or for one value (``level_visible``,
``redact``), so the rule is written once.

A level FieldKit does not know is treated as the most restricted: only a principal cleared
for every level sees it. Administrators of a store without accounts (``local_principal``)
are cleared for every level and see everything; their queries get no extra condition.

This module sits beside the models rather than above them because the search index, which
lies below the services and the domain, has to apply the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, not_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from fieldkit.access import CONFIDENTIALITY_LEVELS, Principal
from fieldkit.errors import FieldKitError
from fieldkit.i18n import _
from fieldkit.store.base import SyncedRecord
from fieldkit.store.registry import (
    confidentiality_path,
    model_of,
    record_models,
    references,
    restricted_fields,
)

#: what a restricted value is replaced with for someone who may not see it (empty values stay empty)
REDACTED = "[restricted]"

#: the lowest clearance that sees identifying details of people
RESTRICTED_FIELDS_LEVEL = "confidential"


def sees_every_level(principal: Principal) -> bool:
    """Cleared for the highest level, and so for every record, unknown levels included."""
    return principal.clearance == CONFIDENTIALITY_LEVELS[-1]


def cleared_levels(principal: Principal) -> tuple[str, ...]:
    """The levels ``principal`` may see, least restricted first."""
    return tuple(level for level in CONFIDENTIALITY_LEVELS if principal.cleared_for(level))


def level_visible(principal: Principal, level: str | None) -> bool:
    """Whether a record of confidentiality ``level`` is visible to ``principal``; the same rule
    as ``visibility_conditions``, for a record already in hand."""
    return sees_every_level(principal) or (level is not None and level in cleared_levels(principal))


def may_see_restricted(principal: Principal) -> bool:
    """Whether ``principal`` may see the restricted fields (who a person is, how to reach them).

    The rule itself lives on the principal: a role that grants VIEW_RESTRICTED and a clearance
    of confidential or above. An administrator of a store without accounts has both.
    """
    return principal.sees_restricted_fields


# -- in SQL ----------------------------------------------------------------------------------


def _holder_visible(model: type[SyncedRecord], column: str, principal: Principal) -> ColumnElement[bool]:
    return getattr(model, column).in_(cleared_levels(principal))


def _visible(model: type[SyncedRecord], principal: Principal) -> ColumnElement[bool] | None:
    """The condition on ``model``'s rows for the records ``principal`` may see; None: all of them."""
    path = confidentiality_path(model.record_type)
    if path is None or sees_every_level(principal):
        return None
    if not path.steps:
        return _holder_visible(model, path.column, principal)
    # through each reference in turn: the visible parents' ids, read once, not per row
    step = path.steps[0]
    parent = references(model.record_type)[step]
    parent_visible = _visible(parent, principal)
    assert parent_visible is not None
    return getattr(model, step).in_(select(parent.id).where(parent_visible))


def visibility_conditions(model: type[SyncedRecord], principal: Principal) -> tuple[ColumnElement[bool], ...]:
    """WHERE conditions on ``model`` keeping the records ``principal`` may see: none at all for a
    type without confidentiality or a principal cleared for every level, so their queries keep
    the plan they had."""
    visible = _visible(model, principal)
    return () if visible is None else (visible,)


def hidden_clause(model: type[SyncedRecord], principal: Principal) -> ColumnElement[bool] | None:
    """The condition on ``model``'s rows for the records ``principal`` may NOT see (a level
    missing or unknown counts as hidden); None when nothing of the type is hidden from them."""
    path = confidentiality_path(model.record_type)
    if path is None or sees_every_level(principal):
        return None
    if not path.steps:
        return level_hidden(getattr(model, path.column), principal)
    visible = _visible(model, principal)
    assert visible is not None
    return not_(visible)


def record_levels(model: type[SyncedRecord]) -> Select[tuple[str, str | None, str | None]] | None:
    """``SELECT id, holder, level`` of every record of ``model``: the record whose level applies
    to it (an incident's visit; a visit itself) and that level; None for a type without one."""
    path = confidentiality_path(model.record_type)
    if path is None:
        return None
    current: Any = model
    current_type = model.record_type
    joins: list[tuple[Any, ColumnElement[bool]]] = []
    for step in path.steps:
        target = references(current_type)[step]
        parent = aliased(target)
        joins.append((parent, getattr(current, step) == parent.id))
        current, current_type = parent, target.record_type
    query = select(
        model.id.label("id"), current.id.label("holder"), getattr(current, path.column).label("level")
    )
    for parent, on in joins:
        query = query.outerjoin(parent, on)  # a record whose parent is missing has no level: hidden
    return query


def level_hidden(level: ColumnElement[Any], principal: Principal) -> ColumnElement[bool] | None:
    """The condition on a level column for levels ``principal`` is not cleared for (a missing or
    unknown level among them); None when every level is visible to them."""
    if sees_every_level(principal):
        return None
    return or_(level.is_(None), level.not_in(cleared_levels(principal)))


def clearance_needed(levels: Iterable[str | None]) -> str:
    """The lowest clearance that sees every one of ``levels`` (an unknown one needs the highest)."""
    top = len(CONFIDENTIALITY_LEVELS) - 1
    ranks = [CONFIDENTIALITY_LEVELS.index(x) if x in CONFIDENTIALITY_LEVELS else top for x in levels]
    return CONFIDENTIALITY_LEVELS[max(ranks, default=0)]


def record_visible(session: Session, model: type[SyncedRecord], record_id: str, principal: Principal) -> bool:
    """Whether the record ``record_id`` (which exists) is one ``principal`` may see."""
    conditions = visibility_conditions(model, principal)
    if not conditions:
        return True
    found = session.execute(select(model.id).where(model.id == record_id, and_(*conditions))).first()
    return found is not None


def about_records_in_sight(
    record_type: ColumnElement[str] | InstrumentedAttribute[str],
    record_id: ColumnElement[str] | InstrumentedAttribute[str],
    principal: Principal,
) -> list[ColumnElement[bool]]:
    """WHERE conditions on rows about one record each (a conflict, a change in the change log),
    keeping those whose record ``principal`` may see: such a row is as confidential as its
    record. None at all for a principal cleared for every level."""
    where: list[ColumnElement[bool]] = []
    for model in record_models():
        hidden = hidden_clause(model, principal)
        if hidden is not None:
            out_of_sight = record_id.in_(select(model.id).where(hidden))
            where.append(not_(and_(record_type == model.record_type, out_of_sight)))
    return where


def conflicts_in_sight(principal: Principal) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``conflict`` rows keeping those on records ``principal`` may see."""
    from fieldkit.store.system import Conflict

    return about_records_in_sight(Conflict.record_type, Conflict.record_id, principal)


def changes_in_sight(principal: Principal) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``change_log`` rows keeping changes to records ``principal`` may see."""
    from fieldkit.store.system import ChangeLog

    return about_records_in_sight(ChangeLog.record_type, ChangeLog.record_id, principal)


def held_change_visible(session: Session, change: Mapping[str, Any], principal: Principal) -> bool:
    """Whether a change held for a gap (``Change.to_json()``) is about a record ``principal`` may
    see: a type without a level is; a record in the store by its own level; a record not in
    the store yet by the level its change carries; otherwise (a part of a visit not here yet,
    a change that does not say) it is counted as hidden."""
    if sees_every_level(principal):
        return True
    record_type = change.get("type")
    path = confidentiality_path(record_type) if isinstance(record_type, str) else None
    if path is None:
        return True
    model = model_of(str(record_type))
    record_id = change.get("id")
    if isinstance(record_id, str) and session.get(model, record_id) is not None:
        return record_visible(session, model, record_id, principal)
    data = change.get("data")
    if not path.steps and isinstance(data, Mapping):
        level = data.get(path.column)
        return level_visible(principal, level if isinstance(level, str) else None)
    return False


def redact_conflict_side(
    record_type: str, field: str, side: Mapping[str, Any], principal: Principal
) -> dict[str, Any]:
    """One side of a conflict (``{"value": ...}`` for a field, ``{"values": {...}}`` for an edit
    against a deletion) with the restricted fields' values redacted, unless ``principal`` may see them."""
    out = dict(side)
    if may_see_restricted(principal):
        return out
    if field in restricted_fields(record_type) and "value" in out:
        out["value"] = redacted(out["value"])
    values = out.get("values")
    if isinstance(values, Mapping):
        out["values"] = redact(record_type, values, principal)
    return out


# -- restricted fields -------------------------------------------------------------------------


def redacted(value: Any) -> Any:
    """A restricted value as someone who may not see it gets it: the marker, or the empty value."""
    return REDACTED if value else value


def redact(record_type: str, values: Mapping[str, Any], principal: Principal) -> dict[str, Any]:
    """``values`` of a record of ``record_type`` with its restricted fields redacted, unless
    ``principal`` may see them."""
    out = dict(values)
    if may_see_restricted(principal):
        return out
    for name in restricted_fields(record_type) & out.keys():
        out[name] = redacted(out[name])
    return out


class RestrictedFieldsDenied(FieldKitError):
    """Identifying details were asked for by someone who may not see them; nothing was read."""

    def __init__(self, principal: Principal) -> None:
        super().__init__(
            _(
                "{user} may not see identifying details of people: that needs clearance for "
                "confidential records. Leave them out, or ask someone with that clearance."
            ).format(user=principal.name)
        )
        self.principal = principal


def require_restricted(principal: Principal) -> None:
    """Refuse (``RestrictedFieldsDenied``) unless ``principal`` may see the restricted fields."""
    if not may_see_restricted(principal):
        raise RestrictedFieldsDenied(principal)
