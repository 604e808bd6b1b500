"""Per-partner sync state: what each partner holds, what we hold, what is waiting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from fieldkit.clock import local_date
from fieldkit.context import Context
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


def partner_status(ctx: Context) -> list[PartnerStatus]:
    result = []
    with ctx.store.read() as session:
        partners = session.execute(select(Office).where(Office.is_local.is_(False)).order_by(Office.code))
        held_count = {
            origin: int(n)
            for origin, n in session.execute(
                select(HeldChange.origin_office, func.count()).group_by(HeldChange.origin_office)
            )
        }
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
                        )
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


def origin_status(ctx: Context, today: dt.date | None = None) -> list[OriginStatus]:
    """Per origin office: the newest change held, the last packet from it, and what waits for a gap."""
    today = today or ctx.today()
    with ctx.store.read() as session:
        names = dict(session.execute(select(Office.code, Office.name)).all())
        newest = dict(
            session.execute(
                select(ChangeLog.origin_office, func.max(ChangeLog.at)).group_by(ChangeLog.origin_office)
            ).all()
        )
        packets = dict(
            session.execute(
                select(SyncPacket.sender, func.max(SyncPacket.at))
                .where(SyncPacket.direction == "in")
                .group_by(SyncPacket.sender)
            ).all()
        )
        waiting = dict(
            session.execute(
                select(HeldChange.origin_office, func.count()).group_by(HeldChange.origin_office)
            ).all()
        )
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
