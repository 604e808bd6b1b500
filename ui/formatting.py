"""Dates and numbers in the interface language (babel), shared by every page."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime, format_interval, format_skeleton
from babel.numbers import format_decimal

from fieldkit.i18n import _, current_language


def _locale() -> str:
    return current_language()


def format_number(value: int) -> str:
    return format_decimal(value, locale=_locale())


def format_day(value: dt.date | None) -> str:
    return "" if value is None else format_date(value, "medium", locale=_locale())


def format_when(value: dt.datetime | None) -> str:
    """A stored time (naive UTC) in the computer's own time zone."""
    if value is None:
        return ""
    local = value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    return format_datetime(local, "medium", locale=_locale())


def format_visit_date(start: dt.date | None, end: dt.date | None, precision: str) -> str:
    """A date as precise as it was recorded: "March 2026" for a month, a span for a range."""
    if start is None:
        return ""
    locale = _locale()
    if precision == "month":
        return format_skeleton("yMMMM", start, locale=locale)
    if precision == "year":
        return format_skeleton("y", start, locale=locale)
    if end is not None and end != start:
        return format_interval(start, end, "yMMMd", locale=locale)
    return format_date(start, "medium", locale=locale)


def format_value(value: object) -> str:
    """``display`` hook for RowTableModel: numbers and dates as the language writes them."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, dt.datetime):
        return format_when(value)
    if isinstance(value, dt.date):
        return format_day(value)
    return str(value)
