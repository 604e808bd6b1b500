"""The grouped counts behind the monitoring reports, and how they roll up into figures.

``read_groups`` reads every count a summary needs with a handful of ``GROUP BY`` queries over
the visits that pass the report's filter (``report_filter.visit_conditions``, which starts
from the clearance filter), keyed by origin office so that one read serves every office's
section. ``summary_of`` rolls those groups up for some offices: a vocabulary's hierarchy, a
place's region, a period's months. Python works on groups here, never on records.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, case, cast, extract, func, select
from sqlalchemy.orm import Session

from fieldkit.access import Principal
from fieldkit.domain.vocab import Vocabularies
from fieldkit.i18n import translator
from fieldkit.services.report_filter import AppliedFilter, visit_conditions
from fieldkit.services.report_types import (
    AreaCount,
    MonthCount,
    OverdueItem,
    RegionCount,
    SituationSummary,
    TermCount,
    Trend,
)
from fieldkit.services.visit_list import OPEN_STATUSES
from fieldkit.store.clearance import redact
from fieldkit.store.records import AdminArea, FollowUp, Incident, MonitoringVisit

MV = MonitoringVisit


@dataclasses.dataclass
class Groups:
    """The grouped counts of one read, keyed by origin office first."""

    #: (office, period, visit type) -> visits; period 1 is the report's, 0 the one before
    types: Counter[tuple[str, int, str]] = dataclasses.field(default_factory=Counter)
    #: (office, period, the incident's violation codes) -> incidents
    violations: Counter[tuple[str, int, tuple[str, ...]]] = dataclasses.field(default_factory=Counter)
    #: (office, area id, year, month) -> visits, incidents (the report's period)
    place_visits: Counter[tuple[str, str | None, int, int]] = dataclasses.field(default_factory=Counter)
    place_incidents: Counter[tuple[str, str | None, int, int]] = dataclasses.field(default_factory=Counter)
    #: office -> its open follow-ups past their due date
    overdue: Counter[str] = dataclasses.field(default_factory=Counter)


def _codes(value: Any) -> tuple[str, ...]:
    """An incident's violation codes as the grouping read them (JSON text, or a list)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return ()
    return tuple(str(code) for code in value) if isinstance(value, list) else ()


def read_groups(
    session: Session, applied: AppliedFilter, principal: Principal, country: str | None
) -> Groups:
    groups = Groups()
    both = visit_conditions(applied, principal, date_from=applied.previous_from, country=country)
    current = visit_conditions(applied, principal, country=country)
    period = case((MV.date_start >= applied.date_from, 1), else_=0)
    live_incident = Incident.deleted.is_(False)

    for office, in_period, code, n in session.execute(
        select(MV.origin_office, period, MV.visit_type, func.count())
        .where(*both)
        .group_by(MV.origin_office, period, MV.visit_type)
    ):
        groups.types[(office, int(in_period), code)] += n
    # grouped by the incident's whole list of codes: few distinct lists, and each incident
    # counts once under a parent term however many of its children it carries
    codes_text = cast(Incident.violation_types, String)
    for office, in_period, codes, n in session.execute(
        select(MV.origin_office, period, codes_text, func.count())
        .select_from(Incident)
        .join(MV, MV.id == Incident.visit_id)
        .where(live_incident, *both)
        .group_by(MV.origin_office, period, codes_text)
    ):
        groups.violations[(office, int(in_period), _codes(codes))] += n
    # places and months in one pass over the period's visits, each visit's allegations counted
    # along its index (a join would read every incident of the store for a short period)
    year, month = extract("year", MV.date_start), extract("month", MV.date_start)
    per_visit = select(func.count()).where(Incident.visit_id == MV.id, live_incident).scalar_subquery()
    for office, area, y, m, n, n_incidents in session.execute(
        select(MV.origin_office, MV.admin_area_id, year, month, func.count(), func.sum(per_visit))
        .where(*current)
        .group_by(MV.origin_office, MV.admin_area_id, year, month)
    ):
        groups.place_visits[(office, area, int(y), int(m))] += n
        groups.place_incidents[(office, area, int(y), int(m))] += int(n_incidents or 0)
    for office, n in session.execute(
        select(MV.origin_office, func.count())
        .select_from(FollowUp)
        .join(MV, MV.id == FollowUp.visit_id)
        .where(*_overdue(applied), *current)
        .group_by(MV.origin_office)
    ):
        groups.overdue[office] += n
    return groups


def _overdue(applied: AppliedFilter) -> tuple[Any, ...]:
    return (
        FollowUp.deleted.is_(False),
        FollowUp.status.in_(OPEN_STATUSES),
        FollowUp.due_date < applied.today,
    )


def _overdue_columns() -> tuple[Any, ...]:
    return (
        FollowUp.id,
        FollowUp.visit_id,
        MV.title,
        FollowUp.action,
        FollowUp.responsible,
        FollowUp.due_date,
        FollowUp.status,
        MV.origin_office,
    )


