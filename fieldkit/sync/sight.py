"""What an import tells a user not cleared for every record: counts of the records they may see.

An import applies every change a packet carries, whatever its level: the offices must stay in
agreement. What it reports to the person importing (the summary of a dry run, an import, and a
preview) counts only changes to records that person may see, by the one clearance filter
(``fieldkit.store.clearance``): a change to a visit above their clearance, or to one of its
parts, is neither shown nor counted. Held changes are counted by ``held_change_visible``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldkit.access import Principal
from fieldkit.i18n import _
from fieldkit.store.clearance import hidden_clause, sees_every_level
from fieldkit.store.registry import MODEL_BY_TYPE, confidentiality_path
from fieldkit.store.system import HeldChange
from fieldkit.sync.apply import ApplyStats


def mass_deletion_uncounted(office: str, record_type: str, share: float) -> str:
    """The refusal of a packet deleting too many records, without the counts, which would tell a
    user not cleared for every level how many records of the type the office holds."""
    return _(
        "The packet would delete more than {share:.0%} of office {office}'s {type} records. Check with "
        "the sender; import with {option} if it is intended."
    ).format(share=share, office=office, type=record_type, option="--allow-mass-delete")


def tracks(principal: Principal) -> bool:
    """Whether an import for ``principal`` must keep each change's outcome to leave some out."""
    return not sees_every_level(principal)


def _hidden_ids(session: Session, record_type: str, ids: set[str], principal: Principal) -> set[str]:
    model = MODEL_BY_TYPE[record_type]
    hidden = hidden_clause(model, principal)
    if hidden is None:
        return set()
    found: set[str] = set()
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.execute(select(model.id).where(model.id.in_(chunk), hidden)).scalars())
    return found


def leave_out_hidden(session: Session, stats: ApplyStats, principal: Principal) -> int:
    """Take the changes to records ``principal`` may not see out of ``stats``'s counts (its
    outcomes, one batch's, are then dropped); how many applied changes were taken out."""
    outcomes, stats.outcomes = stats.outcomes, None
    if not outcomes:
        return 0
    session.flush()  # the batch's records are in the table, with their levels
    ids: dict[str, set[str]] = defaultdict(set)
    for record_type, record_id, outcome in outcomes:
        if outcome != "held":
            ids[record_type].add(record_id)
    hidden = {(t, i) for t, wanted in ids.items() for i in _hidden_ids(session, t, wanted, principal)}
    taken = 0
    for record_type, record_id, outcome in outcomes:
        if outcome == "held" or (record_type, record_id) not in hidden:
            continue
        taken += 1
        if outcome == "known":
            stats.unchanged -= 1
            continue
        if outcome == "new":
            stats.new -= 1
        elif outcome == "unchanged":
            stats.unchanged -= 1
        else:
            stats.updated -= 1
            stats.conflicting -= outcome == "conflict"
        left = stats.by_type.get(record_type, 0) - 1
        if left > 0:
            stats.by_type[record_type] = left
        else:
            stats.by_type.pop(record_type, None)
    return taken


class ImportSight:
    """The counts of an import as the user importing may see them (``sync.sight``); the audit
    trail keeps the whole packet's."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.tracking = tracks(principal)
        self.hidden = ApplyStats()
        self.hidden_released = 0

    def uncounted(self, record_type: str) -> bool:
        """Whether counts of ``record_type``'s records may not be told to this user: some may be
        above their clearance."""
        return self.tracking and confidentiality_path(record_type) is not None

    def count(self, session: Session, stats: ApplyStats) -> int:
        """Leave out of ``stats`` what the user may not see, keeping it for the audit."""
        if not self.tracking:
            return 0
        before = ApplyStats(
            new=stats.new, updated=stats.updated, unchanged=stats.unchanged, conflicting=stats.conflicting
        )
        before.by_type = dict(stats.by_type)
        taken = leave_out_hidden(session, stats, self.principal)
        for name in ("new", "updated", "unchanged", "conflicting"):
            setattr(
                self.hidden, name, getattr(self.hidden, name) + getattr(before, name) - getattr(stats, name)
            )
        for kind, n in before.by_type.items():
            gone = n - stats.by_type.get(kind, 0)
            if gone:
                self.hidden.by_type[kind] = self.hidden.by_type.get(kind, 0) + gone
        return taken

    def audited(self, whole: dict[str, Any], session: Session) -> dict[str, Any]:
        """An import summary's ``to_json()`` with the whole packet's counts, for the audit trail."""
        if not self.tracking:
            return whole
        for name in ("new", "updated", "unchanged", "conflicting"):
            whole[name] += getattr(self.hidden, name)
        by_type = dict(whole["by_type"])
        for kind, n in self.hidden.by_type.items():
            by_type[kind] = by_type.get(kind, 0) + n
        whole["by_type"] = dict(sorted(by_type.items()))
        whole["released"] += self.hidden_released
        whole["held"] = session.execute(select(func.count()).select_from(HeldChange)).scalar_one()
        return whole
