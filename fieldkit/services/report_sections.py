"""The sections of the country briefing pack: everything recorded about one country.

Each record area (monitoring now; training, projects and recommendations as they come)
registers a section provider here: a function of a ``Context``, a ``ReportFilter``, a
country code and a language that returns its section's figures (plain frozen values). The
pack calls every registered provider in order, so an area adds its section by registering
one, without an edit to the pack. Providers are checked calls (``@requires``) run inside the
pack's own check, and read through the same filter and clearance as every report.

An area's module registers its provider when it is imported; ``SECTION_MODULES`` names the
modules the pack imports first, so that their sections are there whoever asks for a pack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.errors import ValidationError
from fieldkit.i18n import _, current_language, translator
from fieldkit.services.report_filter import AppliedFilter, ReportFilter, resolve_filter
from fieldkit.store.records import AdminArea

#: a section's figures for (context, filter, country code, language)
SectionProvider = Callable[[Context, ReportFilter, str, str], Any]

#: the modules whose import registers a section (each area adds its own line)
SECTION_MODULES = ("fieldkit.services.report_data",)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    #: the section's title, marked for translation (``N_``) and translated in the pack's language
    title: str
    provider: SectionProvider
    #: sections print in this order, then by key
    order: int = 100


@dataclass(frozen=True)
class BriefingSection:
    key: str
    title: str
    data: Any


@dataclass(frozen=True)
class BriefingPack:
    """Everything recorded about one country, one section per registered area."""

    country: str
    country_name: str
    filter: AppliedFilter
    sections: tuple[BriefingSection, ...]


_sections: dict[str, SectionSpec] = {}


def register_section(key: str, title: str, provider: SectionProvider, *, order: int = 100) -> None:
    """Add a section to the briefing pack; registering a key again replaces its section (a
    module imported twice, a test's own provider)."""
    _sections[key] = SectionSpec(key, title, provider, order)


def unregister_section(key: str) -> None:
    _sections.pop(key, None)


def registered_sections() -> tuple[SectionSpec, ...]:
    """The sections the pack prints, in order, after the built-in areas have registered theirs."""
    for name in SECTION_MODULES:
        importlib.import_module(name)
    return tuple(sorted(_sections.values(), key=lambda s: (s.order, s.key)))


@requires(Permission.PRINT_REPORTS)
def country_briefing(
    ctx: Context, flt: ReportFilter, country: str, *, lang: str | None = None
) -> BriefingPack:
    """The country briefing pack of ``country`` (a country code of the store's places), each
    registered section made by its provider with the same filter."""
    lang = lang or current_language()
    specs = registered_sections()
    with ctx.store.read() as session:
        applied = resolve_filter(session, vocabularies(ctx), flt, ctx.principal, ctx.today(), lang)
        names = session.execute(
            select(AdminArea.name, AdminArea.parent_id)
            .where(AdminArea.country_code == country, AdminArea.deleted.is_(False))
            .order_by(AdminArea.level, AdminArea.name)
        ).all()
    if not names:
        message = _("No place in this store lies in a country coded '{code}'.").format(code=country)
        raise ValidationError(message, {"country": message})
    country_name = next((row.name for row in names if row.parent_id is None), country)
    gettext = translator(lang).gettext
    sections = tuple(
        BriefingSection(spec.key, gettext(spec.title), spec.provider(ctx, flt, country, lang))
        for spec in specs
    )
    return BriefingPack(country, country_name, applied, sections)
