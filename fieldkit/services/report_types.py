"""The figures reports print: plain frozen values, labelled in the report's language.

A report (and its XLSX tables) is a layout of these; nothing here reads the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fieldkit.services.monitoring_types import VisitData
from fieldkit.services.report_filter import AppliedFilter


@dataclass(frozen=True)
class TermCount:
    """A vocabulary term's count, placed in its vocabulary's tree (parents before children).

    ``total`` counts what carries the term or any term under it, each record once (an
    allegation of torture and of ill-treatment counts once under their parent); ``direct``
    counts what carries the term itself.
    """

    code: str
    label: str
    depth: int
    parent_code: str | None
    total: int
    direct: int


@dataclass(frozen=True)
class AreaCount:
    """A place under a region (a district), or the region itself for what names no finer place."""

    area_id: str | None
    name: str
    visits: int
    incidents: int


@dataclass(frozen=True)
class RegionCount:
    """The top level of the places under a country, with the places under it.

    ``area_id`` None gathers the visits that name no place. A visit placed at the region
    itself (or at the country) counts in the region's figures but in none of its ``areas``.
    """

    area_id: str | None
    name: str
    country: str
    visits: int
    incidents: int
    areas: tuple[AreaCount, ...]


@dataclass(frozen=True)
class MonthCount:
    year: int
    month: int
    visits: int
    incidents: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


@dataclass(frozen=True)
class Trend:
    """A count in the period against the period of the same length just before it."""

    key: str
    label: str
    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def change_percent(self) -> float | None:
        """The change as a percentage of the previous count; None when there was none before."""
        return None if self.previous == 0 else 100.0 * self.change / self.previous


@dataclass(frozen=True)
class OverdueItem:
    """An open follow-up past its due date: what is owed, by when, and for which visit."""

    follow_up_id: str
    visit_id: str
    visit_title: str
    action: str
    responsible: str
    due_date: dt.date
    days_overdue: int
    status: str
    status_label: str
    office: str


@dataclass(frozen=True)
class SituationSummary:
    """The situation for a period: what the situation summary and each office's section print."""

    filter: AppliedFilter
    #: whether any visit passed the filter (a report without data says so on its first page)
    has_data: bool
    visits: int
    incidents: int
    visits_by_type: tuple[TermCount, ...]
    incidents_by_violation: tuple[TermCount, ...]
    regions: tuple[RegionCount, ...]
    #: every month of the period, those without visits included
    months: tuple[MonthCount, ...]
    #: visits, incidents, each visit type and each top-level violation type, against the period before
    trends: tuple[Trend, ...]
    #: open follow-ups of these visits past their due date on ``filter.today``: all of them counted,
    #: the longest overdue listed (at most the limit asked for)
    overdue_count: int
    overdue: tuple[OverdueItem, ...]


@dataclass(frozen=True)
class OfficeSection:
    office: str
    office_name: str
    summary: SituationSummary


@dataclass(frozen=True)
class OfficeComparison:
    """One line of the comparison across offices."""

    office: str
    office_name: str
    visits: int
    previous_visits: int
    incidents: int
    previous_incidents: int
    overdue: int
    #: the top-level violation type with most allegations ("" when none)
    top_violation: str
    top_violation_label: str

    @property
    def visit_change(self) -> int:
        return self.visits - self.previous_visits


@dataclass(frozen=True)
class RegionalSummary:
    """The consolidated regional summary: the whole, one section per office, and a comparison."""

    filter: AppliedFilter
    has_data: bool
    total: SituationSummary
    offices: tuple[OfficeSection, ...]
    comparison: tuple[OfficeComparison, ...]


@dataclass(frozen=True)
class VisitReport:
    """A single monitoring visit as its report prints it, with its codes labelled."""

    visit: VisitData
    #: the people's identifying details are replaced (the user may not see them, or asked so)
    identities_redacted: bool
    visit_type_label: str
    confidentiality_label: str
    #: the place's full path ("Kenya › Nairobi › Kibera"), or the location text
    place: str
    #: per incident, its violation types' labels
    violation_labels: tuple[tuple[str, ...], ...]
    lang: str