def _overdue_item(row: Any, applied: AppliedFilter, principal: Principal, vocab: Vocabularies) -> OverdueItem:
    fu_id, visit_id, title, action, responsible, due, status, office = row[:8]
    owed = redact(FollowUp.record_type, {"action": action, "responsible": responsible}, principal)
    visit = redact(MV.record_type, {"title": title}, principal)
    return OverdueItem(
        follow_up_id=fu_id,
        visit_id=visit_id,
        visit_title=visit["title"],
        action=owed["action"],
        responsible=owed["responsible"],
        due_date=due,
        days_overdue=(applied.today - due).days,
        status=status,
        status_label=vocab.label("followup_status", status, applied.lang),
        office=office,
    )


def overdue_items(
    session: Session,
    applied: AppliedFilter,
    principal: Principal,
    vocab: Vocabularies,
    limit: int,
    *,
    country: str | None = None,
) -> tuple[OverdueItem, ...]:
    """The ``limit`` longest overdue follow-ups of the report's visits (restricted fields
    redacted for a user who may not see them; none are declared on these columns today)."""
    if limit <= 0:
        return ()
    rows = session.execute(
        select(*_overdue_columns())
        .join(MV, MV.id == FollowUp.visit_id)
        .where(*_overdue(applied), *visit_conditions(applied, principal, country=country))
        .order_by(FollowUp.due_date, FollowUp.id)
        .limit(limit)
    ).all()
    return tuple(_overdue_item(row, applied, principal, vocab) for row in rows)


def overdue_by_office(
    session: Session, applied: AppliedFilter, principal: Principal, vocab: Vocabularies, limit: int
) -> dict[str, tuple[OverdueItem, ...]]:
    """Per office, its ``limit`` longest overdue follow-ups, ranked in one query (not one per office)."""
    if limit <= 0:
        return {}
    rank = func.row_number().over(partition_by=MV.origin_office, order_by=(FollowUp.due_date, FollowUp.id))
    ranked = (
        select(*_overdue_columns(), rank.label("rank"))
        .join(MV, MV.id == FollowUp.visit_id)
        .where(*_overdue(applied), *visit_conditions(applied, principal))
        .subquery()
    )
    rows = session.execute(
        select(ranked).where(ranked.c.rank <= limit).order_by(ranked.c.due_date, ranked.c.id)
    ).all()
    found: dict[str, list[OverdueItem]] = {}
    for row in rows:
        item = _overdue_item(row, applied, principal, vocab)
        found.setdefault(item.office, []).append(item)
    return {office: tuple(items) for office, items in found.items()}


# -- rolling the groups up ---------------------------------------------------------------------


def term_counts(
    vocab: Vocabularies, vocabulary: str, combos: Iterable[tuple[tuple[str, ...], int]], lang: str
) -> tuple[TermCount, ...]:
    """Counts per term of ``vocabulary`` with its hierarchy, from (codes carried, count) groups;
    the terms nothing carries are left out, codes the vocabulary does not know come last."""
    parent = {t.code: t.parent_code for t in vocab.terms(vocabulary, include_inactive=True)}
    total: Counter[str] = Counter()
    direct: Counter[str] = Counter()
    for codes, n in combos:
        reached: set[str] = set()
        for code in set(codes):
            direct[code] += n
            step: str | None = code
            while step is not None and step not in reached:
                reached.add(step)
                step = parent.get(step)
        for code in reached:
            total[code] += n
    out = [
        TermCount(
            node.code, node.label(lang), node.depth, node.parent_code, total[node.code], direct[node.code]
        )
        for node in vocab.tree(vocabulary, include_inactive=True)
        if total[node.code]
    ]
    out += [
        TermCount(code, code, 0, None, total[code], direct[code])
        for code in sorted(total)
        if code not in parent
    ]
    return tuple(out)


@dataclasses.dataclass(frozen=True)
class Place:
    country: str
    region_id: str
    region: str
    area_id: str | None
    area: str


def places(session: Session) -> dict[str, Place]:
    """Every place's country, region (the top level under its country) and the place under the
    region it lies in; deleted places included, since old visits still name them."""
    rows = {r.id: r for r in session.execute(select(AdminArea.id, AdminArea.name, AdminArea.parent_id))}
    places: dict[str, Place] = {}
    for area_id in rows:
        chain_ids: list[str] = []
        step: str | None = area_id
        while step is not None and step in rows and step not in chain_ids:
            chain_ids.insert(0, step)
            step = rows[step].parent_id
        country = rows[chain_ids[0]].name
        region = chain_ids[1] if len(chain_ids) > 1 else chain_ids[0]
        below = chain_ids[2] if len(chain_ids) > 2 else None
        places[area_id] = Place(
            country, region, rows[region].name, below, rows[below].name if below is not None else ""
        )
    return places


