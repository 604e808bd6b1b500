"""Read-only figures for the home page and the status bar, in one call each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from fieldkit.context import Context
from fieldkit.services.visit_list import count_overdue, visits_in_month
from fieldkit.store.records import FollowUp, MonitoringVisit

OPEN_STATUSES = ("open", "in-progress")


@dataclass(frozen=True)
class DashboardCounts:
    visits_this_month: int
    overdue_followups: int
    open_followups: int
    visits_total: int


@dataclass(frozen=True)
class PartnerPackets:
    """When the last sync packet came in from, and went out to, one partner office."""

    office: str
    last_in: dt.datetime | None
    last_out: dt.datetime | None


@dataclass(frozen=True)
class StoreLocation:
    backend: str
    #: what to show a user: the file for SQLite, the URL with its password masked otherwise
    display: str
    path: str | None


def dashboard_counts(ctx: Context, today: dt.date | None = None) -> DashboardCounts:
    today = today or dt.date.today()
    with ctx.store.read() as session:
        open_followups = session.execute(
            select(func.count())
            .select_from(FollowUp)
            .join(MonitoringVisit, MonitoringVisit.id == FollowUp.visit_id)
            .where(
                FollowUp.deleted.is_(False),
                MonitoringVisit.deleted.is_(False),
                FollowUp.status.in_(OPEN_STATUSES),
            )
        ).scalar_one()
        visits_total = session.execute(
            select(func.count()).select_from(MonitoringVisit).where(MonitoringVisit.deleted.is_(False))
        ).scalar_one()
    return DashboardCounts(
        visits_this_month=visits_in_month(ctx, today),
        overdue_followups=count_overdue(ctx, today),
        open_followups=open_followups,
        visits_total=visits_total,
    )


def partner_packets(ctx: Context) -> list[PartnerPackets]:
    """Last packet in and out per partner office, by office code; empty before any sync."""
    # Imported here: the sync tables are younger than this module and may still change shape.
    from fieldkit.store.system import SyncPacket

    last_in: dict[str, dt.datetime] = {}
    last_out: dict[str, dt.datetime] = {}
    try:
        with ctx.store.read() as session:
            incoming = session.execute(
                select(SyncPacket.sender, func.max(SyncPacket.at))
                .where(SyncPacket.direction == "in")
                .group_by(SyncPacket.sender)
            ).all()
            outgoing = session.execute(
                select(SyncPacket.recipients, SyncPacket.at).where(SyncPacket.direction == "out")
            ).all()
    except SQLAlchemyError:  # a store from before the sync tables: nothing to show yet
        return []
    for sender, at in incoming:
        last_in[sender] = at
    for recipients, at in outgoing:
        for office in recipients or ():
            if office not in last_out or at > last_out[office]:
                last_out[office] = at
    offices = sorted(set(last_in) | set(last_out))
    return [PartnerPackets(code, last_in.get(code), last_out.get(code)) for code in offices]


def store_location(ctx: Context) -> StoreLocation:
    store = ctx.store
    if store.path is not None:
        return StoreLocation(store.backend, str(store.path), str(store.path))
    shown = make_url(store.url).render_as_string(hide_password=True)
    return StoreLocation(store.backend, shown, None)
