"""The report of one monitoring visit: its facts, allegations, people and follow-ups, with its
confidentiality level as the banner and, above public, as a watermark across every page.
Identifying details are replaced when the report is asked redacted or its reader may not see them."""

from __future__ import annotations

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.reports import model as m
from fieldkit.reports.builders.common import Words, document
from fieldkit.services.report_data import visit_report
from fieldkit.services.report_types import VisitReport


def _facts(w: Words, r: VisitReport) -> m.Table:
    _ = w.gettext
    v = r.visit
    dates = w.day(v.date_start)
    if v.date_end and v.date_end != v.date_start:
        dates = _("{start} to {end}").format(start=dates, end=w.day(v.date_end))
    rows = [
        (_("Visit type"), r.visit_type_label),
        (_("Date"), dates),
        (_("Place"), r.place),
        (_("Institutions"), v.institutions),
        (_("Team"), v.team),
        (_("Office"), v.origin_office),
        (_("Confidentiality"), r.confidentiality_label),
    ]
    return m.Table(
        columns=(m.Column(_("Field"), width=1.0), m.Column(_("Value"), width=3.0)),
        rows=tuple((k, val) for k, val in rows if val),
    )


def _incidents(w: Words, r: VisitReport) -> m.Table:
    _ = w.gettext
    return m.Table(
        columns=(
            m.Column(_("Date"), "date", width=0.9),
            m.Column(_("Violation type"), width=1.6),
            m.Column(_("Summary"), width=2.6),
            m.Column(_("Pattern"), width=0.8),
        ),
        rows=tuple(
            (i.incident_date, ", ".join(labels), i.summary, w.label("incident_pattern", i.pattern))
            for i, labels in zip(r.visit.incidents, r.violation_labels, strict=True)
        ),
        empty_text=_("No allegation was recorded on this visit."),
    )


def _people(w: Words, r: VisitReport) -> m.Table:
    _ = w.gettext
    return m.Table(
        columns=(
            m.Column(_("Code"), width=1.1),
            m.Column(_("Role"), width=0.9),
            m.Column(_("Sex"), width=0.7),
            m.Column(_("Age group"), width=0.9),
            m.Column(_("Name"), width=1.6),
        ),
        rows=tuple(
            (
                p.code,
                w.label("person_role", p.role),
                w.label("sex", p.sex),
                w.label("age_group", p.age_group),
                p.full_name,
            )
            for p in r.visit.people
        ),
        empty_text=_("No person was recorded on this visit."),
    )


def _follow_ups(w: Words, r: VisitReport) -> m.Table:
    _ = w.gettext
    return m.Table(
        columns=(
            m.Column(_("Action"), width=2.4),
            m.Column(_("Responsible"), width=1.2),
            m.Column(_("Due date"), "date", width=0.9),
            m.Column(_("Status"), width=0.9),
        ),
        rows=tuple(
            (f.action, f.responsible, f.due_date, w.label("followup_status", f.status))
            for f in r.visit.follow_ups
        ),
        empty_text=_("No follow-up was recorded on this visit."),
    )


@requires(Permission.PRINT_REPORTS)
def build_visit(ctx: Context, visit_id: str, lang: str, *, redact: bool) -> tuple[m.Document, VisitReport]:
    w = Words.of(ctx, lang)
    _ = w.gettext
    r = visit_report(ctx, visit_id, redact_identities=redact, lang=lang)
    first: list[m.Block] = [
        m.Paragraph(_("Visit: {id}").format(id=r.visit.id or visit_id), kind="note"),
    ]
    if r.identities_redacted:
        first.append(
            m.Paragraph(_("Identifying details of the people are withheld in this report."), kind="note")
        )
    first.append(_facts(w, r))
    if r.visit.narrative:
        first.append(m.Paragraph(r.visit.narrative))
    sections = (
        m.Section(_("Visit"), blocks=tuple(first)),
        m.Section(_("Allegations"), blocks=(_incidents(w, r),)),
        m.Section(_("People"), blocks=(_people(w, r),)),
        m.Section(_("Follow-ups"), blocks=(_follow_ups(w, r),)),
    )
    level = r.visit.confidentiality
    watermark = r.confidentiality_label.upper() if level not in ("public", "") else ""
    doc = document(
        ctx,
        w,
        r.visit.title or _("Monitoring visit"),
        sections,
        level=level,
        watermark=watermark,
        subtitle=_("Monitoring visit report"),
    )
    return doc, r
