"""The figures of the monitoring reports: the situation summary for a period, the consolidated
regional summary across offices, and a single visit; and the audit entry of a report made.

Each figure is counted in the store with ``GROUP BY`` over the visits that pass the report's
filter (``fieldkit.services.report_filter.visit_conditions``, which starts from the clearance
filter); Python only rolls those groups up (a vocabulary's hierarchy, a place's region, a
day's month), never the records. A visit is counted in the period it started in, and its
allegations (incidents) with it. The trends read the period and the one of the same length
before it in the same pass. Overdue follow-ups are the open ones of the same visits whose due
date is before the context's today.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.i18n import N_, current_language
from fieldkit.services.monitoring import get_visit
from fieldkit.services.report_filter import (
    AppliedFilter,
    ReportFilter,
    check_language,
    resolve_filter,
)
from fieldkit.services.report_groups import overdue_by_office, overdue_items, places, read_groups, summary_of
from fieldkit.services.report_sections import register_section
from fieldkit.services.report_types import (
    OfficeComparison,
    OfficeSection,
    RegionalSummary,
    SituationSummary,
    VisitReport,
)
from fieldkit.store import audit as chain
from fieldkit.store.clearance import may_see_restricted, redacted
from fieldkit.store.records import AdminArea, MonitoringVisit, PersonIdentity
from fieldkit.store.registry import restricted_fields
from fieldkit.store.system import Office

MV = MonitoringVisit

#: how many of the longest overdue follow-ups a summary lists (all are counted)
OVERDUE_LISTED = 100


def _applied(ctx: Context, session: Session, flt: ReportFilter, lang: str | None) -> AppliedFilter:
    return resolve_filter(
        session, vocabularies(ctx), flt, ctx.principal, ctx.today(), lang or current_language()
    )


def _summary_for(
    ctx: Context,
    flt: ReportFilter,
    *,
    lang: str | None = None,
    country: str | None = None,
    overdue_limit: int = OVERDUE_LISTED,
) -> SituationSummary:
    vocab = vocabularies(ctx)
    with ctx.store.read() as session:
        applied = _applied(ctx, session, flt, lang)
        groups = read_groups(session, applied, ctx.principal, country)
        overdue = overdue_items(session, applied, ctx.principal, vocab, overdue_limit, country=country)
        return summary_of(groups, None, applied, vocab, places(session), overdue)


@requires(Permission.PRINT_REPORTS)
def situation_summary(
    ctx: Context, flt: ReportFilter, *, lang: str | None = None, overdue_limit: int = OVERDUE_LISTED
) -> SituationSummary:
    """The situation summary for a period: visits by type, allegations by violation type with the
    vocabulary's hierarchy, by region and by month, trends against the period before, overdue
    follow-ups; labels in ``lang`` (the interface's language when None)."""
    return _summary_for(ctx, flt, lang=lang, overdue_limit=overdue_limit)


@requires(Permission.PRINT_REPORTS)
def monitoring_section(ctx: Context, flt: ReportFilter, country: str, lang: str) -> SituationSummary:
    """The monitoring section of a country briefing pack: the situation summary of the visits
    placed in ``country`` (by their place's country code)."""
    return _summary_for(ctx, flt, lang=lang, country=country)


register_section("monitoring", N_("Monitoring"), monitoring_section, order=10)


@requires(Permission.PRINT_REPORTS)
def regional_summary(
    ctx: Context, flt: ReportFilter, *, lang: str | None = None, overdue_limit: int = 50
) -> RegionalSummary:
    """The consolidated regional summary: the figures of all the offices together, one section per
    office (by the visits' origin office: every office the store holds visits from, or those
    named) and a comparison across them. One read of the groups serves every section."""
    vocab = vocabularies(ctx)
    with ctx.store.read() as session:
        applied = _applied(ctx, session, flt, lang)
        groups = read_groups(session, applied, ctx.principal, None)
        area_index = places(session)
        names: dict[str, str] = {
            code: name for code, name in session.execute(select(Office.code, Office.name))
        }
        overdue = overdue_by_office(session, applied, ctx.principal, vocab, overdue_limit)
    # the longest overdue of all are among each office's longest
    longest = sorted(
        (i for items in overdue.values() for i in items), key=lambda i: (i.due_date, i.follow_up_id)
    )
    total = summary_of(groups, None, applied, vocab, area_index, tuple(longest[:overdue_limit]))
    sections = [
        OfficeSection(
            office,
            names.get(office) or office,
            summary_of(groups, {office}, applied, vocab, area_index, overdue.get(office, ())),
        )
        for office in applied.offices
    ]
    comparison = []
    for section in sections:
        s = section.summary
        trend = {t.key: t for t in s.trends}
        roots = sorted(
            (t for t in s.incidents_by_violation if t.depth == 0), key=lambda t: (-t.total, t.code)
        )
        comparison.append(
            OfficeComparison(
                office=section.office,
                office_name=section.office_name,
                visits=s.visits,
                previous_visits=trend["visits"].previous,
                incidents=s.incidents,
                previous_incidents=trend["incidents"].previous,
                overdue=s.overdue_count,
                top_violation=roots[0].code if roots else "",
                top_violation_label=roots[0].label if roots else "",
            )
        )
    return RegionalSummary(applied, total.has_data, total, tuple(sections), tuple(comparison))


@requires(Permission.PRINT_REPORTS)
def visit_report(
    ctx: Context, visit_id: str, *, redact_identities: bool = False, lang: str | None = None
) -> VisitReport:
    """A single visit for its report (``get_visit``: missing and hidden visits are not found
    alike). ``redact_identities`` replaces the people's identifying details even for a user
    who may see them, as for one who may not."""
    lang = lang or current_language()
    check_language(lang)
    vocab = vocabularies(ctx)
    visit = get_visit(ctx, visit_id)
    hidden = redact_identities or not may_see_restricted(ctx.principal)
    if redact_identities:
        fields = restricted_fields(PersonIdentity.record_type)
        people = tuple(
            dataclasses.replace(p, **{f: redacted(getattr(p, f)) for f in fields if hasattr(p, f)})
            for p in visit.people
        )
        visit = dataclasses.replace(visit, people=people)
    place = visit.location_text
    if visit.admin_area_id:
        with ctx.store.read() as session:
            place = _place_path(session, visit.admin_area_id) or place
    return VisitReport(
        visit=visit,
        identities_redacted=hidden,
        visit_type_label=vocab.label("visit_type", visit.visit_type, lang),
        confidentiality_label=vocab.label("sensitivity_level", visit.confidentiality, lang),
        place=place,
        violation_labels=tuple(
            tuple(vocab.label("violation_type", code, lang) for code in incident.violation_types)
            for incident in visit.incidents
        ),
        lang=lang,
    )


def _place_path(session: Session, area_id: str) -> str:
    names: list[str] = []
    step: str | None = area_id
    while step is not None and len(names) < 20:
        row = session.execute(select(AdminArea.name, AdminArea.parent_id).where(AdminArea.id == step)).first()
        if row is None:
            break
        names.insert(0, row.name)
        step = row.parent_id
    return " › ".join(names)


@requires(Permission.PRINT_REPORTS)
def record_report_generated(
    ctx: Context,
    kind: str,
    flt: AppliedFilter | ReportFilter | None,
    pages: int | None = None,
    *,
    record_id: str = "",
    file_name: str = "",
    output: str = "",
) -> bool:
    """Note in the audit trail that a report was made: its kind, the filter it was made with
    (codes and dates), its pages, the file's name and the visit it is about; never what it
    printed. ``output`` says where it went when not to a file: "preview" (shown in the window)
    or "print" (sent to a printer). Returns whether the store could take it (a read-only store
    cannot)."""
    detail: dict[str, Any] = {"kind": kind}
    if isinstance(flt, AppliedFilter):
        detail["filter"] = flt.to_json()
    elif isinstance(flt, ReportFilter):
        detail["filter"] = {
            "from": flt.date_from.isoformat() if flt.date_from else None,
            "to": flt.date_to.isoformat() if flt.date_to else None,
            "offices": sorted(flt.offices),
            "visit_types": list(flt.visit_types),
            "max_level": flt.max_level,
        }
    if pages is not None:
        detail["pages"] = pages
    if file_name:
        detail["file"] = file_name
    if output:
        detail["output"] = output
    return chain.append_event_apart(
        ctx.store,
        at=ctx.now(),
        actor=ctx.user,
        action=chain.ACTION_REPORT,
        detail=detail,
        record_type=MV.record_type if record_id else "",
        record_id=record_id,
    )
