"""What the next packet to each partner will carry: changes never sent, and changes sent but
not yet acknowledged (a packet resends everything its partner has not confirmed holding).

The counts apply the same rule as the export (what the partner may receive, identities left
home), so that after an export "waiting for acknowledgement" is what the packet carried.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from fieldkit.access import Permission, Principal, requires
from fieldkit.context import Context
from fieldkit.store.clearance import changes_in_sight, visibility_conditions
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


@dataclass(frozen=True)
class _Span:
    """For one partner and one origin: acknowledged through ``acked``, sent through ``sent``,
    held through ``last``."""

    partner: str
    origin: str
    acked: int
    sent: int
    last: int


def _spans(session: Session, partners: list[Office], held: dict[str, int]) -> list[_Span]:
    spans = []
    for partner in partners:
        acks, sent = peer_acks(session, partner.code), sent_through(session, partner.code)
        for origin, last in held.items():
            acked = acks.get(origin, 0)
            if last > acked:
                spans.append(_Span(partner.code, origin, acked, max(sent.get(origin, 0), acked), last))
    return spans


class _Tally:
    """Per partner, (not sent, awaiting receipt), counted from (origin, seq) pairs."""

    def __init__(self, spans: list[_Span]) -> None:
        self.by_origin: dict[str, list[_Span]] = {}
        self.by_key: dict[tuple[str, str], _Span] = {}
        for span in spans:
            self.by_origin.setdefault(span.origin, []).append(span)
            self.by_key[(span.partner, span.origin)] = span
        self.totals: dict[str, list[int]] = {}

    def _add(self, span: _Span, seq: int) -> None:
        if span.acked < seq <= span.last:
            counts = self.totals.setdefault(span.partner, [0, 0])
            counts[0 if seq > span.sent else 1] += 1

    def for_everyone(self, origin: str, seq: int) -> None:
        for span in self.by_origin.get(origin, ()):
            self._add(span, seq)

    def for_owner(self, owner: str, origin: str, seq: int) -> None:
        span = self.by_key.get((owner, origin))
        if span is not None:
            self._add(span, seq)


def _count_relays(session: Session, spans: list[_Span], tally: _Tally, principal: Principal) -> None:
    """A consolidating partner receives every change but identities: counted by sequence range."""
    identities = [t for t in MODEL_BY_TYPE if identifies_people(t)]
    in_sight = changes_in_sight(principal)
    for span in spans:
        fresh, waiting = session.execute(
            select(
                func.coalesce(func.sum(case((ChangeLog.seq > span.sent, 1), else_=0)), 0),
                func.coalesce(func.sum(case((ChangeLog.seq <= span.sent, 1), else_=0)), 0),
            ).where(
                ChangeLog.origin_office == span.origin,
                ChangeLog.seq > span.acked,
                ChangeLog.seq <= span.last,
                ChangeLog.record_type.not_in(identities),
                *in_sight,
            )
        ).one()
        counts = tally.totals.setdefault(span.partner, [0, 0])
        counts[0] += int(fresh)
        counts[1] += int(waiting)


def _count_others(session: Session, tally: _Tally, principal: Principal) -> None:
    """Any other partner receives the reference data and its own records: one pass over the log
    for all of them, each change counted for the partners whose spans hold it."""
    if not tally.by_key:
        return
    sent_types = [t for t in MODEL_BY_TYPE if not identifies_people(t)]
    reference = [t for t in sent_types if shared_with_everyone(t)]
    rows = session.execute(
        select(ChangeLog.origin_office, ChangeLog.seq).where(ChangeLog.record_type.in_(reference))
    )
    for origin, seq in rows:
        tally.for_everyone(origin, seq)
    owners = sorted({span.partner for span in tally.by_key.values()})
    for record_type in sent_types:
        if record_type in reference:
            continue
        model = MODEL_BY_TYPE[record_type]
        owned = session.execute(
            select(model.origin_office, ChangeLog.origin_office, ChangeLog.seq)
            .join(ChangeLog, and_(ChangeLog.record_id == model.id, ChangeLog.record_type == record_type))
            .where(model.origin_office.in_(owners), *visibility_conditions(model, principal))
            .execution_options(yield_per=20_000)
        )
        for owner, origin, seq in owned:
            tally.for_owner(owner, origin, seq)


@requires(Permission.VIEW_SYNC_STATUS)
def outgoing_changes(ctx: Context) -> dict[str, OutgoingChanges]:
    """Per partner code, what the next packet to it would carry (identities not shared), counting
    only changes to records the user is cleared for: the others are neither shown nor counted."""
    with ctx.store.read() as session:
        held = coverage(session)
        partners = list(session.execute(select(Office).where(Office.is_local.is_(False))).scalars())
        relays = _spans(session, [p for p in partners if sees_everything(p.office_type)], held)
        others = _Tally(_spans(session, [p for p in partners if not sees_everything(p.office_type)], held))
        tally = _Tally([])
        _count_relays(session, relays, tally, ctx.principal)
        _count_others(session, others, ctx.principal)
    result = {}
    for partner in partners:
        fresh, waiting = tally.totals.get(partner.code) or others.totals.get(partner.code) or [0, 0]
        result[partner.code] = OutgoingChanges(partner.code, fresh, waiting)
    return result
