"""The situation summary for a period, and the sections it shares with the regional summary and
the briefing pack: counts by violation type (with the vocabulary's hierarchy), by visit type, by
region and by month with charts, trends against the period before, overdue follow-ups."""

from __future__ import annotations

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.reports import model as m
from fieldkit.reports.builders.common import Words, document, empty_text, filter_statement, no_data
from fieldkit.services.report_data import situation_summary
from fieldkit.services.report_filter import ReportFilter
from fieldkit.services.report_types import SituationSummary, TermCount

#: indentation of a term under its parent, per level (no-break spaces keep it at a line's start)
INDENT = "\u00a0\u00a0\u00a0"


def key_figures(w: Words, s: SituationSummary) -> m.KeyFigures:
    _ = w.gettext
    return m.KeyFigures(
        (
            m.KeyFigure(_("Visits"), s.visits),
            m.KeyFigure(_("Allegations"), s.incidents),
            m.KeyFigure(_("Overdue follow-ups"), s.overdue_count),
        )
    )


def _terms_table(w: Words, terms: tuple[TermCount, ...], heading: str, title: str) -> m.Table:
    _ = w.gettext
    return m.Table(
        columns=(
            m.Column(heading, width=2.4),
            m.Column(_("Total"), "number"),
            m.Column(_("Itself"), "number"),
        ),
        rows=tuple((INDENT * t.depth + t.label, t.total, t.direct) for t in terms),
        title=title,
        emphasis=tuple(i for i, t in enumerate(terms) if t.depth == 0),
        empty_text=empty_text(w),
    )


def violation_section(w: Words, s: SituationSummary, level: int = 1) -> m.Section:
    _ = w.gettext
    roots = [t for t in s.incidents_by_violation if t.depth == 0]
    chart = m.Chart(
        "bars",
        labels=tuple(t.label for t in roots),
        series=(m.Series(_("Allegations"), tuple(float(t.total) for t in roots)),),
        title=_("Allegations by violation type"),
        empty_text=empty_text(w),
    )
    table = _terms_table(w, s.incidents_by_violation, _("Violation type"), _("Allegations by violation type"))
    return m.Section(_("By violation type"), blocks=(chart, table), level=level)


def visit_type_section(w: Words, s: SituationSummary, level: int = 1) -> m.Section:
    _ = w.gettext
    table = _terms_table(w, s.visits_by_type, _("Visit type"), _("Visits by visit type"))
    return m.Section(_("By visit type"), blocks=(table,), level=level)


def region_section(w: Words, s: SituationSummary, level: int = 1) -> m.Section:
    _ = w.gettext
    rows: list[tuple[object, ...]] = []
    emphasis: list[int] = []
    for region in s.regions:
        emphasis.append(len(rows))
        rows.append((region.name, region.visits, region.incidents))
        rows.extend((INDENT + a.name, a.visits, a.incidents) for a in region.areas)
    table = m.Table(
        columns=(
            m.Column(_("Region"), width=2.4),
            m.Column(_("Visits"), "number"),
            m.Column(_("Allegations"), "number"),
        ),
        rows=tuple(rows),  # type: ignore[arg-type]
        title=_("Visits and allegations by region"),
        emphasis=tuple(emphasis),
        empty_text=empty_text(w),
    )
    return m.Section(_("By region"), blocks=(table,), level=level)


def month_section(w: Words, s: SituationSummary, level: int = 1) -> m.Section:
    _ = w.gettext
    chart = m.Chart(
        "timeline",
        labels=tuple(mc.first_day for mc in s.months),
        series=(
            m.Series(_("Visits"), tuple(float(mc.visits) for mc in s.months)),
            m.Series(_("Allegations"), tuple(float(mc.incidents) for mc in s.months)),
        ),
        title=_("Visits and allegations by month"),
        empty_text=empty_text(w),
    )
    table = m.Table(
        columns=(
            m.Column(_("Month"), "month"),
            m.Column(_("Visits"), "number"),
            m.Column(_("Allegations"), "number"),
        ),
        rows=tuple((mc.first_day, mc.visits, mc.incidents) for mc in s.months),
        title=_("Visits and allegations by month"),
        empty_text=empty_text(w),
    )
    return m.Section(_("By month"), blocks=(chart, table), level=level)


def trend_section(w: Words, s: SituationSummary, level: int = 1) -> m.Section:
    _ = w.gettext
    table = m.Table(
        columns=(
            m.Column(_("Figure"), width=2.2),
            m.Column(_("This period"), "number"),
            m.Column(_("Previous period"), "number"),
            m.Column(_("Change"), "number"),
            m.Column(_("Change (%)"), "percent"),
        ),
        rows=tuple(
            (
                t.label,
                t.current,
                t.previous,
                t.change,
                None if t.change_percent is None else t.change_percent / 100.0,
            )
            for t in s.trends
        ),
        title=_("Trends against the previous period"),
        emphasis=(0, 1),
        empty_text=empty_text(w),
    )
    return m.Section(_("Trends"), blocks=(table,), level=level)


def overdue_section(w: Words, s: SituationSummary, level: int = 1) -> m.Section:
    _, ngettext = w.gettext, w.ngettext
    count = ngettext(
        "{count} open follow-up is past its due date.",
        "{count} open follow-ups are past their due date.",
        s.overdue_count,
    ).format(count=s.overdue_count)
    blocks: list[m.Block] = [m.Paragraph(count)]
    if s.overdue:
        if len(s.overdue) < s.overdue_count:
            listed = ngettext(
                "The {count} longest overdue is listed.",
                "The {count} longest overdue are listed.",
                len(s.overdue),
            ).format(count=len(s.overdue))
            blocks.append(m.Paragraph(listed, kind="note"))
        blocks.append(
            m.Table(
                columns=(
                    m.Column(_("Due date"), "date"),
                    m.Column(_("Days overdue"), "number", width=0.7),
                    m.Column(_("Action"), width=2.0),
                    m.Column(_("Visit"), width=1.8),
                    m.Column(_("Office"), width=0.9),
                ),
                rows=tuple(
                    (i.due_date, i.days_overdue, i.action, i.visit_title, i.office) for i in s.overdue
                ),
                title=_("Overdue follow-ups"),
            )
        )
    return m.Section(_("Overdue follow-ups"), blocks=tuple(blocks), level=level)


def summary_sections(w: Words, s: SituationSummary, level: int = 1) -> tuple[m.Section, ...]:
    """Every figure of a situation summary, as sections at ``level`` (none without data)."""
    if not s.has_data:
        return ()
    return (
        violation_section(w, s, level),
        visit_type_section(w, s, level),
        region_section(w, s, level),
        month_section(w, s, level),
        trend_section(w, s, level),
        overdue_section(w, s, level),
    )


@requires(Permission.PRINT_REPORTS)
def build_situation(ctx: Context, flt: ReportFilter, lang: str) -> tuple[m.Document, SituationSummary]:
    w = Words.of(ctx, lang)
    _ = w.gettext
    s = situation_summary(ctx, flt, lang=lang)
    first = (*filter_statement(w, s.filter), key_figures(w, s) if s.has_data else no_data(w))
    doc = document(
        ctx,
        w,
        _("Situation summary"),
        summary_sections(w, s),
        level=s.filter.max_level,
        preface=first,
        table_of_contents=s.has_data,
        subtitle=_("{start} to {end}").format(start=w.day(s.filter.date_from), end=w.day(s.filter.date_to)),
    )
    return doc, s
