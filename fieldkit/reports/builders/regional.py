"""The consolidated regional summary (the whole, a comparison across offices, one section per
office) and the country briefing pack (one part per section the registry holds)."""

from __future__ import annotations

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.reports import model as m
from fieldkit.reports.builders.common import Words, document, empty_text, filter_statement, no_data
from fieldkit.reports.builders.summary import (
    key_figures,
    month_section,
    overdue_section,
    summary_sections,
    violation_section,
)
from fieldkit.services.report_data import regional_summary
from fieldkit.services.report_filter import ReportFilter
from fieldkit.services.report_sections import BriefingPack, country_briefing
from fieldkit.services.report_types import RegionalSummary, SituationSummary


def _comparison(w: Words, r: RegionalSummary) -> tuple[m.Block, ...]:
    _ = w.gettext
    rows = tuple(
        (
            f"{c.office_name} ({c.office})" if c.office_name != c.office else c.office,
            c.visits,
            c.previous_visits,
            c.incidents,
            c.previous_incidents,
            c.overdue,
            c.top_violation_label,
        )
        for c in r.comparison
    )
    table = m.Table(
        columns=(
            m.Column(_("Office"), width=1.8),
            m.Column(_("Visits"), "number", width=0.7),
            m.Column(_("Previous period"), "number", width=0.8),
            m.Column(_("Allegations"), "number", width=0.8),
            m.Column(_("Previous period"), "number", width=0.8),
            m.Column(_("Overdue follow-ups"), "number", width=0.8),
            m.Column(_("Most alleged violation"), width=1.5),
        ),
        rows=rows,
        title=_("Comparison across offices"),
        empty_text=empty_text(w),
    )
    chart = m.Chart(
        "bars",
        labels=tuple(c.office for c in r.comparison),
        series=(
            m.Series(_("This period"), tuple(float(c.visits) for c in r.comparison)),
            m.Series(_("Previous period"), tuple(float(c.previous_visits) for c in r.comparison)),
        ),
        title=_("Visits by office"),
        empty_text=empty_text(w),
    )
    return chart, table


def _office_section(w: Words, name: str, s: SituationSummary) -> m.Section:
    _ = w.gettext
    if not s.has_data:
        return m.Section(name, blocks=(no_data(w),), new_page=True)
    return m.Section(
        name,
        blocks=(key_figures(w, s),),
        new_page=True,
        subsections=(violation_section(w, s, 2), month_section(w, s, 2), overdue_section(w, s, 2)),
    )


@requires(Permission.PRINT_REPORTS)
def build_regional(ctx: Context, flt: ReportFilter, lang: str) -> tuple[m.Document, RegionalSummary]:
    w = Words.of(ctx, lang)
    _ = w.gettext
    r = regional_summary(ctx, flt, lang=lang)
    first: list[m.Block] = [*filter_statement(w, r.filter)]
    sections: list[m.Section] = []
    if r.has_data:
        first.append(key_figures(w, r.total))
        sections = [
            m.Section(_("Comparison across offices"), blocks=_comparison(w, r)),
            *(_office_section(w, f"{o.office_name} ({o.office})", o.summary) for o in r.offices),
        ]
    else:
        first.append(no_data(w))
    doc = document(
        ctx,
        w,
        _("Regional summary"),
        tuple(sections),
        level=r.filter.max_level,
        preface=tuple(first),
        table_of_contents=r.has_data,
        subtitle=_("{start} to {end}").format(start=w.day(r.filter.date_from), end=w.day(r.filter.date_to)),
    )
    return doc, r


@requires(Permission.PRINT_REPORTS)
def build_briefing(
    ctx: Context, flt: ReportFilter, country: str, lang: str
) -> tuple[m.Document, BriefingPack]:
    w = Words.of(ctx, lang)
    _ = w.gettext
    pack = country_briefing(ctx, flt, country, lang=lang)
    summaries = [s.data for s in pack.sections if isinstance(s.data, SituationSummary)]
    has_data = any(s.has_data for s in summaries)
    first: list[m.Block] = [
        m.Paragraph(
            _("Country: {name} ({code})").format(name=pack.country_name, code=pack.country), kind="lead"
        ),
        *filter_statement(w, pack.filter),
    ]
    sections: list[m.Section] = []
    if not has_data:
        first.append(no_data(w))
    else:
        for part in pack.sections:
            if isinstance(part.data, SituationSummary):
                s = part.data
                blocks: tuple[m.Block, ...] = (key_figures(w, s),) if s.has_data else (no_data(w),)
                sections.append(m.Section(part.title, blocks=blocks, subsections=summary_sections(w, s, 2)))
            elif part.data is not None:  # an area without a layout of its own yet prints its figures plainly
                sections.append(m.Section(part.title, blocks=(m.Paragraph(str(part.data)),), new_page=True))
    doc = document(
        ctx,
        w,
        _("Country briefing: {country}").format(country=pack.country_name),
        tuple(sections),
        level=pack.filter.max_level,
        preface=tuple(first),
        table_of_contents=has_data,
        subtitle=_("{start} to {end}").format(
            start=w.day(pack.filter.date_from), end=w.day(pack.filter.date_to)
        ),
    )
    return doc, pack
