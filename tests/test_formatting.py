"""Dates and numbers per language, chosen per call; vocabulary labels likewise."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.formatting import (
    DateKind,
    date_pattern,
    format_date_as,
    format_day,
    format_number,
    format_percentage,
    format_time,
    format_value,
    format_visit_date,
    format_when,
    numbering_locale,
    parse_date,
)
from fieldkit.i18n import current_language, set_language

DAY = dt.date(2026, 3, 5)
#: 14:07 on the computer's clock, stored as naive UTC the way every time is stored
AT_1407 = dt.datetime(2026, 3, 5, 14, 7).astimezone(dt.UTC).replace(tzinfo=None)

#: lang -> day, month, year, span within a month, span across months, moment, number, percentage
EXPECTED = {
    "en": (
        "Mar 5, 2026", "March 2026", "2026", "Mar 5 – 9, 2026", "Mar 5 – Apr 2, 2026",
        "Mar 5, 2026, 2:07 PM", "1,234,567", "25%",
    ),
    "ar": (
        "5 مارس 2026", "مارس 2026", "2026", "5–9 مارس 2026", "5 مارس – 2 أبريل 2026",
        "5 مارس 2026، 2:07 م", "1,234,567", "25%",
    ),
    "zh": (
        "2026年3月5日", "2026年3月", "2026年", "2026年3月5日 – 9日", "2026年3月5日 – 4月2日",
        "2026年3月5日 14:07", "1,234,567", "25%",
    ),
    "ru": (
        "5 мар. 2026 г.", "март 2026 г.", "2026", "5—9 мар. 2026 г.", "5 мар. — 2 апр. 2026 г.",
        "5 мар. 2026 г., 14:07", "1 234 567", "25 %",
    ),
}  # fmt: skip


@pytest.fixture
def english_window() -> Iterator[None]:
    before = current_language()
    set_language("en")
    yield
    set_language(before)


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_each_kind_of_date_and_number_as_the_language_writes_it(lang: str, english_window: None) -> None:
    shown = (
        format_visit_date(DAY, None, "day", lang),
        format_visit_date(DAY, None, "month", lang),
        format_visit_date(DAY, None, "year", lang),
        format_visit_date(DAY, dt.date(2026, 3, 9), "range", lang),
        format_visit_date(DAY, dt.date(2026, 4, 2), "range", lang),
        format_when(AT_1407, lang),
        format_number(1234567, lang),
        format_percentage(0.25, lang),
    )
    # babel puts bidi and narrow no-break spaces in some of these; compare what a reader sees
    assert tuple(_plain(text) for text in shown) == EXPECTED[lang]


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar", "zh", "ru"])
def test_a_day_has_one_form_alone_in_a_span_and_in_a_time(lang: str) -> None:
    day = format_day(DAY, lang)
    assert format_visit_date(DAY, DAY, "range", lang) == day
    assert format_visit_date(DAY, None, "day", lang) == day
    assert format_value(DAY, lang) == day
    assert format_when(AT_1407, lang).startswith(day)
    assert date_pattern("moment", lang).startswith(date_pattern("day", lang))


def test_without_a_language_the_interface_language_is_used() -> None:
    before = current_language()
    try:
        set_language("ar")
        assert format_day(DAY) == format_day(DAY, "ar") != format_day(DAY, "en")
        assert format_value(True) == "نعم"
        assert format_value(True, "zh") == "是" and format_value(False, "en") == "No"
    finally:
        set_language(before)


def test_a_vocabulary_label_in_the_language_asked_for(ctx: Context, english_window: None) -> None:
    vocab = vocabularies(ctx)
    labels = {lang: vocab.label("visit_type", "detention-visit", lang) for lang in ("en", "ar", "zh")}
    assert labels["en"] == "Detention visit" == vocab.label("visit_type", "detention-visit")
    assert len(set(labels.values())) == 3
    assert current_language() == "en"


def _plain(text: str) -> str:
    return text.replace("\u200f", "").replace("\u202f", " ").replace("\u2009", " ").replace("\xa0", " ")


# -- reading typed dates -------------------------------------------------------------------------

_PARSE_LANGS = ("en", "fr", "es", "ru", "ar", "zh")


@pytest.mark.parametrize("lang", _PARSE_LANGS)
@pytest.mark.parametrize("kind", ["day", "month", "year"])
def test_a_shown_date_reads_back_as_itself(lang: str, kind: DateKind) -> None:
    for value in (dt.date(2026, 10, 16), dt.date(1999, 2, 3), dt.date(2024, 2, 29)):
        expected = {"day": value, "month": value.replace(day=1), "year": value.replace(month=1, day=1)}[kind]
        assert parse_date(format_date_as(value, kind, lang), kind, lang) == expected
    assert parse_date("2026-10-16", "day", lang) == dt.date(2026, 10, 16)  # ISO everywhere
    assert parse_date("  ", "day", lang) is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("10/16/26", "en", dt.date(2026, 10, 16)),  # the short form's order: month first in English
        ("16/10/2026", "fr", dt.date(2026, 10, 16)),
        ("3/2/26", "es", dt.date(2026, 2, 3)),
        ("16.10.2026", "ru", dt.date(2026, 10, 16)),
        ("2026/10/16", "zh", dt.date(2026, 10, 16)),
        ("١٦/١٠/٢٠٢٦", "ar", dt.date(2026, 10, 16)),  # Arabic-Indic digits are read too
        ("16\u200f/10\u200f/2026", "ar", dt.date(2026, 10, 16)),  # as CLDR writes it, with marks
        ("16 Oct 2026", "fr", dt.date(2026, 10, 16)),  # English month names anywhere
        ("1985-01-05", "ar", dt.date(1985, 1, 5)),
    ],
)
def test_typed_dates_in_the_language_s_own_orders(text: str, lang: str, expected: dt.date) -> None:
    assert parse_date(text, "day", lang) == expected


@pytest.mark.parametrize("text", ["31/04/2026", "hello", "16/10", "1/2/3/4", "2026"])
def test_text_that_names_no_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text, "day", "fr")


def test_arabic_numbers_use_western_digits_in_babel_and_for_qt() -> None:
    assert format_number(12345, "ar") == "12,345"
    assert re.fullmatch(r"16 \w+ 2026", format_day(dt.date(2026, 10, 16), "ar"))
    assert numbering_locale("ar") == "ar_001" and numbering_locale("zh") == "zh"


def test_a_time_of_day_is_written_as_in_a_moment() -> None:
    at = dt.datetime(2026, 3, 5, 14, 7)
    for lang in _PARSE_LANGS:
        assert format_time(at, lang) in format_when(at.astimezone(dt.UTC).replace(tzinfo=None), lang)
