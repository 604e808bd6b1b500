"""Whether the user making a packet may see everything it would carry.

A packet is made by a user and leaves the office in their hands (a USB stick, an email).
It must stay complete: a packet that silently left records out would hold back every later
change that depends on them, and the offices would never agree again. So the rule is the
honest one: a user may make a packet only when every record it carries is within their
clearance, and, when it carries identifying details (participants' names and contacts,
people's identities when they are shared), only when they may see those. Anyone else is
refused before anything is written, told how many records are beyond them and who can
make the packet instead. The check reads the same selection of changes the packet is
written from (``export.outgoing_changes``) and asks the same filter as every list
(``fieldkit.store.clearance``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Select, and_, select
from sqlalchemy.orm import Session

from fieldkit.access import Principal
from fieldkit.errors import FieldKitError
from fieldkit.i18n import _, ngettext
from fieldkit.store.clearance import (
    RESTRICTED_FIELDS_LEVEL,
    clearance_needed,
    level_hidden,
    may_see_restricted,
    record_levels,
    sees_every_level,
)
from fieldkit.store.registry import MODEL_BY_TYPE, confidentiality_path, restricted_fields


@dataclass(frozen=True)
class BeyondClearance:
    """What a packet would carry that its maker may not see."""

    #: records above the maker's clearance (a visit, whose incidents and follow-ups go with it)
    hidden: int
    #: the lowest clearance that sees all of them
    needed: str
    #: records whose identifying details the maker may not see
    identifying: int


class PacketBeyondClearance(FieldKitError):
    """The packet would carry records its maker may not see; nothing was written."""

    def __init__(self, principal: Principal, beyond: BeyondClearance) -> None:
        sentences = []
        if beyond.hidden:
            sentences.append(
                ngettext(
                    "This packet would carry {count} record above the clearance of {user} "
                    "({clearance}), with what belongs to it.",
                    "This packet would carry {count} records above the clearance of {user} "
                    "({clearance}), with what belongs to them.",
                    beyond.hidden,
                ).format(count=beyond.hidden, user=principal.name, clearance=principal.clearance)
            )
        if beyond.identifying:
            sentences.append(
                ngettext(
                    "It would carry identifying details of {count} record, which {user} may not see.",
                    "It would carry identifying details of {count} records, which {user} may not see.",
                    beyond.identifying,
                ).format(count=beyond.identifying, user=principal.name)
            )
        sentences.append(
            _("A packet must stay complete: someone cleared for {level} records must export it.").format(
                level=beyond.needed
            )
        )
        super().__init__(" ".join(sentences))
        self.beyond = beyond


def beyond_clearance(
    session: Session, principal: Principal, outgoing: Iterable[Select[Any] | CompoundSelect]
) -> BeyondClearance | None:
    """What the changes ``outgoing`` select would carry beyond ``principal``; None when nothing."""
    check_levels = not sees_every_level(principal)
    check_identities = not may_see_restricted(principal)
    if not (check_levels or check_identities):
        return None
    hidden: set[tuple[str, str]] = set()
    levels: set[str | None] = set()
    identifying: set[tuple[str, str]] = set()
    for query in outgoing:
        changes = query.subquery()
        if check_levels:
            for holder, level in _hidden_holders(session, principal, changes):
                hidden.add(holder)
                levels.add(level)
        if check_identities:
            identifying |= _identifying_records(session, changes)
    if not hidden and not identifying:
        return None
    needed = clearance_needed(levels)
    if identifying:
        needed = clearance_needed((needed, RESTRICTED_FIELDS_LEVEL))
    return BeyondClearance(len(hidden), needed, len(identifying))


def _hidden_holders(
    session: Session, principal: Principal, changes: Any
) -> Iterable[tuple[tuple[str, str], str | None]]:
    """((type, id), level) of the records above ``principal``'s clearance that ``changes`` touch,
    themselves or through what belongs to them (an incident's change names its visit)."""
    for record_type, model in MODEL_BY_TYPE.items():
        levels = record_levels(model)
        path = confidentiality_path(record_type)
        if levels is None or path is None:
            continue
        leveled = levels.subquery()
        hidden = level_hidden(leveled.c.level, principal)
        assert hidden is not None
        rows = session.execute(
            select(leveled.c.holder, leveled.c.level)
            .select_from(changes)
            .join(leveled, and_(changes.c.record_type == record_type, changes.c.record_id == leveled.c.id))
            .where(hidden)
            .distinct()
        )
        for holder, level in rows:
            yield (path.holder, str(holder)), level


def _identifying_records(session: Session, changes: Any) -> set[tuple[str, str]]:
    """(type, id) of the records whose identifying details ``changes`` carry: a change counts when
    one of its restricted fields holds a value (an edit of a participant's position does not)."""
    restricted = {t: restricted_fields(t) for t in MODEL_BY_TYPE if restricted_fields(t)}
    found: set[tuple[str, str]] = set()
    if not restricted:
        return found
    rows = session.execute(
        select(changes.c.record_type, changes.c.record_id, changes.c.data).where(
            changes.c.record_type.in_(sorted(restricted))
        )
    )
    for record_type, record_id, data in rows:
        values = json.loads(data) if isinstance(data, str) else (data or {})
        if isinstance(values, dict) and any(values.get(name) for name in restricted[record_type]):
            found.add((record_type, str(record_id)))
    return found
