"""The monitoring list, its filters and full-text search, and the overdue follow-ups.

Lists come back a page at a time, sorted and filtered in SQL, so the window shows
the first rows of 100,000 visits at once and fetches more as the user scrolls. Every
list and count holds only the visits the acting user is cleared for
(``fieldkit.store.clearance``): a hidden visit is neither shown nor counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, exists, func, literal, select, text
from sqlalchemy import false as sql_false
from sqlalchemy.orm import Session

from fieldkit.access import Permission, Principal, requires
from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies, vocabularies
from fieldkit.progress import Progress
from fieldkit.search import cancellable, gather_matching_ids
from fieldkit.services.monitoring_types import (
    AreaRow,
    FollowUpRow,
    OverduePage,
    VisitFilter,
    VisitPage,
    VisitRow,
)
from fieldkit.store.clearance import visibility_conditions
from fieldkit.store.records import AdminArea, FollowUp, Incident, MonitoringVisit, VocabularyTerm

#: ids per ``IN`` list, well below SQLite's limit on bound parameters
_ID_CHUNK = 500

#: follow-up statuses that still ask for work
OPEN_STATUSES = ("open", "in-progress")

#: what the visit list can be sorted by
VISIT_SORTS = (
    "date_start", "title", "visit_type", "location", "confidentiality", "incidents", "open_followups",
    "origin_office", "updated_at",
)  # fmt: skip


def _area_ids(session: Session, root: str) -> list[str]:
    """The area and all areas beneath it."""
    tree = select(AdminArea.id).where(AdminArea.id == root).cte(recursive=True)
    tree = tree.union_all(select(AdminArea.id).where(AdminArea.parent_id == tree.c.id))
    return list(session.execute(select(tree.c.id)).scalars())


def term_codes(session: Session, vocabulary: str, codes: tuple[str, ...]) -> list[str]:
    """The codes and every term beneath them: a filter on a parent term matches its children.

    Deleted and inactive terms count, since old records still carry their codes.
    """
    tree = (
        select(VocabularyTerm.code)
        .where(VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.code.in_(codes))
        .cte(recursive=True)
    )
    tree = tree.union(
        select(VocabularyTerm.code).where(
            VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.parent_code == tree.c.code
        )
    )
    # a code the store does not know still filters (to nothing), as it did before
    return sorted(set(codes) | set(session.execute(select(tree.c.code)).scalars()))


def _violation_clause(session: Session, code: str) -> Any:
    codes = term_codes(session, "violation_type", (code,))
    if session.get_bind().dialect.name == "postgresql":
        has_code = text("jsonb_exists_any(CAST(incident.violation_types AS JSONB), :codes)").bindparams(
            codes=codes
        )
    else:
        has_code = text(
            "EXISTS (SELECT 1 FROM json_each(incident.violation_types) WHERE json_each.value IN :codes)"
        ).bindparams(bindparam("codes", value=codes, expanding=True))
    return exists(
        select(Incident.id).where(
            Incident.visit_id == MonitoringVisit.id, Incident.deleted.is_(False), has_code
        )
    )


def _conditions(session: Session, flt: VisitFilter, today: dt.date, principal: Principal) -> list[Any]:
    """WHERE conditions on ``monitoring_visit`` for a filter, among the visits ``principal`` may see."""
    where: list[Any] = [
        MonitoringVisit.deleted.is_(flt.deleted),
        *visibility_conditions(MonitoringVisit, principal),
    ]
    if flt.date_from:
        where.append(func.coalesce(MonitoringVisit.date_end, MonitoringVisit.date_start) >= flt.date_from)
    if flt.date_to:
        where.append(MonitoringVisit.date_start <= flt.date_to)
    if flt.visit_types:
        where.append(MonitoringVisit.visit_type.in_(term_codes(session, "visit_type", flt.visit_types)))
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


def _incident_count() -> Any:
    return (
        select(func.count())
        .where(Incident.visit_id == MonitoringVisit.id, Incident.deleted.is_(False))
        .scalar_subquery()
    )


def _open_followup_count() -> Any:
    return (
        select(func.count())
        .where(
            FollowUp.visit_id == MonitoringVisit.id,
            FollowUp.deleted.is_(False),
            FollowUp.status.in_(OPEN_STATUSES),
        )
        .scalar_subquery()
    )


def _rank(column: Any, codes: list[str]) -> Any:
    """A code's place in ``codes``; codes not listed come after them."""
    if not codes:
        return literal(0)
    return case({code: i for i, code in enumerate(codes)}, value=column, else_=len(codes))


