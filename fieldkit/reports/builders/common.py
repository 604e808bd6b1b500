"""What every report shares: its words in its own language, its page furniture, the statement
of its filters on its first page, and the line a report without data prints instead of tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies, vocabularies
from fieldkit.formatting import format_day
from fieldkit.i18n import Translator, translator
from fieldkit.reports import model as m
from fieldkit.services.office import local_office
from fieldkit.services.report_filter import AppliedFilter


@dataclass(frozen=True)
class Words:
    """A report's language: its catalog (not the window's), its vocabulary labels, its dates."""

    lang: str
    tr: Translator
    vocab: Vocabularies

    @classmethod
    def of(cls, ctx: Context, lang: str) -> Words:
        return cls(lang, translator(lang), vocabularies(ctx))

    @property
    def gettext(self) -> Callable[[str], str]:
        return self.tr.gettext

    @property
    def ngettext(self) -> Callable[[str, str, int], str]:
        return self.tr.ngettext

    def label(self, vocabulary: str, code: str | None) -> str:
        return self.vocab.label(vocabulary, code, self.lang) if code else ""

    def day(self, value: dt.date | None) -> str:
        return format_day(value, self.lang) if value else ""


@requires(Permission.PRINT_REPORTS)
def office_name(ctx: Context) -> str:
    info = local_office(ctx)
    return info.name if info and info.name else ctx.office_code or ""


@requires(Permission.PRINT_REPORTS)
def document(
    ctx: Context, w: Words, title: str, sections: tuple[m.Section, ...], *, level: str, **extra: object
) -> m.Document:
    """A document with the common look: the office, the banner of the highest level it holds,
    the furniture's words in the report's language, generated now by the signed-in user."""
    _ = w.gettext
    furniture = m.Furniture(
        page=_("Page {page} of {pages}"), generated=_("Generated on {date} by {user}"), contents=_("Contents")
    )
    return m.Document(
        title=title,
        lang=w.lang,
        office=office_name(ctx),
        generated_on=ctx.now(),
        generated_by=ctx.user,
        confidentiality=w.label("sensitivity_level", level).upper() if level else "",
        sections=sections,
        furniture=furniture,
        **extra,  # type: ignore[arg-type]
    )


def filter_statement(w: Words, applied: AppliedFilter) -> tuple[m.Block, ...]:
    """The filters a report was made with, as its first page states them."""
    _ = w.gettext
    offices = _("All offices") if applied.all_offices else ", ".join(applied.offices)
    types = (
        ", ".join(w.label("visit_type", code) for code in applied.visit_types)
        if applied.visit_types
        else _("All visit types")
    )
    level = w.label("sensitivity_level", applied.max_level)
    lines = [
        _("Period: {start} to {end}").format(start=w.day(applied.date_from), end=w.day(applied.date_to)),
        _("Compared with: {start} to {end}").format(
            start=w.day(applied.previous_from), end=w.day(applied.previous_to)
        ),
        _("Offices: {offices}").format(offices=offices),
        _("Visit types: {types}").format(types=types),
        _("Highest confidentiality level included: {level}").format(level=level),
    ]
    if applied.capped_by_clearance:
        lines.append(
            _("Lowered from {asked} to the clearance of the person who made this report.").format(
                asked=w.label("sensitivity_level", applied.max_level_asked)
            )
        )
    return tuple(m.Paragraph(line, kind="note") for line in lines)


def no_data(w: Words) -> m.Paragraph:
    _ = w.gettext
    return m.Paragraph(_("No visit matches these filters: this report has no figures to show."), kind="lead")


def empty_text(w: Words) -> str:
    return w.gettext("No data for this period.")
