"""Table cells and chart labels written as the report's language writes them (babel)."""

from __future__ import annotations

import datetime as dt
from functools import cache

from babel import Locale
from babel.dates import format_date

from fieldkit.formatting import format_day, format_number, format_percentage
from fieldkit.reports.model import Value


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def format_month(value: dt.date, lang: str, short: bool = False) -> str:
    """ "March 2026" (or "Mar 2026") in ``lang``'s own order and month names."""
    locale = _locale(lang)
    skeleton = "yMMM" if short else "yMMMM"
    return format_date(value, str(locale.datetime_skeletons[skeleton].pattern), locale=locale)


def format_value(value: Value, kind: str, lang: str) -> str:
    """One cell: numbers with the language's separators, dates as the language writes a day."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return format_month(value, lang) if kind == "month" else format_day(value, lang)
    if isinstance(value, int | float):
        if kind == "percent":
            return format_percentage(float(value), lang)
        return format_number(value, lang)
    return str(value)