def _sort_key(sort: str, vocab: Vocabularies) -> Any:
    """The expression ``sort`` names. Levels sort by their place in the vocabulary (public before
    strictly confidential), types by their label in the current language, texts without case."""
    if sort == "title":
        return func.lower(MonitoringVisit.title)
    if sort == "visit_type":
        terms = vocab.terms("visit_type", include_inactive=True)
        by_label = sorted(terms, key=lambda t: (t.label().casefold(), t.code))
        return _rank(MonitoringVisit.visit_type, [t.code for t in by_label])
    if sort == "location":
        return func.lower(func.coalesce(AdminArea.name, MonitoringVisit.location_text))
    if sort == "confidentiality":
        levels = vocab.terms("sensitivity_level", include_inactive=True)
        return _rank(MonitoringVisit.confidentiality, [t.code for t in levels])
    if sort == "incidents":
        return _incident_count()
    if sort == "open_followups":
        return _open_followup_count()
    if sort == "origin_office":
        return MonitoringVisit.origin_office
    if sort == "updated_at":
        return MonitoringVisit.updated_at
    return MonitoringVisit.date_start


def _row_query() -> Select[Any]:
    """The columns of one line of the list (``VisitRow``), for a page and for rows read by id."""
    return select(
        MonitoringVisit.id,
        MonitoringVisit.title,
        MonitoringVisit.visit_type,
        MonitoringVisit.date_start,
        MonitoringVisit.date_end,
        MonitoringVisit.date_precision,
        MonitoringVisit.location_text,
        MonitoringVisit.confidentiality,
        _incident_count(),
        _open_followup_count(),
        MonitoringVisit.origin_office,
        MonitoringVisit.updated_at,
        MonitoringVisit.version,
        MonitoringVisit.deleted,
        MonitoringVisit.admin_area_id,
        func.coalesce(AdminArea.name, ""),
    ).outerjoin(AdminArea, AdminArea.id == MonitoringVisit.admin_area_id)


def _order(sort: str, descending: bool, vocab: Vocabularies) -> list[tuple[Any, bool]]:
    """The sort named, then newest first among equals, then by id, each with its direction."""
    order = [(_sort_key(sort, vocab), descending)]
    if sort != "date_start":
        order.append((MonitoringVisit.date_start, True))
    order.append((MonitoringVisit.id, True))
    return order


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
    total: int | None = None,
    progress: Progress | None = None,
) -> VisitPage:
    """One page of the visits that pass ``flt``, sorted by one of ``VISIT_SORTS`` (newest first
    among equals), with the exact number that pass. A caller paging through a result it has
    counted passes that ``total``: it is not counted again, and pages past the middle are read
    from the far end, so that the last page costs what the first does. ``progress.cancel()``
    stops the queries (``Cancelled``)."""
    flt = flt or VisitFilter()
    today = today or ctx.today()
    order = _order(sort, descending, vocabularies(ctx))
    with ctx.store.read() as session, cancellable(session, progress):
        where = _conditions(session, flt, today, ctx.principal)
        if total is None:
            total = session.execute(
                select(func.count()).select_from(MonitoringVisit).where(*where)
            ).scalar_one()
        from_end = offset > 0 and 2 * offset + limit > total
        if from_end:  # the same rows, counted from the other end in the opposite order
            limit = max(min(limit, total - offset), 0)
            offset = max(total - offset - limit, 0)
        directed = [column.desc() if down != from_end else column.asc() for column, down in order]
        # The page's ids first, from the sort columns alone; the counts are then computed for
        # these rows only, not for every row the sort passes over.
        ids_query = select(MonitoringVisit.id).where(*where).order_by(*directed).offset(offset).limit(limit)
        if sort == "location":
            ids_query = ids_query.outerjoin(AdminArea, AdminArea.id == MonitoringVisit.admin_area_id)
        ids = list(session.execute(ids_query).scalars()) if limit else []
        if from_end:
            ids.reverse()
            offset = total - offset - len(ids)
        if not ids:
            return VisitPage([], total, offset)
        rows = session.execute(_row_query().where(MonitoringVisit.id.in_(ids))).all()
    by_id = {row[0]: VisitRow(*row) for row in rows}
    return VisitPage([by_id[i] for i in ids if i in by_id], total, offset)


@requires(Permission.VIEW_RECORDS)
def visit_ids(
    ctx: Context,
    flt: VisitFilter | None = None,
    *,
    sort: str = "date_start",
    descending: bool = True,
    today: dt.date | None = None,
) -> list[str]:
    """The ids of every visit that passes ``flt``, in ``list_visits``'s order: a script reads
    the whole result through ``visit_rows`` a batch at a time, where pages deep in a large
    result would cost more with each OFFSET."""
    order = _order(sort, descending, vocabularies(ctx))
    with ctx.store.read() as session:
        where = _conditions(session, flt or VisitFilter(), today or ctx.today(), ctx.principal)
        query = select(MonitoringVisit.id).where(*where)
        query = query.order_by(*(column.desc() if down else column.asc() for column, down in order))
        if sort == "location":
            query = query.outerjoin(AdminArea, AdminArea.id == MonitoringVisit.admin_area_id)
        return list(session.execute(query).scalars())


