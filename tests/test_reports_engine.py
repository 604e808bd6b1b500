"""The print engine end to end: real PDFs, rendered by poppler and read back.

Documents come from ``fieldkit.reports.specimen`` (made-up data, a fixed generation date):
every page is drawn (not blank), long tables repeat their headings on every page, every
page says "page x of y" in the report's language, dates and numbers are written for the
report's language whatever the window's, and a failed print leaves no file behind.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from pdf_checks import inked_fraction, needs_poppler, page_count, pdf_text

from fieldkit.formatting import format_day
from fieldkit.i18n import current_language
from fieldkit.reports import Chart, Column, Document, PageBreak, Paragraph, Section, Series, Table, render
from fieldkit.reports import charts as charts_module
from fieldkit.reports.specimen import GENERATED, specimen
from fieldkit.reports.textcheck import normalise


@needs_poppler
def test_a_long_english_table_repeats_its_headings_and_numbers_every_page(tmp_path: Path) -> None:
    pdf = tmp_path / "en.pdf"
    pages = render(specimen("en", rows=240), pdf)
    assert pages == page_count(pdf) >= 5
    table_pages = 0
    for page in range(1, pages + 1):
        text = pdf_text(pdf, page, page)
        assert f"Page {page} of {pages}" in text
        assert "Kenya field office" in text and "CONFIDENTIAL" in text
        assert f"Generated on {format_day(GENERATED, 'en')} by Grace Wanjiru" in text
        if "MV-1" in text:
            table_pages += 1
            assert "Violation type" in text and "Allegations" in text and "Follow-ups" in text
        assert inked_fraction(pdf, page) > 0.001, f"page {page} is blank"
    assert table_pages >= 3
    every_row = pdf_text(pdf)
    assert all(f"MV-{1000 + i}" in every_row for i in range(240))


@needs_poppler
def test_an_arabic_report_mirrors_and_reads_in_logical_order(tmp_path: Path) -> None:
    pdf = tmp_path / "ar.pdf"
    pages = render(specimen("ar", rows=120, contents=True), pdf)
    text = normalise(pdf_text(pdf))
    for page in range(1, pages + 1):
        assert normalise(f"الصفحة {page} من {pages}") in normalise(pdf_text(pdf, page, page))
        assert inked_fraction(pdf, page) > 0.001
    for phrase in (
        "ملخص الوضع: الربع الأول 2026",
        "مكتب عمّان الميداني",
        "سري",
        "المحتويات",
        "التعذيب وسوء المعاملة",
        "نوع الانتهاك",
        format_day(GENERATED, "ar"),
        "ليلى حداد",
    ):
        assert normalise(phrase) in text, phrase
    # the table's first column (the visit) is printed at the right: read first on each row
    first_page_with_rows = next(p for p in range(1, pages + 1) if "MV-10" in pdf_text(pdf, p, p))
    bbox = subprocess.run(
        [
            "pdftotext",
            "-bbox",
            "-f",
            str(first_page_with_rows),
            "-l",
            str(first_page_with_rows),
            str(pdf),
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    visit_x = [float(m.group(1)) for m in re.finditer(r'xMin="([\d.]+)"[^>]*>MV-\d+<', bbox)]
    assert visit_x and min(visit_x) > 400  # right-hand column of an A4 page (595 pt wide)


@needs_poppler
def test_a_chinese_report_reads_back_exactly(tmp_path: Path) -> None:
    pdf = tmp_path / "zh.pdf"
    pages = render(specimen("zh", rows=40), pdf)
    text = normalise(pdf_text(pdf))
    for phrase in (
        "情况摘要：2026年第一季度",
        "内罗毕外地办事处",
        "机密",
        "酷刑和虐待",
        f"第1页，共{pages}页",
        format_day(GENERATED, "zh"),
        "王芳",
    ):
        assert normalise(phrase) in text, phrase


@needs_poppler
def test_the_contents_list_sections_with_their_pages(tmp_path: Path) -> None:
    pdf = tmp_path / "toc.pdf"
    pages = render(specimen("en", rows=150, contents=True), pdf)
    layout = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Contents" in layout
    listed = {
        " ".join(line.split()[:-1]): int(line.split()[-1])
        for line in layout.splitlines()
        if line.split() and line.split()[-1].isdigit() and not line.strip().startswith("Page")
    }
    visits_page = next(p for p in range(2, pages + 1) if "MV-1000" in pdf_text(pdf, p, p))
    assert listed["Visits"] == visits_page
    summary_page = next(p for p in range(2, pages + 1) if "Summary" in pdf_text(pdf, p, p))
    assert listed["Summary"] == summary_page == 2
    assert listed["By violation type"] in (2, 3)


@needs_poppler
def test_the_report_language_not_the_window_language_writes_dates_and_numbers(tmp_path: Path) -> None:
    assert current_language() == "en"
    doc = Document(
        title="Rapport de situation",
        lang="fr",
        office="Bureau de Bamako",
        generated_on=dt.date(2026, 3, 14),
        generated_by="Awa Traoré",
        sections=(
            Section(
                "Chiffres",
                blocks=(
                    Table(
                        columns=(
                            Column("Région"),
                            Column("Visites", kind="number"),
                            Column("Le", kind="date"),
                        ),
                        rows=(("Kayes", 1234567, dt.date(2026, 3, 1)),),
                    ),
                ),
            ),
        ),
    )
    pdf = tmp_path / "fr.pdf"
    render(doc, pdf)
    text = pdf_text(pdf)
    assert "14 mars 2026" in text and "1 mars 2026" in text
    assert normalise("1 234 567") in normalise(text)  # French groups with narrow no-break spaces


def test_rendering_twice_gives_the_same_bytes_and_a_stream_works() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    render(specimen("ar", rows=30), first)
    render(specimen("ar", rows=30), second)
    assert first.getvalue().startswith(b"%PDF")
    assert first.getvalue() == second.getvalue()


def test_a_failed_print_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(charts_module.ChartFlowable, "draw", broken)
    target = tmp_path / "report.pdf"
    with pytest.raises(RuntimeError):
        render(specimen("en", rows=10), target)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    render(specimen("en", rows=10), target)
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


@needs_poppler
def test_empty_tables_and_charts_say_so(tmp_path: Path) -> None:
    doc = Document(
        title="Situation summary",
        lang="en",
        office="Test office",
        generated_on=dt.date(2026, 1, 5),
        generated_by="Tester",
        sections=(
            Section(
                "Nothing",
                blocks=(
                    Paragraph("Nothing happened."),
                    Table(columns=(Column("Area"),), rows=(), empty_text="No visits in this period."),
                    Chart(
                        "bars",
                        labels=(),
                        series=(Series("Visits", ()),),
                        empty_text="No allegations to chart.",
                    ),
                ),
            ),
        ),
    )
    pdf = tmp_path / "empty.pdf"
    render(doc, pdf)
    text = pdf_text(pdf)
    assert "No visits in this period." in text and "No allegations to chart." in text


@needs_poppler
def test_fonts_are_embedded_as_subsets(tmp_path: Path) -> None:
    pdf = tmp_path / "fonts.pdf"
    render(specimen("ar", rows=20), pdf)
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    # reportlab's document names Helvetica in its font resources whether or not a page uses it
    rows = [line for line in fonts.splitlines()[2:] if line.strip() and not line.startswith("Helvetica ")]
    assert len(rows) >= 2  # Plex Arabic draws the Latin and digits of an Arabic report too
    for row in rows:
        assert re.match(r"[A-Z]{6}\+", row), row  # a subset
        assert " yes yes " in row, row  # embedded, subset
    assert pdf.stat().st_size < 200_000


@needs_poppler
def test_arabic_names_in_an_english_report_read_in_logical_order(tmp_path: Path) -> None:
    names = ("ليلى حداد", "عبد الله الخطيب", "Жанна Петрова", "王芳")
    doc = Document(
        title="Participants",
        lang="en",
        office="Regional office",
        generated_on=dt.date(2026, 2, 1),
        generated_by="Tester",
        watermark="DRAFT",
        sections=(
            Section(
                "People",
                blocks=(
                    Paragraph("The office of ليلى حداد in عمّان received 12 cases."),
                    Table(
                        columns=(Column("Name"), Column("Cases", kind="number")),
                        rows=tuple((name, i + 1) for i, name in enumerate(names)),
                    ),
                ),
            ),
        ),
    )
    pdf = tmp_path / "names.pdf"
    render(doc, pdf)
    text = normalise(pdf_text(pdf))
    for name in names:
        assert normalise(name) in text, name
    assert normalise("The office of ليلى حداد in عمّان received 12 cases.") in text
    assert "DRAFT" in text  # the watermark


@needs_poppler
def test_the_arabic_paragraph_copies_out_of_a_full_report_page(tmp_path: Path) -> None:
    from fieldkit.reports.specimen import ARABIC_PARAGRAPH
    from fieldkit.reports.textcheck import copy_paste

    pdf = tmp_path / "ar.pdf"
    render(specimen("ar", rows=10), pdf)
    score = copy_paste(ARABIC_PARAGRAPH, pdf_text(pdf, 1, 1))
    assert score.missing == () and score.ratio >= 0.99, score


@needs_poppler
def test_a_table_row_longer_than_a_page_goes_on_to_the_next(tmp_path: Path) -> None:
    narrative = " ".join(f"Sentence {i} of a very long account of the visit." for i in range(400))
    doc = Document(
        title="One visit",
        lang="en",
        office="Office",
        generated_on=dt.date(2026, 1, 1),
        generated_by="Tester",
        sections=(
            Section(
                "Account",
                blocks=(
                    Table(
                        columns=(Column("Field", width=0.3), Column("Text")),
                        rows=(("Narrative", narrative), ("End", "x")),
                    ),
                ),
            ),
        ),
    )
    pdf = tmp_path / "long-row.pdf"
    pages = render(doc, pdf)
    assert pages >= 3
    raw = pdf_text(pdf)
    found = {int(n) for n in re.findall(r"Sentence\s+(\d+)", raw)}
    assert found <= set(range(400)) and len(set(range(400)) - found) <= pages - 1  # cut by a page break
    text = normalise(raw)
    whole = sum(normalise(f"Sentence {i} of a very long account of the visit.") in text for i in range(400))
    assert whole >= 400 - (pages - 1)  # only a sentence cut by a page break is interrupted
    assert "Endx" in text


@needs_poppler
def test_the_blank_page_check_sees_a_page_with_only_its_header_and_footer_as_blank(tmp_path: Path) -> None:
    doc = Document(
        title="T", lang="ar", office="مكتب عمّان الميداني", generated_on=dt.date(2026, 1, 1),
        generated_by="ليلى حداد", confidentiality="سري",
        sections=(Section("x", blocks=(Paragraph("نص"), PageBreak(), Paragraph(" "))),),
    )  # fmt: skip
    pdf = tmp_path / "blank.pdf"
    assert render(doc, pdf) == 2
    assert inked_fraction(pdf, 2) == 0.0 and inked_fraction(pdf, 2, body_only=False) > 0.001


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_report_ends_on_a_page_with_nothing_but_its_furniture(tmp_path: Path, lang: str) -> None:
    # a table that ends at the foot of a page once pushed its spacing onto a new, empty page
    for rows in range(70, 125):  # more than a page's worth: one of them ends at a page's foot
        pdf = tmp_path / f"{lang}-{rows}.pdf"
        pages = render(specimen(lang, rows=rows, contents=True), pdf)
        assert f"MV-{1000 + rows - 1}" in pdf_text(pdf, pages, pages), rows


def test_cells_are_written_in_the_report_language() -> None:
    from fieldkit.reports.charts import nice_step
    from fieldkit.reports.values import format_month, format_value

    day = dt.date(2026, 3, 5)
    assert format_value(day, "date", "ar") == format_day(day, "ar")
    assert format_value(day, "month", "zh") == "2026年3月"
    assert format_value(1234567, "number", "es") == "1.234.567"
    assert format_value(0.25, "percent", "en") == "25%"
    assert format_value(None, "number", "fr") == ""
    assert (format_month(day, "en", short=True), format_month(day, "en")) == ("Mar 2026", "March 2026")
    assert [nice_step(v) for v in (0, 7, 45, 120, 3907)] == [1.0, 2.0, 10.0, 50.0, 1000.0]
