"""Read-only figures for the home page and the status bar, in one call each.

Home must show its figures at once on a store of 100,000 visits, so each figure is read in
as few passes as possible: one over the visits, one over the follow-ups. A full pass over a
table is cheaper than the tens of thousands of index lookups into the visits that a join
from the open follow-ups makes. Visits the user is not cleared for, and their follow-ups,
count nowhere (``fieldkit.store.clearance``).
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.engine import make_url

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.services.monitoring_types import FollowUpRow
from fieldkit.services.visit_list import OPEN_STATUSES, followup_row_query, followup_rows
from fieldkit.store.clearance import hidden_clause, visibility_conditions
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


def _count_where(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@requires(Permission.VIEW_RECORDS)
def dashboard_counts(ctx: Context, today: dt.date | None = None) -> DashboardCounts:
    """Visits recorded and started this month; open follow-ups of live visits, and those overdue;
    all of them among the visits the user is cleared for."""
    today = today or ctx.today()
    live = MonitoringVisit.deleted.is_(False)
    visible = visibility_conditions(MonitoringVisit, ctx.principal)
    this_month = and_(
        live, MonitoringVisit.date_start >= today.replace(day=1), MonitoringVisit.date_start <= today
    )
    hidden = hidden_clause(MonitoringVisit, ctx.principal)
    with ctx.store.read() as session:
        visits_total, visits_this_month, deleted_visits, hidden_visits = session.execute(
            select(
                _count_where(and_(live, *visible)),
                _count_where(and_(this_month, *visible)),
                _count_where(MonitoringVisit.deleted.is_(True)),
                _count_where(hidden) if hidden is not None else literal(0),
            )
        ).one()
        where = [FollowUp.deleted.is_(False)]
        if deleted_visits:  # rare: most stores never look the deleted visits up
            gone = select(MonitoringVisit.id).where(MonitoringVisit.deleted.is_(True))
            where.append(FollowUp.visit_id.not_in(gone))
        if hidden is not None and hidden_visits:  # the same for those the user is not cleared for
            where.append(FollowUp.visit_id.not_in(select(MonitoringVisit.id).where(hidden)))
        is_open = FollowUp.status.in_(OPEN_STATUSES)
        # the statuses are tested per row, not in WHERE: an index on them would turn one pass
        # into a lookup per open follow-up
        open_count, overdue_count = session.execute(
            select(_count_where(is_open), _count_where(and_(is_open, FollowUp.due_date < today))).where(
                *where
            )
        ).one()
    return DashboardCounts(
        visits_this_month=int(visits_this_month),
        overdue_followups=int(overdue_count),
        open_followups=int(open_count),
        visits_total=int(visits_total),
    )


@requires(Permission.VIEW_RECORDS)
def longest_overdue(ctx: Context, today: dt.date | None = None, *, limit: int = 12) -> list[FollowUpRow]:
    """The ``limit`` open follow-ups of live visits the user may see, longest past their due date.

    Read per status, each in due-date order along its index, so the read stops after ``limit``
    rows instead of sorting every overdue follow-up."""
    today = today or ctx.today()
    found: list[list[FollowUpRow]] = []
    with ctx.store.read() as session:
        for status in OPEN_STATUSES:
            rows = session.execute(
                followup_row_query()
                .where(
                    FollowUp.status == status,
                    FollowUp.due_date < today,
                    FollowUp.deleted.is_(False),
                    MonitoringVisit.deleted.is_(False),
                    *visibility_conditions(MonitoringVisit, ctx.principal),
                )
                .order_by(FollowUp.due_date, FollowUp.id)
                .limit(limit)
            ).all()
            found.append(followup_rows(rows, today))
    merged = heapq.merge(*found, key=lambda r: (r.due_date or today, r.id))
    return list(merged)[:limit]


@requires(Permission.VIEW_RECORDS)
def store_location(ctx: Context) -> StoreLocation:
    store = ctx.store
    if store.path is not None:
        return StoreLocation(store.backend, str(store.path), str(store.path))
    shown = make_url(store.url).render_as_string(hide_password=True)
    return StoreLocation(store.backend, shown, None)