@requires(Permission.VIEW_RECORDS)
def visit_rows(ctx: Context, ids: Sequence[str]) -> list[VisitRow]:
    """The list lines of these visits, in the order given (ids no longer in the store, or of visits
    the user may not see, are skipped)."""
    found: dict[str, VisitRow] = {}
    visible = visibility_conditions(MonitoringVisit, ctx.principal)
    with ctx.store.read() as session:
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            for row in session.execute(_row_query().where(MonitoringVisit.id.in_(chunk), *visible)).all():
                found[row.id] = VisitRow(*row)
    return [found[i] for i in ids if i in found]


def open_followups(principal: Principal) -> tuple[Any, ...]:
    """Conditions for a live, open follow-up of a live visit ``principal`` may see (join
    follow_up to its visit)."""
    return (
        FollowUp.deleted.is_(False),
        MonitoringVisit.deleted.is_(False),
        FollowUp.status.in_(OPEN_STATUSES),
        *visibility_conditions(MonitoringVisit, principal),
    )


def followup_row_query() -> Select[str, str, str, str, str, dt.date | None, str, str]:
    """The columns of one line of a follow-up list (``FollowUpRow``), joined to the visit."""
    return select(
        FollowUp.id,
        FollowUp.visit_id,
        MonitoringVisit.title,
        FollowUp.action,
        FollowUp.responsible,
        FollowUp.due_date,
        FollowUp.status,
        FollowUp.origin_office,
    ).join(MonitoringVisit, MonitoringVisit.id == FollowUp.visit_id)


def followup_rows(rows: Sequence[Any], today: dt.date) -> list[FollowUpRow]:
    """Lines of ``followup_row_query``, with the days each is overdue (those with a due date)."""
    return [
        FollowUpRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], (today - r[5]).days, r[7]) for r in rows if r[5]
    ]


def _overdue_rows(
    session: Session, principal: Principal, today: dt.date, offset: int, limit: int
) -> list[FollowUpRow]:
    rows = session.execute(
        followup_row_query()
        .where(*open_followups(principal), FollowUp.due_date < today)
        .order_by(FollowUp.due_date, FollowUp.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return followup_rows(rows, today)


def _count_overdue(session: Session, principal: Principal, today: dt.date) -> int:
    return session.execute(
        select(func.count())
        .select_from(FollowUp)
        .join(MonitoringVisit, MonitoringVisit.id == FollowUp.visit_id)
        .where(*open_followups(principal), FollowUp.due_date < today)
    ).scalar_one()


@requires(Permission.VIEW_RECORDS)
def overdue_page(
    ctx: Context, today: dt.date | None = None, *, offset: int = 0, limit: int = 500
) -> OverduePage:
    """One page of the open follow-ups past their due date, the longest overdue first, with
    how many there are in all (counted in the same read, so the two agree)."""
    today = today or ctx.today()
    with ctx.store.read() as session:
        total = _count_overdue(session, ctx.principal, today)
        rows = _overdue_rows(session, ctx.principal, today, offset, limit)
    return OverduePage(rows, total, offset)


@requires(Permission.VIEW_RECORDS)
def overdue_followups(ctx: Context, today: dt.date | None = None, *, limit: int = 5000) -> list[FollowUpRow]:
    """At most ``limit`` of the longest overdue follow-ups, for short lists such as Home's.

    Not a count: a list that must show every overdue follow-up or their number pages with
    ``overdue_page``, whose total is exact.
    """
    today = today or ctx.today()
    with ctx.store.read() as session:
        return _overdue_rows(session, ctx.principal, today, 0, limit)


@requires(Permission.VIEW_RECORDS)
def count_overdue(ctx: Context, today: dt.date | None = None) -> int:
    """How many open follow-ups are past their due date: all of them, never a page."""
    today = today or ctx.today()
    with ctx.store.read() as session:
        return _count_overdue(session, ctx.principal, today)


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
                *visibility_conditions(MonitoringVisit, ctx.principal),
            )
        ).scalar_one()


@requires(Permission.VIEW_RECORDS)
def visit_offices(ctx: Context) -> list[str]:
    """The offices whose visits this store holds (a consolidating office holds many), of the
    visits the user may see."""
    visible = visibility_conditions(MonitoringVisit, ctx.principal)
    with ctx.store.read() as session:
        query = select(MonitoringVisit.origin_office).where(*visible).distinct()
        return sorted(session.execute(query).scalars())


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
