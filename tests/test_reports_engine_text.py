"""Text in every script, read back as a person's viewer reads it (poppler's pdftotext).

The Arabic paragraph is the one of issue 13's numbers: Arabic with a Latin name, numbers,
punctuation and harakat, wrapping over several lines. Every word must come back whole and
at least 99% of its characters in order; Chinese must come back exactly and wrap by
character without a line starting with closing punctuation; Latin must not turn into
ligatures.
"""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdf_checks import needs_poppler, pdf_text
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from fieldkit.reports.bidi import paragraph_levels, reader_order, visual_order
from fieldkit.reports.specimen import ARABIC_PARAGRAPH, CHINESE_PARAGRAPH, ENGLISH_PARAGRAPH
from fieldkit.reports.textcheck import copy_paste, normalise
from fieldkit.reports.textdraw import TextBlock
from fieldkit.reports.textlayout import NO_LINE_END, NO_LINE_START, TextStyle, layout

COLUMN = 295.0  # points: the column the reference measurements used


def _column_pdf(path: Path, text: str, style: TextStyle, width: float = COLUMN) -> Path:
    margin = (A4[0] - width) / 2
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=margin, rightMargin=margin, invariant=1)
    doc.build([TextBlock(text, style)])
    return path


# --- poppler's visual-to-logical rule, ported, to check reader_order without a reader -----------


def _poppler_reorder(text: str, primary_ltr: bool) -> str:
    def is_r(c: str) -> bool:
        return unicodedata.bidirectional(c) in ("R", "AL")

    def is_l_or_num(c: str) -> bool:
        return unicodedata.bidirectional(c) in ("L", "EN", "AN", "CS", "ES", "ET") or c.isdigit()

    out: list[str] = []
    n = len(text)
    if primary_ltr:
        i = 0
        while i < n:
            j = i
            while j < n and not is_r(text[j]):
                j += 1
            out.append(text[i:j])
            i = j
            while j < n and not is_l_or_num(text[j]):
                j += 1
            out.append(text[i:j][::-1])
            i = j
        return "".join(out)
    i = n - 1
    while i >= 0:
        j = i
        while j >= 0 and not is_l_or_num(text[j]):
            j -= 1
        out.append(text[j + 1 : i + 1][::-1])
        i = j
        while j >= 0 and not is_r(text[j]):
            j -= 1
        out.append(text[j + 1 : i + 1])
        i = j
    return "".join(out)


@pytest.mark.parametrize("rtl_page", [True, False])
@pytest.mark.parametrize(
    "logical",
    [
        ARABIC_PARAGRAPH,
        "شارك السيد John Smith في الدورة رقم 12 حول",
        "بلغ العدد 3,500 (أي 12%) في 2025/03/05.",
        "The office in عمّان met 18 monitors.",
        "كلمة",
        "2025",
    ],
)
def test_reader_order_gives_the_logical_text_back_to_poppler(logical: str, rtl_page: bool) -> None:
    read = _poppler_reorder(reader_order(logical, rtl_page), primary_ltr=not rtl_page)
    assert sorted(read) == sorted(logical)  # nothing lost or added

    def letters(text: str) -> str:
        return "".join(c for c in text if c.isalnum() or unicodedata.category(c) == "Mn")

    assert letters(read) == letters(logical)  # letters, digits and harakat in order
    if "(" not in logical:  # white space and punctuation between two directions may move
        assert read.replace(" ", "") == logical.replace(" ", "")


def test_bidi_levels_and_line_order_follow_the_unicode_algorithm() -> None:
    text = "شارك السيد John Smith في 2025"
    levels = paragraph_levels(text, rtl=True)
    assert levels[text.index("John")] == 2 and levels[text.index("شارك")] == 1
    assert levels[text.index("2025")] == 2
    visual = "".join(text[i] for i in visual_order(list(levels)))
    # from the left: the number, then "في", then the Latin name in its own order, then the start
    assert visual.index("2025") < visual.index("يف") < visual.index("John Smith") < visual.index("كراش")
    assert paragraph_levels("plain text", rtl=False) == (0,) * 10


def test_arabic_lines_are_broken_logically_then_drawn_right_to_left() -> None:
    style = TextStyle(lang="ar", size=12)
    lines = layout(ARABIC_PARAGRAPH, style, COLUMN)
    assert len(lines) >= 4
    assert "".join(line.text + " " for line in lines).split() == ARABIC_PARAGRAPH.split()
    first = lines[0]
    assert first.text.startswith("شارك السيد John Smith")
    assert first.needs_actual_text
    runs = [run.text for run in first.runs]  # left to right
    assert runs[-1].startswith("شارك") or runs[-1].endswith("شارك")
    latin = next(i for i, run in enumerate(first.runs) if "John" in run.text)
    assert "John Smith" in first.runs[latin].text and not first.runs[latin].rtl
    arabic_run = first.runs[-1]
    assert arabic_run.rtl and arabic_run.face.name == "FK-Arabic"
    # shaped: the glyphs drawn for "شارك" are joined forms, not the four letters themselves
    assert [chr(c) for c in arabic_run.codes] != list(arabic_run.text)
    for line in lines:
        assert line.width <= COLUMN + 0.01


