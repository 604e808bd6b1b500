"""The reports themselves, built from a small demo store: every kind in every language printed,
its pages inked and its text read back by poppler with the labels and figures of that language
(vocabulary labels, babel's numbers and dates), whatever the interface language; the filters on
the first page, a report without data saying so, the clearance and redaction holding in the
PDF, the XLSX tables carrying the same figures, the audit entry, and the command line's bad input."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from clearance_users import as_user
from fixed_clock import SteppingClock
from openpyxl import load_workbook
from pdf_checks import inked_fraction, needs_poppler, page_count, pdf_text
from sqlalchemy import select

from fieldkit.access import unchecked
from fieldkit.cli.main import main
from fieldkit.context import Context
from fieldkit.demo import generate
from fieldkit.errors import NotFound, ValidationError
from fieldkit.formatting import format_day, format_number
from fieldkit.i18n import LANGUAGES, current_language, set_language, translator
from fieldkit.opening import open_context
from fieldkit.reports.builders import KINDS, ReportRequest, build_report, make_report, tables_of
from fieldkit.services.audit import AuditFilter, audit_page
from fieldkit.services.office import init_office
from fieldkit.services.report_data import situation_summary, visit_report
from fieldkit.services.report_filter import ReportFilter
from fieldkit.store.clearance import REDACTED
from fieldkit.store.records import MonitoringVisit

pytestmark = needs_poppler

PERIOD = ReportFilter(date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 9, 30))
TODAY = dt.datetime(2026, 10, 31, 12, 0)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, Path]]:
    """The small demo store, made once for every test here; tests only read it (and audit)."""
    path = tmp_path_factory.mktemp("reports") / "demo.db"
    ctx = open_context(path, create=True)
    init_office(ctx, "KE-NBO", "Kenya country office", "country-office")
    generate(ctx, "small", seed=1)
    ctx.now = SteppingClock(TODAY)
    yield ctx, path
    ctx.close()


def _visit_id(ctx: Context, level: str) -> str:
    with unchecked(), ctx.store.read() as session:
        query = select(MonitoringVisit.id).where(MonitoringVisit.confidentiality == level)
        return str(session.execute(query.order_by(MonitoringVisit.id).limit(1)).scalar_one())


def _flat(text: str) -> str:
    """Text as compared: NFKC, without white space and bidi marks (poppler may move spaces)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def _request(ctx: Context, kind: str, lang: str) -> ReportRequest:
    return ReportRequest(kind, lang, PERIOD, visit_id=_visit_id(ctx, "internal"), country="KE")


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_report_prints_in_every_language(
    demo: tuple[Context, Path], tmp_path: Path, kind: str, lang: str
) -> None:
    ctx, _path = demo
    set_language("fr")  # the interface's language does not decide the report's
    try:
        built, pages = make_report(ctx, _request(ctx, kind, lang), tmp_path / "r.pdf")
    finally:
        set_language("en")
    pdf = tmp_path / "r.pdf"
    assert built.document.lang == lang and pages == page_count(pdf)
    for page in range(1, pages + 1):
        assert inked_fraction(pdf, page) > 0.003, f"page {page} of {kind}/{lang} is blank"
    first, whole = _flat(pdf_text(pdf, 1, 1)), _flat(pdf_text(pdf))
    if kind == "visit":
        r = visit_report(ctx, built.record_id, lang=lang)
        written = format_day(r.visit.date_start, lang)
        # an Arabic date beside Arabic cells comes back word by word from poppler, not as a whole
        expected = [
            r.visit_type_label,
            r.confidentiality_label,
            *(written.split() if lang == "ar" else [written]),
        ]
        expected += [label for labels in r.violation_labels for label in labels]
        missing = [e for e in expected if _flat(e) not in whole]
        assert not missing, (kind, lang, missing)
        return
    s = situation_summary(ctx, PERIOD, lang=lang)
    assert s.has_data
    # the filters, on the first page: the period in the language's own dates (in Arabic, each
    # word of it: until the sentence around it is translated, poppler reorders the mixed line)
    for day in (PERIOD.date_from, PERIOD.date_to):
        written = format_day(day, lang)
        assert all(_flat(word) in first for word in (written.split() if lang == "ar" else [written])), written
    roots = sorted((t for t in s.incidents_by_violation if t.depth == 0), key=lambda t: -t.total)
    assert _flat(roots[0].label) in whole, (kind, lang, roots[0].label)
    assert _flat(format_number(s.visits, lang)) in (whole if kind == "briefing" else first)
    if kind == "situation":
        children = [t for t in s.incidents_by_violation if t.depth > 0]
        assert children and all(_flat(t.label) in whole for t in children)


