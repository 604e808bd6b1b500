"""The monitoring list, its filters and full-text search, and the overdue follow-ups.

Lists come back a page at a time, sorted and filtered in SQL, so the window shows
the first rows of 100,000 visits at once and fetches more as the user scrolls.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, exists, func, select, text
from sqlalchemy import false as sql_false
from sqlalchemy.orm import Session

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.progress import Progress
from fieldkit.search import cancellable, gather_matching_ids
from fieldkit.services.monitoring_types import AreaRow, FollowUpRow, VisitFilter, VisitPage, VisitRow
from fieldkit.store.records import AdminArea, FollowUp, Incident, MonitoringVisit

#: follow-up statuses that still ask for work
OPEN_STATUSES = ("open", "in-progress")

SORT_COLUMNS: dict[str, Any] = {
    "date_start": MonitoringVisit.date_start,
    "title": MonitoringVisit.title,
    "visit_type": MonitoringVisit.visit_type,
    "location": MonitoringVisit.location_text,
    "confidentiality": MonitoringVisit.confidentiality,
    "origin_office": MonitoringVisit.origin_office,
    "updated_at": MonitoringVisit.updated_at,
}


def _area_ids(session: Session, root: str) -> list[str]:
    """The area and all areas beneath it."""
    tree = select(AdminArea.id).where(AdminArea.id == root).cte(recursive=True)
    tree = tree.union_all(select(AdminArea.id).where(AdminArea.parent_id == tree.c.id))
    return list(session.execute(select(tree.c.id)).scalars())


def _violation_clause(session: Session, code: str) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        has_code = text("jsonb_exists(CAST(incident.violation_types AS JSONB), :code)").bindparams(code=code)
    else:
        has_code = text(
            "EXISTS (SELECT 1 FROM json_each(incident.violation_types) WHERE json_each.value = :code)"
        ).bindparams(code=code)
    return exists(
        select(Incident.id).where(
            Incident.visit_id == MonitoringVisit.id, Incident.deleted.is_(False), has_code
        )
    )


def _conditions(session: Session, flt: VisitFilter, today: dt.date) -> list[Any]:
    """WHERE conditions on ``monitoring_visit`` for a filter."""
    where: list[Any] = [MonitoringVisit.deleted.is_(flt.deleted)]
    if flt.date_from:
        where.append(func.coalesce(MonitoringVisit.date_end, MonitoringVisit.date_start) >= flt.date_from)
    if flt.date_to:
        where.append(MonitoringVisit.date_start <= flt.date_to)
    if flt.visit_types:
        where.append(MonitoringVisit.visit_type.in_(flt.visit_types))
    if flt.confidentiality:
        where.append(MonitoringVisit.confidentiality.in_(flt.confidentiality))
    if flt.origin_office:
        where.append(MonitoringVisit.origin_office == flt.origin_office)
    if flt.admin_area_id:
        where.append(MonitoringVisit.admin_area_id.in_(_area_ids(session, flt.admin_area_id)))
    if flt.violation_type:
        where.append(_violation_clause(session, flt.violation_type))
    if flt.followups:
        open_fu = and_(
            FollowUp.visit_id == MonitoringVisit.id,
            FollowUp.deleted.is_(False),
            FollowUp.status.in_(OPEN_STATUSES),
        )
        if flt.followups == "open":
            where.append(exists(select(FollowUp.id).where(open_fu)))
        elif flt.followups == "overdue":
            where.append(exists(select(FollowUp.id).where(open_fu, FollowUp.due_date < today)))
        elif flt.followups == "none":
            where.append(~exists(select(FollowUp.id).where(open_fu)))
    if flt.text.strip():
        matches = gather_matching_ids(session, MonitoringVisit.record_type, flt.text)
        if matches is None:
            return [sql_false()]
        where.append(MonitoringVisit.id.in_(matches.columns(record_id=MonitoringVisit.id.type)))
    return where


@requires(Permission.VIEW_RECORDS)
def list_visits(
    ctx: Context,
    flt: VisitFilter | None = None,
    *,
    sort: str = "date_start",
    descending: bool = True,
    offset: int = 0,
    limit: int = 500,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> VisitPage:
    """One page of the visits that pass ``flt``, with the total that pass; ``progress.cancel()``
    stops the queries (``Cancelled``)."""
    flt = flt or VisitFilter()
    today = today or ctx.today()
    column = SORT_COLUMNS.get(sort, MonitoringVisit.date_start)
    order = [column.desc() if descending else column.asc(), MonitoringVisit.id.desc()]
    with ctx.store.read() as session, cancellable(session, progress):
        where = _conditions(session, flt, today)
        total = session.execute(select(func.count()).select_from(MonitoringVisit).where(*where)).scalar_one()
        incidents = (
            select(func.count())
            .where(Incident.visit_id == MonitoringVisit.id, Incident.deleted.is_(False))
            .scalar_subquery()
        )
        followups = (
            select(func.count())
            .where(
                FollowUp.visit_id == MonitoringVisit.id,
                FollowUp.deleted.is_(False),
                FollowUp.status.in_(OPEN_STATUSES),
            )
            .scalar_subquery()
        )
        rows = session.execute(
            select(
                MonitoringVisit.id,
                MonitoringVisit.title,
                MonitoringVisit.visit_type,
                MonitoringVisit.date_start,
                MonitoringVisit.date_end,
                MonitoringVisit.date_precision,
                MonitoringVisit.location_text,
                MonitoringVisit.confidentiality,
                incidents,
                followups,
                MonitoringVisit.origin_office,
                MonitoringVisit.updated_at,
                MonitoringVisit.version,
                MonitoringVisit.deleted,
            )
            .where(*where)
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        ).all()
    return VisitPage([VisitRow(*row) for row in rows], total, offset)


def open_followups() -> tuple[Any, ...]:
    """Conditions for a live, open follow-up of a live visit (join follow_up to its visit)."""
    return (
        FollowUp.deleted.is_(False),
        MonitoringVisit.deleted.is_(False),
        FollowUp.status.in_(OPEN_STATUSES),
    )


@requires(Permission.VIEW_RECORDS)
def overdue_followups(ctx: Context, today: dt.date | None = None, *, limit: int = 5000) -> list[FollowUpRow]:
    """Open follow-ups whose due date has passed, the longest overdue first."""
    today = today or ctx.today()
    with ctx.store.read() as session:
        rows = session.execute(
            select(
                FollowUp.id,
                FollowUp.visit_id,
                MonitoringVisit.title,
                FollowUp.action,
                FollowUp.responsible,
                FollowUp.due_date,
                FollowUp.status,
                FollowUp.origin_office,
            )
            .join(MonitoringVisit, MonitoringVisit.id == FollowUp.visit_id)
            .where(*open_followups(), FollowUp.due_date < today)
            .order_by(FollowUp.due_date, FollowUp.id)
            .limit(limit)
        ).all()
    # the query only returns follow-ups with a due date
    return [
        FollowUpRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], (today - r[5]).days, r[7]) for r in rows if r[5]
    ]


@requires(Permission.VIEW_RECORDS)
def count_overdue(ctx: Context, today: dt.date | None = None) -> int:
    today = today or ctx.today()
    with ctx.store.read() as session:
        return session.execute(
            select(func.count())
            .select_from(FollowUp)
            .join(MonitoringVisit, MonitoringVisit.id == FollowUp.visit_id)
            .where(*open_followups(), FollowUp.due_date < today)
        ).scalar_one()


@requires(Permission.VIEW_RECORDS)
def visits_in_month(ctx: Context, today: dt.date | None = None) -> int:
    """Visits that started this calendar month."""
    today = today or ctx.today()
    first = today.replace(day=1)
    with ctx.store.read() as session:
        return session.execute(
            select(func.count()).where(
                MonitoringVisit.deleted.is_(False),
                MonitoringVisit.date_start >= first,
                MonitoringVisit.date_start <= today,
            )
        ).scalar_one()


@requires(Permission.VIEW_RECORDS)
def visit_offices(ctx: Context) -> list[str]:
    """The offices whose visits this store holds (a consolidating office holds many)."""
    with ctx.store.read() as session:
        return sorted(session.execute(select(MonitoringVisit.origin_office).distinct()).scalars())


@requires(Permission.VIEW_RECORDS)
def admin_areas(ctx: Context) -> list[AreaRow]:
    """Every live area with its full path ("Kenya › Nairobi › Kibera"), in tree order."""
    with ctx.store.read() as session:
        rows = session.execute(
            select(AdminArea.id, AdminArea.name, AdminArea.level, AdminArea.parent_id).where(
                AdminArea.deleted.is_(False)
            )
        ).all()
    by_id = {r.id: r for r in rows}

    def path(area_id: str | None) -> list[str]:
        names: list[str] = []
        seen: set[str] = set()
        while area_id and area_id in by_id and area_id not in seen:
            seen.add(area_id)
            names.insert(0, by_id[area_id].name)
            area_id = by_id[area_id].parent_id
        return names

    areas = [AreaRow(r.id, r.name, r.level, r.parent_id, " › ".join(path(r.id))) for r in rows]
    return sorted(areas, key=lambda a: a.path.casefold())