@needs_poppler
def test_arabic_paragraph_copies_out_whole(tmp_path: Path) -> None:
    pdf = _column_pdf(tmp_path / "ar.pdf", ARABIC_PARAGRAPH, TextStyle(lang="ar", size=12))
    extracted = pdf_text(pdf)
    score = copy_paste(ARABIC_PARAGRAPH, extracted)
    assert score.missing == ()
    assert score.words_found == score.words == 40
    assert score.ratio >= 0.99, score
    assert "عُقدت" in extracted and "عمّان" in extracted and "مشاركاً" in extracted  # harakat kept
    assert not any(0xE000 <= ord(c) <= 0xF8FF for c in extracted)  # no private-use glyph names
    assert not any(0xFB50 <= ord(c) <= 0xFEFF for c in extracted if c != "\ufeff")  # no presentation forms


@needs_poppler
def test_chinese_wraps_by_character_and_copies_out_exactly(tmp_path: Path) -> None:
    style = TextStyle(lang="zh", size=12)
    width = 190.0
    lines = layout(CHINESE_PARAGRAPH, style, width)
    assert len(lines) >= 6
    assert "".join(line.text for line in lines).replace(" ", "") == CHINESE_PARAGRAPH.replace(" ", "")
    for before, after in itertools.pairwise(lines):
        assert after.text[0] not in NO_LINE_START, (before.text, after.text)
        assert before.text[-1] not in NO_LINE_END, (before.text, after.text)
    joined = "\n".join(line.text for line in lines)
    for word in ("OHCHR", "120", "Universal", "Periodic", "Review", "2025"):
        assert word in joined  # never cut inside a Latin word or a number
    for width_try in (170.0, 180.0, 200.0, 230.0, 260.0):
        for line in layout(CHINESE_PARAGRAPH, style, width_try)[1:]:
            assert line.text[0] not in NO_LINE_START
    pdf = _column_pdf(tmp_path / "zh.pdf", CHINESE_PARAGRAPH, style, width)
    assert normalise(CHINESE_PARAGRAPH) in normalise(pdf_text(pdf))


@needs_poppler
def test_latin_and_cyrillic_are_not_turned_into_ligatures(tmp_path: Path) -> None:
    text = ENGLISH_PARAGRAPH + " Офис получил 12 жалоб; the office's efficient staff."
    pdf = _column_pdf(tmp_path / "en.pdf", text, TextStyle(lang="en", size=10))
    extracted = pdf_text(pdf)
    assert "ﬁ" not in extracted and "ﬀ" not in extracted
    assert normalise(text) == normalise(extracted)
    assert not layout(text, TextStyle(lang="en"), COLUMN)[0].needs_actual_text


_PIECES = [
    "شارك",
    "عُقدت",
    "John",
    "Smith",
    "12",
    "2025،",
    "(أي",
    "12%)",
    "آذار/مارس",
    "人权",
    "，",
    "。",
    "OHCHR",
    "Офис",
    "«نص»",
    "\u2068Jane\u2069",
    "-",
    "3.5",
    " ",
    "  ",
    "\n",
]


@settings(max_examples=60, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=40),
    lang=st.sampled_from(["ar", "en", "zh"]),
    width=st.floats(min_value=20, max_value=400),
)
def test_any_mix_of_scripts_lays_out_without_losing_a_character(
    pieces: list[str], lang: str, width: float
) -> None:
    text = " ".join(pieces)
    lines = layout(text, TextStyle(lang=lang, size=10), width)
    laid = "".join(line.text for line in lines)
    assert laid.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    for line in lines:
        drawn = sorted("".join(run.text for run in line.runs))
        assert drawn == sorted(line.text)  # every character of the line is in exactly one run


@needs_poppler
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fa", "گزارش دفتر کابل دربارهٔ ۱۲ بازدید از زندان‌ها در سال 2025 برای آقای John Smith آماده شد."),
        ("ur", "کراچی دفتر نے 2025 میں 18 دورے کیے اور ہر رپورٹ وقت پر بھیجی گئی۔"),
    ],
)
def test_persian_and_urdu_are_shaped_and_copy_out(tmp_path: Path, lang: str, text: str) -> None:
    style = TextStyle(lang=lang, size=12)
    lines = layout(text, style, 200)
    assert len(lines) >= 2 and all(line.needs_actual_text for line in lines)
    assert all(
        run.face.name == "FK-Arabic" for line in lines for run in line.runs if run.rtl and run.text.strip()
    )
    score = copy_paste(text, pdf_text(_column_pdf(tmp_path / f"{lang}.pdf", text, style, 200)))
    assert score.missing == () and score.ratio >= 0.99, score
