"""What a report is about: its filter, checked and resolved against the store and the user.

A report is filtered by a period, offices, visit types and the highest confidentiality level
it includes (``ReportFilter``). ``resolve_filter`` checks it (one translated message naming
every problem, nothing read for a bad filter) and turns it into an ``AppliedFilter``: the
offices actually covered, the visit-type codes with the terms under them (as the visits list
filters), and the levels included once the user's clearance has capped the level asked for.
The report states that applied filter on its first page, capping included.

Every figure of every report is read through ``visit_conditions``, which starts from the one
clearance filter (``fieldkit.store.clearance.visibility_conditions``): a visit above the
user's clearance counts nowhere, and nor does anything of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.access import CONFIDENTIALITY_LEVELS, Principal
from fieldkit.domain.vocab import Vocabularies
from fieldkit.errors import ValidationError
from fieldkit.i18n import LANGUAGES, _
from fieldkit.services.visit_list import term_codes
from fieldkit.store.clearance import cleared_levels, sees_every_level, visibility_conditions
from fieldkit.store.records import AdminArea, MonitoringVisit
from fieldkit.store.system import Office


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers, as the person asking for it gives it.

    A visit is in the period when it started in it (first and last day included), so each
    visit falls in exactly one period and one month, and a trend compares like with like.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    #: offices by code (a visit's origin office); empty: every office the store holds records from
    offices: tuple[str, ...] = ()
    #: ``visit_type`` codes; a broader type includes the terms under it; empty: every type
    visit_types: tuple[str, ...] = ()
    #: the most confidential level included (a ``sensitivity_level`` code); None: as far as the
    #: user's clearance reaches. Never beyond it: the clearance caps it.
    max_level: str | None = None


@dataclass(frozen=True)
class AppliedFilter:
    """The filter as a report applied it: what its first page states."""

    date_from: dt.date
    date_to: dt.date
    #: the period of the same length just before, for the trends
    previous_from: dt.date
    previous_to: dt.date
    #: the offices covered, sorted; ``all_offices``: none was named, so every one the store holds
    offices: tuple[str, ...]
    all_offices: bool
    #: the visit types asked for, and the codes they include (the terms under them too)
    visit_types: tuple[str, ...]
    visit_type_codes: tuple[str, ...]
    #: the level asked for (None: none named), the one applied, and the levels included
    max_level_asked: str | None
    max_level: str
    levels: tuple[str, ...]
    #: the user's clearance, and whether it lowered the level asked for (the report says so)
    clearance: str
    capped_by_clearance: bool
    #: the day overdue is counted from (the context's clock), and the report's language
    today: dt.date
    lang: str

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def to_json(self) -> dict[str, Any]:
        """The filter as codes and ISO dates (for the audit trail and scripts): no record contents."""
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "offices": list(self.offices) if not self.all_offices else [],
            "visit_types": list(self.visit_types),
            "max_level": self.max_level,
            "capped_by_clearance": self.capped_by_clearance,
            "lang": self.lang,
        }


def _rank(level: str) -> int:
    return CONFIDENTIALITY_LEVELS.index(level)


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        message = _("Unknown language '{code}': use one of {codes}.").format(
            code=lang, codes=", ".join(LANGUAGES)
        )
        raise ValidationError(message, {"lang": message})


def known_offices(session: Session, principal: Principal) -> set[str]:
    """The offices a report may name: those this store knows (itself and its partners) and those
    whose visits it holds, among the visits ``principal`` may see."""
    known = set(session.execute(select(Office.code)).scalars())
    visible = visibility_conditions(MonitoringVisit, principal)
    known.update(session.execute(select(MonitoringVisit.origin_office).where(*visible).distinct()).scalars())
    return known


def record_offices(session: Session, principal: Principal) -> list[str]:
    """The offices whose live visits this store holds (by origin office), of those ``principal``
    may see: one section each in a consolidated report."""
    query = (
        select(MonitoringVisit.origin_office)
        .where(MonitoringVisit.deleted.is_(False), *visibility_conditions(MonitoringVisit, principal))
        .distinct()
    )
    return sorted(session.execute(query).scalars())


def resolve_filter(
    session: Session, vocab: Vocabularies, flt: ReportFilter, principal: Principal, today: dt.date, lang: str
) -> AppliedFilter:
    """``flt`` checked and resolved for ``principal``; ``ValidationError`` naming every problem."""
    check_language(lang)
    problems: dict[str, str] = {}
    if flt.date_from is None or flt.date_to is None:
        problems["period"] = _("Give the report's period: its first and its last day.")
    elif flt.date_to < flt.date_from:
        problems["period"] = _("The period ends ({end}) before it starts ({start}).").format(
            end=flt.date_to.isoformat(), start=flt.date_from.isoformat()
        )
    unknown_types = [code for code in flt.visit_types if not vocab.has("visit_type", code)]
    if unknown_types:
        problems["visit_types"] = _("Unknown visit type: {codes}.").format(codes=", ".join(unknown_types))
    if flt.max_level is not None and flt.max_level not in CONFIDENTIALITY_LEVELS:
        problems["max_level"] = _("Unknown confidentiality level '{code}': use one of {codes}.").format(
            code=flt.max_level, codes=", ".join(CONFIDENTIALITY_LEVELS)
        )
    if flt.offices:
        unknown_offices = sorted(set(flt.offices) - known_offices(session, principal))
        if unknown_offices:
            problems["offices"] = _("Unknown office: {codes}.").format(codes=", ".join(unknown_offices))
    if problems:
        raise ValidationError(" ".join(problems.values()), problems)
    assert flt.date_from is not None and flt.date_to is not None
    asked = flt.max_level or principal.clearance
    applied = asked if _rank(asked) <= _rank(principal.clearance) else principal.clearance
    length = flt.date_to - flt.date_from + dt.timedelta(days=1)
    offices = tuple(sorted(set(flt.offices))) or tuple(record_offices(session, principal))
    return AppliedFilter(
        date_from=flt.date_from,
        date_to=flt.date_to,
        previous_from=flt.date_from - length,
        previous_to=flt.date_from - dt.timedelta(days=1),
        offices=offices,
        all_offices=not flt.offices,
        visit_types=tuple(flt.visit_types),
        visit_type_codes=tuple(term_codes(session, "visit_type", tuple(flt.visit_types)))
        if flt.visit_types
        else (),
        max_level_asked=flt.max_level,
        max_level=applied,
        levels=tuple(level for level in cleared_levels(principal) if _rank(level) <= _rank(applied)),
        clearance=principal.clearance,
        capped_by_clearance=flt.max_level is not None and _rank(flt.max_level) > _rank(principal.clearance),
        today=today,
        lang=lang,
    )


def visit_conditions(
    applied: AppliedFilter,
    principal: Principal,
    *,
    date_from: dt.date | None = None,
    country: str | None = None,
) -> list[Any]:
    """WHERE conditions on ``monitoring_visit`` for the live visits a report counts: the clearance
    filter first, then the levels, offices, visit types and period of ``applied`` (the period
    starting earlier with ``date_from``, for the trends), and a country's places when given."""
    where: list[Any] = [
        MonitoringVisit.deleted.is_(False),
        *visibility_conditions(MonitoringVisit, principal),
        MonitoringVisit.date_start >= (date_from or applied.date_from),
        MonitoringVisit.date_start <= applied.date_to,
    ]
    everything = applied.max_level == CONFIDENTIALITY_LEVELS[-1] and sees_every_level(principal)
    if not everything:  # a user cleared for every level asking for all of them sees unknown levels too
        where.append(MonitoringVisit.confidentiality.in_(applied.levels))
    if not applied.all_offices:
        where.append(MonitoringVisit.origin_office.in_(applied.offices))
    if applied.visit_type_codes:
        where.append(MonitoringVisit.visit_type.in_(applied.visit_type_codes))
    if country is not None:
        places = select(AdminArea.id).where(AdminArea.country_code == country)
        where.append(MonitoringVisit.admin_area_id.in_(places))
    return where
