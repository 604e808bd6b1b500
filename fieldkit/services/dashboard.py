"""Read-only figures for the home page and the status bar, in one call each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from fieldkit.context import Context
from fieldkit.services.visit_list import count_overdue, open_followups, visits_in_month
from fieldkit.store.records import FollowUp, MonitoringVisit
from fieldkit.store.system import SyncPacket
from fieldkit.sync.state import origin_status


@dataclass(frozen=True)
class DashboardCounts:
    visits_this_month: int
    overdue_followups: int
    open_followups: int
    visits_total: int


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


@dataclass(frozen=True)
class StoreLocation:
    backend: str
    #: what to show a user: the file for SQLite, the URL with its password masked otherwise
    display: str
    path: str | None


def dashboard_counts(ctx: Context, today: dt.date | None = None) -> DashboardCounts:
    today = today or ctx.today()
    with ctx.store.read() as session:
        open_count = session.execute(
            select(func.count())
            .select_from(FollowUp)
            .join(MonitoringVisit, MonitoringVisit.id == FollowUp.visit_id)
            .where(*open_followups())
        ).scalar_one()
        visits_total = session.execute(
            select(func.count()).select_from(MonitoringVisit).where(MonitoringVisit.deleted.is_(False))
        ).scalar_one()
    return DashboardCounts(
        visits_this_month=visits_in_month(ctx, today),
        overdue_followups=count_overdue(ctx, today),
        open_followups=open_count,
        visits_total=visits_total,
    )


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


def store_location(ctx: Context) -> StoreLocation:
    store = ctx.store
    if store.path is not None:
        return StoreLocation(store.backend, str(store.path), str(store.path))
    shown = make_url(store.url).render_as_string(hide_password=True)
    return StoreLocation(store.backend, shown, None)