def _regions(
    visits: Counter[str | None], incidents: Counter[str | None], places: dict[str, Place], no_place: str
) -> tuple[RegionCount, ...]:
    region_of: dict[str | None, tuple[str, str]] = {None: (no_place, "")}
    per_region: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    per_area: dict[str | None, dict[str, list[Any]]] = defaultdict(dict)
    for area_id in set(visits) | set(incidents):
        place = places.get(area_id) if area_id is not None else None
        region_id = place.region_id if place is not None else None
        if place is not None:
            region_of[region_id] = (place.region, place.country)
        per_region[region_id][0] += visits[area_id]
        per_region[region_id][1] += incidents[area_id]
        if place is not None and place.area_id is not None:
            entry = per_area[region_id].setdefault(place.area_id, [place.area, 0, 0])
            entry[1] += visits[area_id]
            entry[2] += incidents[area_id]
    regions = []
    for region_id, (n_visits, n_incidents) in per_region.items():
        name, country = region_of[region_id]
        areas = sorted(
            (AreaCount(a_id, name_, v, i) for a_id, (name_, v, i) in per_area[region_id].items()),
            key=lambda a: (-a.visits, a.name.casefold(), a.area_id or ""),
        )
        regions.append(RegionCount(region_id, name, country, n_visits, n_incidents, tuple(areas)))
    # the visits naming no place last, the others by their number
    regions.sort(key=lambda r: (r.area_id is None, -r.visits, r.country.casefold(), r.name.casefold()))
    return tuple(regions)


def _months(
    applied: AppliedFilter, visits: Counter[tuple[int, int]], incidents: Counter[tuple[int, int]]
) -> tuple[MonthCount, ...]:
    months = []
    year, month = applied.date_from.year, applied.date_from.month
    while (year, month) <= (applied.date_to.year, applied.date_to.month):
        months.append(MonthCount(year, month, visits[(year, month)], incidents[(year, month)]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def _of(counts: Counter[Any], offices: set[str] | None) -> Counter[Any]:
    """``counts`` keyed by origin office first, for ``offices`` (None: all), without the office."""
    out: Counter[Any] = Counter()
    for key, n in counts.items():
        if offices is None or key[0] in offices:
            out[key[1:] if len(key) > 2 else key[1]] += n
    return out


def _trends(
    key: str, now: tuple[TermCount, ...], before: tuple[TermCount, ...], *, roots: bool = False
) -> list[Trend]:
    """A trend per term counted in either period (the top-level terms only, with ``roots``)."""
    current = {t.code: t for t in now if not roots or t.depth == 0}
    previous = {t.code: t for t in before if not roots or t.depth == 0}
    codes = [*current, *(code for code in previous if code not in current)]
    return [
        Trend(
            f"{key}:{code}",
            (current.get(code) or previous[code]).label,
            current[code].total if code in current else 0,
            previous[code].total if code in previous else 0,
        )
        for code in codes
    ]


def summary_of(
    groups: Groups,
    offices: set[str] | None,
    applied: AppliedFilter,
    vocab: Vocabularies,
    places: dict[str, Place],
    overdue: tuple[OverdueItem, ...],
) -> SituationSummary:
    """The figures of the offices ``offices`` (None: all of them) from one read's groups."""
    lang, gettext = applied.lang, translator(applied.lang).gettext
    types, violations = _of(groups.types, offices), _of(groups.violations, offices)

    def in_period(counts: Counter[Any], period: int) -> list[tuple[tuple[str, ...], int]]:
        return [(c if isinstance(c, tuple) else (c,), n) for (p, c), n in counts.items() if p == period]

    by_type = term_counts(vocab, "visit_type", in_period(types, 1), lang)
    by_violation = term_counts(vocab, "violation_type", in_period(violations, 1), lang)
    type_before = term_counts(vocab, "visit_type", in_period(types, 0), lang)
    violation_before = term_counts(vocab, "violation_type", in_period(violations, 0), lang)
    visits, incidents = sum(n for _c, n in in_period(types, 1)), sum(n for _c, n in in_period(violations, 1))
    trends = [
        Trend("visits", gettext("Visits"), visits, sum(n for _c, n in in_period(types, 0))),
        Trend("incidents", gettext("Allegations"), incidents, sum(n for _c, n in in_period(violations, 0))),
        *_trends("visit_type", by_type, type_before),
        *_trends("violation_type", by_violation, violation_before, roots=True),
    ]
    area_visits: Counter[str | None] = Counter()
    area_incidents: Counter[str | None] = Counter()
    month_visits: Counter[tuple[int, int]] = Counter()
    month_incidents: Counter[tuple[int, int]] = Counter()
    for (area, y, m), n in _of(groups.place_visits, offices).items():
        area_visits[area] += n
        month_visits[(y, m)] += n
    for (area, y, m), n in _of(groups.place_incidents, offices).items():
        area_incidents[area] += n
        month_incidents[(y, m)] += n
    return SituationSummary(
        filter=applied,
        has_data=visits > 0,
        visits=visits,
        incidents=incidents,
        visits_by_type=by_type,
        incidents_by_violation=by_violation,
        regions=_regions(area_visits, area_incidents, places, gettext("No place given")),
        months=_months(applied, month_visits, month_incidents),
        trends=tuple(trends),
        overdue_count=sum(n for office, n in groups.overdue.items() if offices is None or office in offices),
        overdue=overdue,
    )
