"""What the next packet to each partner will carry: changes never sent, and changes sent but
not yet acknowledged (a packet resends everything its partner has not confirmed holding).

The counts apply the same rule as the export (what the partner may receive, identities left
home), so that after an export "waiting for acknowledgement" is what the packet carried.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.store.registry import MODEL_BY_TYPE
from fieldkit.store.system import ChangeLog, Office, SyncPacket
from fieldkit.sync.state import coverage, peer_acks
from fieldkit.sync.visibility import identifies_people, sees_everything, shared_with_everyone


@dataclass(frozen=True)
class OutgoingChanges:
    """Per partner, the changes the next packet to it would carry, split by whether one was sent."""

    partner: str
    #: changes no packet to this partner has carried yet
    not_sent: int
    #: changes already written to a packet for this partner that it has not acknowledged
    awaiting_ack: int

    @property
    def total(self) -> int:
        return self.not_sent + self.awaiting_ack


def sent_through(session: Session, partner: str) -> dict[str, int]:
    """Per origin office, the highest sequence number a packet to ``partner`` carried."""
    highest: dict[str, int] = {}
    packets = session.execute(
        select(SyncPacket.recipients, SyncPacket.ranges).where(SyncPacket.direction == "out")
    )
    for recipients, ranges in packets:
        if partner not in (recipients or ()):
            continue
        for origin, span in (ranges or {}).items():
            if isinstance(span, list) and len(span) == 2:
                highest[origin] = max(highest.get(origin, 0), int(span[1]))
    return highest


def _receivable_by(partner: Office) -> ColumnElement[bool]:
    """The export's rule: no identities; reference data from anyone; other offices' records only
    to a consolidating office, and each office's own records back to it."""
    identities = [t for t in MODEL_BY_TYPE if identifies_people(t)]
    rule: ColumnElement[bool] = ChangeLog.record_type.not_in(identities)
    if sees_everything(partner.office_type):
        return rule
    shared = [t for t in MODEL_BY_TYPE if shared_with_everyone(t)]
    owned = [
        and_(
            ChangeLog.record_type == record_type,
            ChangeLog.record_id.in_(select(model.id).where(model.origin_office == partner.code)),
        )
        for record_type, model in MODEL_BY_TYPE.items()
        if not shared_with_everyone(record_type)
    ]
    return and_(rule, or_(ChangeLog.record_type.in_(shared), *owned))


def _count(session: Session, partner: Office, held: dict[str, int]) -> OutgoingChanges:
    acks = peer_acks(session, partner.code)
    sent = sent_through(session, partner.code)
    rule = _receivable_by(partner)
    not_sent = awaiting = 0
    for origin, last in held.items():
        acked = acks.get(origin, 0)
        if last <= acked:
            continue
        sent_upto = max(sent.get(origin, 0), acked)
        fresh, waiting = session.execute(
            select(
                func.coalesce(func.sum(case((ChangeLog.seq > sent_upto, 1), else_=0)), 0),
                func.coalesce(func.sum(case((ChangeLog.seq <= sent_upto, 1), else_=0)), 0),
            ).where(ChangeLog.origin_office == origin, ChangeLog.seq > acked, ChangeLog.seq <= last, rule)
        ).one()
        not_sent += int(fresh)
        awaiting += int(waiting)
    return OutgoingChanges(partner.code, not_sent, awaiting)


@requires(Permission.VIEW_SYNC_STATUS)
def outgoing_changes(ctx: Context) -> dict[str, OutgoingChanges]:
    """Per partner code, what the next packet to it would carry (identities not shared)."""
    with ctx.store.read() as session:
        held = coverage(session)
        partners = session.execute(select(Office).where(Office.is_local.is_(False))).scalars().all()
        return {p.code: _count(session, p, held) for p in partners}
