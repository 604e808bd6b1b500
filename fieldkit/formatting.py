"""Dates and numbers as a language writes them (babel), for any language per call.

Each function takes ``lang``; ``None`` means the interface language, which is what
the window wants, while a report or an export passes its own. Each kind of date has
one form per language, so a day reads the same in a list, a span and a timestamp:
"5 مارس 2026", never "05/03/2026" in one place and "5 مارس" in the next.

Digits are Western (0-9) in every language, Arabic included. CLDR's ``ar`` writes its
dates and numbers with them, as do the offices of the Maghreb; codes, record numbers,
coordinates and file names are typed with them; and every ``{count}`` in a translated
sentence is written with them. Arabic-Indic digits would have to be applied to all of
those to be consistent, so the one choice is Western, and the window's own widgets
(spin boxes, Qt's number formatting) follow it through ``numbering_locale``. Typed
dates and numbers are read in either set of digits.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval
from babel.dates import format_time as format_datetime_time
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


def format_time(value: dt.datetime | dt.time, lang: str | None = None) -> str:
    """A time of day on the computer's clock, to the minute, as ``format_when`` writes its time."""
    lang = _lang(lang)
    return format_datetime_time(value, str(_locale(lang).time_formats["short"].pattern), locale=_locale(lang))


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


def format_date_as(value: dt.date | None, kind: DateKind, lang: str | None = None) -> str:
    """A date shown as ``kind``: "day" as ``format_day``, "month" as "March 2026", "year" as "2026"."""
    if value is None:
        return ""
    if kind == "day":
        return format_day(value, lang)
    lang = _lang(lang)
    return format_date(value, date_pattern(kind, lang), locale=_locale(lang))


def numbering_locale(lang: str | None = None) -> str:
    """The locale tag whose digits match this module's, for a toolkit that formats numbers itself
    (Qt's "ar" means Egypt and Arabic-Indic digits; "ar_001" is Modern Standard Arabic with 0-9)."""
    lang = _lang(lang)
    return _NUMBERING_LOCALES.get(lang, lang)


_NUMBERING_LOCALES = {"ar": "ar_001"}
#: Arabic-Indic, Eastern Arabic-Indic and full-width digits, read as 0-9
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3)
#: bidi marks CLDR puts between the parts of Arabic dates
_MARKS = str.maketrans("", "", "\u200e\u200f\u061c\u202a\u202b\u202c\u2066\u2067\u2068\u2069")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TOKENS = re.compile(r"\d+|[^\W\d_]+\.?")


@cache
def _month_names(lang: str) -> dict[str, int]:
    """Every spelling of a month in ``lang`` (and in English, which people type anywhere)."""
    names: dict[str, int] = {}
    for tag in ("en", lang):
        months = _locale(tag).months
        for context in ("format", "stand-alone"):
            for width in ("abbreviated", "wide"):
                for number, name in months[context][width].items():
                    key = str(name).casefold().rstrip(".")
                    if not key[:1].isdigit():
                        names[key] = int(number)
    return names


@cache
def _field_order(lang: str) -> tuple[str, ...]:
    """The order of year, month and day in ``lang``'s short numeric date ("M/d/yy": M, d, y)."""
    pattern = str(_locale(lang).date_formats["short"].pattern)
    first: dict[str, int] = {}
    for field in "yMd":
        position = min((i for i in (pattern.find(field), pattern.find(field.upper())) if i >= 0), default=99)
        first[field] = position
    return tuple(sorted(first, key=first.__getitem__))


def _full_year(number: str) -> int:
    year = int(number)
    if len(number) <= 2:  # "26" is 2026, "85" is 1985
        year += 2000 if year < 70 else 1900
    return year


def parse_date(text: str, kind: DateKind = "day", lang: str | None = None) -> dt.date | None:
    """A date typed the way ``lang`` writes it: as shown ("Oct 16, 2026", "2026年10月16日"), as its
    short numeric form ("10/16/26", "16/10/2026"), or as ISO ("2026-10-16"); Arabic-Indic digits
    too. A "month" is its first day, a "year" its first of January. Empty text is None; text that
    names no date raises ``ValueError``."""
    lang = _lang(lang)
    cleaned = text.translate(_DIGITS).translate(_MARKS).strip()
    if not cleaned:
        return None
    iso = _ISO.match(cleaned)
    if iso:
        return _checked(kind, int(iso[1]), int(iso[2]), int(iso[3]))
    numbers: list[str] = []
    month: int | None = None
    months = _month_names(lang)
    for token in _TOKENS.findall(cleaned):
        if token[0].isdigit():
            numbers.append(token)
        elif month is None:
            month = months.get(token.casefold().rstrip("."))
    if kind == "year":
        if len(numbers) != 1 or month is not None:
            raise ValueError(text)
        return dt.date(_full_year(numbers[0]), 1, 1)
    if month is not None:
        wanted = 1 if kind == "month" else 2
        if len(numbers) != wanted:
            raise ValueError(text)
        if kind == "month":
            return _checked(kind, _full_year(numbers[0]), month, 1)
        long = [n for n in numbers if len(n) >= 3]
        if long:
            year, day = long[0], next(n for n in numbers if n is not long[0])
        else:  # "16 Oct 26": the order the language writes its days in
            order = [f for f in _field_order(lang) if f != "M"]
            day, year = numbers if order == ["d", "y"] else numbers[::-1]
        return _checked(kind, _full_year(year), month, int(day))
    if kind == "month":
        if len(numbers) != 2:
            raise ValueError(text)
        year, number = numbers if len(numbers[0]) >= 3 else numbers[::-1]
        return _checked(kind, _full_year(year), int(number), 1)
    if len(numbers) != 3:
        raise ValueError(text)
    field_order = ("y", "M", "d") if len(numbers[0]) >= 3 else _field_order(lang)
    fields = dict(zip(field_order, numbers, strict=True))
    return _checked(kind, _full_year(fields["y"]), int(fields["M"]), int(fields["d"]))


def _checked(kind: DateKind, year: int, month: int, day: int) -> dt.date:
    value = dt.date(year, month, day)  # ValueError for the 31st of April and the like
    return value.replace(day=1) if kind == "month" else value


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
