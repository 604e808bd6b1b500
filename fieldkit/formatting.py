"""Dates and numbers as a language writes them (babel), for any language per call.

Each function takes ``lang``; ``None`` means the interface language, which is what
the window wants, while a report or an export passes its own. Each kind of date has
one form per language, so a day reads the same in a list, a span and a timestamp:
"5 مارس 2026", never "05/03/2026" in one place and "5 مارس" in the next.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval
from babel.numbers import format_decimal, format_percent

from fieldkit.clock import local_time
from fieldkit.i18n import N_, current_language, translator

#: the kinds of date FieldKit shows; "moment" is a stored time (a change, a packet)
DateKind = Literal["day", "month", "year", "moment"]

#: babel skeletons: the locale picks the order, the month names and the separators
_SKELETONS: dict[str, str] = {"day": "yMMMd", "month": "yMMMM", "year": "y"}
_YES, _NO = N_("Yes"), N_("No")


def _lang(lang: str | None) -> str:
    return lang or current_language()


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@cache
def date_pattern(kind: DateKind, lang: str) -> str:
    """The one CLDR pattern ``kind`` takes in ``lang`` ("MMM d, y" for an English day)."""
    locale = _locale(lang)
    if kind == "moment":
        day = str(locale.datetime_skeletons[_SKELETONS["day"]].pattern)
        time = str(locale.time_formats["short"].pattern)
        return str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)
    return str(locale.datetime_skeletons[_SKELETONS[kind]].pattern)


def format_number(value: int | float, lang: str | None = None) -> str:
    return format_decimal(value, locale=_locale(_lang(lang)))


def format_percentage(fraction: float, lang: str | None = None) -> str:
    """``0.25`` as "25%" (or "25 %", "٪25" ...): the fraction, not the hundred-based figure."""
    return format_percent(fraction, locale=_locale(_lang(lang)))


def format_day(value: dt.date | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    lang = _lang(lang)
    return format_date(value, date_pattern("day", lang), locale=_locale(lang))


def format_when(value: dt.datetime | None, lang: str | None = None) -> str:
    """A stored time (naive UTC) in the computer's own time zone, to the minute."""
    if value is None:
        return ""
    lang = _lang(lang)
    return format_datetime(local_time(value), date_pattern("moment", lang), locale=_locale(lang))


def format_visit_date(
    start: dt.date | None, end: dt.date | None, precision: str, lang: str | None = None
) -> str:
    """A date as precise as it was recorded: "March 2026" for a month, a span for a range."""
    if start is None:
        return ""
    lang = _lang(lang)
    if precision == "month":
        return format_date(start, date_pattern("month", lang), locale=_locale(lang))
    if precision == "year":
        return format_date(start, date_pattern("year", lang), locale=_locale(lang))
    if end is not None and end != start:
        return format_interval(start, end, _SKELETONS["day"], locale=_locale(lang))
    return format_day(start, lang)


def format_value(value: object, lang: str | None = None) -> str:
    """Numbers, dates and yes/no as ``lang`` writes them; anything else as its text."""
    if isinstance(value, bool):
        return translator(_lang(lang)).gettext(_YES if value else _NO)
    if isinstance(value, int):
        return format_number(value, lang)
    if isinstance(value, dt.datetime):
        return format_when(value, lang)
    if isinstance(value, dt.date):
        return format_day(value, lang)
    return str(value)
