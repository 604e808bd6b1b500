"""Per-partner sync state: what each partner holds, what we hold, what is waiting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from fieldkit.access import Permission, Principal, requires
from fieldkit.clock import local_date
from fieldkit.context import Context
from fieldkit.store.clearance import changes_in_sight, held_change_visible, sees_every_level
from fieldkit.store.system import ChangeLog, HeldChange, Office, OriginSequence, PeerAck, SyncPacket


def coverage(session: Session) -> dict[str, int]:
    """Per origin office, the highest sequence number held without a gap."""
    return {
        o: int(s) for o, s in session.execute(select(OriginSequence.origin_office, OriginSequence.last_seq))
    }


def peer_acks(session: Session, peer: str) -> dict[str, int]:
    rows = session.execute(select(PeerAck.origin_office, PeerAck.last_seq).where(PeerAck.peer == peer))
    return {o: int(s) for o, s in rows}


@dataclass(frozen=True)
class PartnerStatus:
    code: str
    name: str
    office_type: str
    fingerprint: str
    last_in: dt.datetime | None
    last_in_file: str
    last_out: dt.datetime | None
    last_out_file: str
    #: changes this office holds that the partner has not acknowledged
    pending: int
    #: changes from this partner waiting for a missing packet or record
    held: int


@requires(Permission.VIEW_SYNC_STATUS)
def partner_status(ctx: Context) -> list[PartnerStatus]:
    result = []
    with ctx.store.read() as session:
        partners = session.execute(select(Office).where(Office.is_local.is_(False)).order_by(Office.code))
        held_count = held_in_sight(session, ctx.principal)
        in_sight = changes_in_sight(ctx.principal)
        for office in partners.scalars().all():
            acks = peer_acks(session, office.code)
            pending = 0
            for origin, last in coverage(session).items():
                pending += session.execute(
                    select(func.count()).where(
                        and_(
                            ChangeLog.origin_office == origin,
                            ChangeLog.seq > acks.get(origin, 0),
                            ChangeLog.seq <= last,
                        ),
                        *in_sight,
                    )
                ).scalar_one()
            last_in = _last(session, office.code, "in")
            last_out = _last(session, office.code, "out")
            result.append(
                PartnerStatus(
                    office.code,
                    office.name,
                    office.office_type,
                    office.fingerprint,
                    last_in.at if last_in else None,
                    last_in.file_name if last_in else "",
                    last_out.at if last_out else None,
                    last_out.file_name if last_out else "",
                    pending,
                    held_count.get(office.code, 0),
                )
            )
    return result


def held_in_sight(session: Session, principal: Principal) -> dict[str, int]:
    """Per origin office, the changes held for a gap that are about records ``principal`` may see."""
    if sees_every_level(principal):
        query = select(HeldChange.origin_office, func.count()).group_by(HeldChange.origin_office)
        return {origin: int(n) for origin, n in session.execute(query)}
    counts: dict[str, int] = {}
    rows = session.execute(select(HeldChange.origin_office, HeldChange.change)).all()  # few: a gap's
    for origin, change in rows:
        if isinstance(change, dict) and held_change_visible(session, change, principal):
            counts[origin] = counts.get(origin, 0) + 1
    return counts


def _last(session: Session, code: str, direction: str) -> SyncPacket | None:
    """The newest packet from (``in``) or to (``out``) a partner."""
    query = select(SyncPacket).where(SyncPacket.direction == direction).order_by(SyncPacket.at.desc())
    if direction == "in":
        return session.execute(query.where(SyncPacket.sender == code).limit(1)).scalar_one_or_none()
    # recipients is a JSON list: few outgoing packets, so filter here rather than per database
    return next((p for p in session.execute(query).scalars() if code in p.recipients), None)


@dataclass(frozen=True)
class PacketRow:
    """One packet written ("out") or imported ("in"), as plain values for a log view."""

    packet_id: str
    direction: str
    sender: str
    recipients: tuple[str, ...]
    at: dt.datetime
    by: str
    file_name: str
    #: "out": changes, attachments, counts; "in": new, updated, unchanged, conflicting, held...
    summary: dict[str, Any]


@requires(Permission.VIEW_SYNC_STATUS)
def packet_history(ctx: Context, limit: int = 200) -> list[PacketRow]:
    """The newest ``limit`` packets in and out, newest first."""
    with ctx.store.read() as session:
        packets = session.execute(select(SyncPacket).order_by(SyncPacket.at.desc()).limit(limit)).scalars()
        return [
            PacketRow(
                p.packet_id,
                p.direction,
                p.sender,
                tuple(p.recipients or ()),
                p.at,
                p.by,
                p.file_name,
                dict(p.summary or {}),
            )
            for p in packets
        ]


@dataclass(frozen=True)
class OriginStatus:
    """How current this store is for one office's records (a consolidating office's dashboard)."""

    code: str
    name: str
    held_through: int
    last_change_at: dt.datetime | None
    last_packet_at: dt.datetime | None
    days_behind: int | None
    waiting: int


@requires(Permission.VIEW_SYNC_STATUS)
def origin_status(ctx: Context, today: dt.date | None = None) -> list[OriginStatus]:
    """Per origin office: the newest change held, the last packet from it, and what waits for a gap."""
    today = today or ctx.today()
    with ctx.store.read() as session:
        names = dict(session.execute(select(Office.code, Office.name)).all())
        # an office's newest change is its highest sequence number: one lookup along the primary
        # key per office, where a maximum of the times would read the whole change log
        newest_at = (
            select(ChangeLog.at)
            .where(ChangeLog.origin_office == OriginSequence.origin_office)
            .order_by(ChangeLog.seq.desc())
            .limit(1)
            .scalar_subquery()
        )
        newest = dict(session.execute(select(OriginSequence.origin_office, newest_at)).all())
        packets = dict(
            session.execute(
                select(SyncPacket.sender, func.max(SyncPacket.at))
                .where(SyncPacket.direction == "in")
                .group_by(SyncPacket.sender)
            ).all()
        )
        waiting = held_in_sight(session, ctx.principal)
        result = []
        for origin, last in coverage(session).items():
            if origin in ("*", ctx.office_code):
                continue
            changed = newest.get(origin)
            result.append(
                OriginStatus(
                    code=origin,
                    name=str(names.get(origin, "")),
                    held_through=last,
                    last_change_at=changed,
                    last_packet_at=packets.get(origin),
                    days_behind=(today - local_date(changed)).days if changed else None,
                    waiting=int(waiting.get(origin, 0)),
                )
            )
    return sorted(result, key=lambda s: s.code)


@dataclass(frozen=True)
class PartnerPackets:
    """One office this store syncs with or holds records of: its last packets and how current we are."""

    office: str
    last_in: dt.datetime | None
    last_out: dt.datetime | None
    #: the newest change of this office's that the store holds, and how many days ago it was made
    newest_change: dt.datetime | None = None
    days_behind: int | None = None
    #: its changes waiting for a packet that has not arrived
    waiting: int = 0


@requires(Permission.VIEW_SYNC_STATUS)
def partner_packets(ctx: Context, today: dt.date | None = None) -> list[PartnerPackets]:
    """Per office: last packet in and out, and for offices whose records we hold, how current they are."""
    last_in: dict[str, dt.datetime] = {}
    last_out: dict[str, dt.datetime] = {}
    with ctx.store.read() as session:
        incoming = session.execute(
            select(SyncPacket.sender, func.max(SyncPacket.at))
            .where(SyncPacket.direction == "in")
            .group_by(SyncPacket.sender)
        ).all()
        outgoing = session.execute(
            select(SyncPacket.recipients, SyncPacket.at).where(SyncPacket.direction == "out")
        )
        for sender, at in incoming:
            last_in[sender] = at
        for recipients, at in outgoing:
            for office in recipients or ():
                if office not in last_out or at > last_out[office]:
                    last_out[office] = at
    origins = {s.code: s for s in origin_status(ctx, today)}
    offices = sorted(set(last_in) | set(last_out) | set(origins))
    return [
        PartnerPackets(
            code,
            last_in.get(code),
            last_out.get(code),
            origins[code].last_change_at if code in origins else None,
            origins[code].days_behind if code in origins else None,
            origins[code].waiting if code in origins else 0,
        )
        for code in offices
    ]
