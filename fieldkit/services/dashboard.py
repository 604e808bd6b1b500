"""Read-only figures for the home page and the status bar, in one call each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.services.visit_list import count_overdue, open_followups, visits_in_month
from fieldkit.store.records import FollowUp, MonitoringVisit


@dataclass(frozen=True)
class DashboardCounts:
    visits_this_month: int
    overdue_followups: int
    open_followups: int
    visits_total: int


@dataclass(frozen=True)
class StoreLocation:
    backend: str
    #: what to show a user: the file for SQLite, the URL with its password masked otherwise
    display: str
    path: str | None


@requires(Permission.VIEW_RECORDS)
def dashboard_counts(ctx: Context, today: dt.date | None = None) -> DashboardCounts:
    today = today or dt.date.today()
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


@requires(Permission.VIEW_RECORDS)
def store_location(ctx: Context) -> StoreLocation:
    store = ctx.store
    if store.path is not None:
        return StoreLocation(store.backend, str(store.path), str(store.path))
    shown = make_url(store.url).render_as_string(hide_password=True)
    return StoreLocation(store.backend, shown, None)