def test_arabic_and_chinese_labels_read_in_logical_order(demo: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, _path = demo
    for lang in ("ar", "zh"):
        make_report(ctx, _request(ctx, "situation", lang), tmp_path / f"{lang}.pdf")
        text = _flat(pdf_text(tmp_path / f"{lang}.pdf"))
        s = situation_summary(ctx, PERIOD, lang=lang)
        labels = [t.label for t in s.incidents_by_violation] + [t.label for t in s.visits_by_type]
        missing = [label for label in labels if _flat(label) not in text]
        assert not missing, (lang, missing)


def test_a_report_without_data_says_so_on_its_first_page(demo: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, _path = demo
    empty = ReportFilter(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 3, 31))
    for kind in ("situation", "regional", "briefing"):
        _built, pages = make_report(
            ctx, ReportRequest(kind, "en", empty, country="KE"), tmp_path / f"{kind}.pdf"
        )
        first = pdf_text(tmp_path / f"{kind}.pdf", 1, 1)
        assert pages == 1 and "No visit matches these filters" in " ".join(first.split())
        assert "Contents" not in first and "Period:" in first


def test_xlsx_holds_the_same_figures(demo: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, _path = demo
    built, _pages = make_report(
        ctx, _request(ctx, "situation", "ar"), tmp_path / "s.pdf", tmp_path / "s.xlsx"
    )
    s = situation_summary(ctx, PERIOD, lang="ar")
    book = load_workbook(tmp_path / "s.xlsx")
    assert len(book.worksheets) == len(tables_of(built.document))
    month = translator("ar").gettext("Month")
    months = next(ws for ws in book.worksheets if ws.cell(1, 1).value == month)
    assert sum(int(row[1]) for row in months.iter_rows(min_row=2, values_only=True)) == s.visits
    assert sum(int(row[2]) for row in months.iter_rows(min_row=2, values_only=True)) == s.incidents
    assert months.sheet_view.rightToLeft


def test_a_reader_not_cleared_for_confidential_gets_none_of_it(
    demo: tuple[Context, Path], tmp_path: Path
) -> None:
    ctx, _path = demo
    reader = as_user(ctx, "internal")
    full, capped = situation_summary(ctx, PERIOD, lang="en"), situation_summary(reader, PERIOD, lang="en")
    assert capped.visits < full.visits
    built, _pages = make_report(reader, ReportRequest("situation", "en", PERIOD), tmp_path / "r.pdf")
    text = " ".join(pdf_text(tmp_path / "r.pdf").split())
    assert built.applied is not None and built.applied.max_level == "internal"
    assert format_number(capped.visits, "en") in text
    with unchecked(), ctx.store.read() as session:
        rows = session.execute(
            select(MonitoringVisit.title, MonitoringVisit.confidentiality).where(
                MonitoringVisit.date_start.between(PERIOD.date_from, PERIOD.date_to)
            )
        ).all()
    hidden = {r.title for r in rows if r.confidentiality in ("confidential", "strictly-confidential")}
    shown = {r.title for r in rows if r.confidentiality not in ("confidential", "strictly-confidential")}
    assert not [t for t in hidden - shown if t in text]
    assert "STRICTLY CONFIDENTIAL" not in text and "CONFIDENTIAL" not in text
    with pytest.raises(NotFound):
        build_report(reader, ReportRequest("visit", "en", visit_id=_visit_id(ctx, "confidential")))


def test_a_redacted_visit_report_withholds_names(demo: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, _path = demo
    visit_id = _visit_id(ctx, "confidential")
    names = [p.full_name for p in visit_report(ctx, visit_id).visit.people if p.full_name]
    assert names
    make_report(ctx, ReportRequest("visit", "en", visit_id=visit_id), tmp_path / "open.pdf")
    make_report(ctx, ReportRequest("visit", "en", visit_id=visit_id, redact=True), tmp_path / "red.pdf")
    opened, closed = pdf_text(tmp_path / "open.pdf"), pdf_text(tmp_path / "red.pdf")
    assert all(n in opened for n in names)
    assert not any(n in closed for n in names) and REDACTED in closed
    built = build_report(ctx, ReportRequest("visit", "en", visit_id=visit_id, redact=True))
    assert built.document.watermark == "CONFIDENTIAL"


def test_each_report_is_audited(demo: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, _path = demo
    visit_id = _visit_id(ctx, "internal")
    make_report(ctx, ReportRequest("visit", "zh", visit_id=visit_id), tmp_path / "audited.pdf")
    with unchecked():
        row = audit_page(ctx, AuditFilter(action="report"), limit=1).rows[0]
    assert row.record_id == visit_id and row.detail is not None
    assert row.detail["kind"] == "visit" and row.detail["file"] == "audited.pdf" and row.detail["pages"] >= 1


def _cli(path: Path, *args: str) -> int:
    return main(["--db", str(path), "report", *args])


def test_cli_lists_kinds_and_prints_a_report(
    demo: tuple[Context, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _ctx, path = demo
    assert _cli(path, "--list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(KINDS)
    out, sheet = tmp_path / "r.pdf", tmp_path / "r.xlsx"
    args = ["regional", "--out", str(out), "--xlsx", str(sheet), "--lang", "zh"]
    assert _cli(path, *args, "--from", "2026-04-01", "--to", "2026-09-30", "--office", "KE-NBO") == 0
    assert out.stat().st_size > 0 and sheet.stat().st_size > 0
    assert current_language() == "en"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["nope", "--out", "{d}/r.pdf"], "Unknown report"),
        (
            ["situation", "--out", "{d}/r.pdf", "--from", "2026-01-01", "--to", "2026-01-31", "--lang", "xx"],
            "xx",
        ),
        (
            [
                "situation",
                "--out",
                "{d}/r.pdf",
                "--from",
                "2026-01-01",
                "--to",
                "2026-01-31",
                "--office",
                "ZZ",
            ],
            "ZZ",
        ),
        (["visit", "--out", "{d}/r.pdf", "--visit", "no-such-visit"], "no-such-visit"),
        (["situation", "--out", "{d}/r.pdf"], "period"),
        (
            ["situation", "--out", "{d}/r.pdf", "--from", "2026-03-01", "--to", "2026-01-31"],
            "before it starts",
        ),
        (
            ["situation", "--out", "{d}/missing/r.pdf", "--from", "2026-01-01", "--to", "2026-01-31"],
            "missing",
        ),
        (
            [
                "situation",
                "--out",
                "{d}/r.pdf",
                "--from",
                "2026-01-01",
                "--to",
                "2026-01-31",
                "--xlsx",
                "{d}",
            ],
            "folder",
        ),
        (
            [
                "briefing",
                "--out",
                "{d}/r.pdf",
                "--from",
                "2026-01-01",
                "--to",
                "2026-01-31",
                "--country",
                "QQ",
            ],
            "QQ",
        ),
    ],
)
def test_cli_bad_input_is_one_line_exit_2_and_no_file(
    demo: tuple[Context, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    words: str,
) -> None:
    _ctx, path = demo
    folder = tmp_path / "out"
    folder.mkdir()
    assert _cli(path, *(a.replace("{d}", str(folder)) for a in args)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err, err
    assert list(folder.iterdir()) == []


def test_a_failed_print_leaves_no_file(demo: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, _path = demo
    with pytest.raises(ValidationError):
        make_report(ctx, ReportRequest("situation", "en"), tmp_path / "r.pdf", tmp_path / "r.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_level_above_the_readers_clearance_is_lowered_and_stated(
    demo: tuple[Context, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx, _path = demo
    reader = as_user(ctx, "internal")
    asked = ReportFilter(
        date_from=PERIOD.date_from, date_to=PERIOD.date_to, max_level="strictly-confidential"
    )
    built, _pages = make_report(reader, ReportRequest("regional", "en", asked), tmp_path / "r.pdf")
    assert built.applied is not None and built.applied.capped_by_clearance
    first = " ".join(pdf_text(tmp_path / "r.pdf", 1, 1).split())
    assert "Highest confidentiality level included: Internal" in first
    assert "Lowered from Strictly confidential" in first
