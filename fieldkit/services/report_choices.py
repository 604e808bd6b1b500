"""What a report can be asked for: the kinds of report, and the offices, countries and levels a
user may choose from, as the Reports page offers them.

The kinds are declared here once, for every reader: the CLI's ``--list``, the window's choice
of report, the report builders and the audit trail's wording of a report made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from fieldkit.access import Permission, is_allowed, requires
from fieldkit.context import Context
from fieldkit.i18n import N_, current_translator
from fieldkit.services.report_filter import known_offices
from fieldkit.store.clearance import cleared_levels
from fieldkit.store.records import AdminArea
from fieldkit.store.system import Office


@dataclass(frozen=True)
class ReportKind:
    #: what the report is called (a menu item, the audit trail), marked for translation
    title: str
    #: one line on what it holds and what it needs (``fieldkit report --list``)
    summary: str
    #: what it needs besides a filter: a period, a visit or a country
    needs_period: bool = True
    needs_visit: bool = False
    needs_country: bool = False

    def name(self) -> str:
        """The title in the interface's language."""
        return current_translator().gettext(self.title)


REPORT_KINDS: dict[str, ReportKind] = {
    "situation": ReportKind(
        N_("Situation summary"),
        N_("situation summary for a period: by violation type, region and month, trends, overdue"),
    ),
    "regional": ReportKind(
        N_("Regional summary"),
        N_("consolidated regional summary: one section per office and a comparison"),
    ),
    "visit": ReportKind(
        N_("Monitoring visit"),
        N_("one monitoring visit (--visit ID), identifying details withheld with --redact"),
        needs_period=False,
        needs_visit=True,
    ),
    "briefing": ReportKind(
        N_("Country briefing pack"),
        N_("country briefing pack for one country (--country CODE)"),
        needs_country=True,
    ),
}


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class ReportChoices:
    """What the user may choose in a report's filter."""

    #: whether the user may print reports at all (their role)
    allowed: bool
    #: the offices a report may name (this office, its partners, those whose visits are here)
    offices: tuple[Choice, ...] = ()
    #: the countries of the store's places (a briefing pack's country)
    countries: tuple[Choice, ...] = ()
    #: the confidentiality levels the user is cleared for, least restricted first
    levels: tuple[str, ...] = ()


@requires(Permission.VIEW_RECORDS)
def report_choices(ctx: Context) -> ReportChoices:
    """The choices of the Reports page for the signed-in user (nothing but ``allowed=False``
    for a role that may not print reports)."""
    principal = ctx.principal
    if not is_allowed(principal, Permission.PRINT_REPORTS):
        return ReportChoices(False)
    return _choices(ctx)


@requires(Permission.PRINT_REPORTS)
def _choices(ctx: Context) -> ReportChoices:
    principal = ctx.principal
    with ctx.store.read() as session:
        codes = known_offices(session, principal)
        rows = session.execute(select(Office.code, Office.name).where(Office.code.in_(codes)))
        names = {code: name for code, name in rows}
        countries = session.execute(
            select(AdminArea.country_code, AdminArea.name)
            .where(AdminArea.parent_id.is_(None), AdminArea.deleted.is_(False))
            .order_by(AdminArea.country_code, AdminArea.name)
        )
        by_country: dict[str, str] = {}
        for code, name in countries:
            if code:
                by_country.setdefault(code, name)
    return ReportChoices(
        True,
        tuple(Choice(code, names.get(code, "")) for code in sorted(codes)),
        tuple(Choice(code, name) for code, name in sorted(by_country.items(), key=lambda item: item[1])),
        cleared_levels(principal),
    )


#: the periods a report is usually asked for, by code; "custom" is the dates as given
PERIODS: dict[str, str] = {
    "last-month": N_("Last month"),
    "last-quarter": N_("Last quarter"),
    "this-year": N_("This year so far"),
    "last-year": N_("Last year"),
    "custom": N_("Chosen dates"),
}


def period_of(code: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day of period ``code`` as seen on ``today`` (None for "custom" and
    unknown codes): whole months and quarters before today's, the year so far, last year."""
    if code == "last-month":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if code == "last-quarter":
        start_of_this = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = start_of_this - dt.timedelta(days=1)
        return dt.date(last.year, last.month - 2, 1), last
    if code == "this-year":
        return dt.date(today.year, 1, 1), today
    if code == "last-year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None


def period_name(code: str) -> str:
    """A period's name (``PERIODS``) in the interface's language."""
    return current_translator().gettext(PERIODS[code])
