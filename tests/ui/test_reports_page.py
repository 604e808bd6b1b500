"""The Reports page over the small demo store: choose, build in the background, page through the
preview, save the PDF and the tables, print to a PDF printer, bad input, cancel, remembered
choices, and a visit's report from the Monitoring page. Every result is read back: the PDF's
text with pdftotext, its pages with pdfinfo, the workbook with openpyxl, the audit trail."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixed_clock import SteppingClock
from openpyxl import load_workbook
from pdf_checks import inked_fraction, needs_poppler, page_count, pdf_text
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS

from fieldkit.access import Principal, Role
from fieldkit.context import Context
from fieldkit.demo import generate
from fieldkit.opening import open_context
from fieldkit.services.audit import AuditFilter, audit_page, describe
from fieldkit.services.monitoring import save_visit
from fieldkit.services.monitoring_types import VisitData
from fieldkit.services.office import init_office
from fieldkit.store import audit as chain
from ui import main_window as mw
from ui.app import build_main_window
from ui.main_window import MainWindow
from ui.pages.report_form import ReportForm
from ui.pages.reports_page import ReportsPage

pytestmark = [needs_poppler, pytest.mark.usefixtures("no_thread_leaks", "english")]

TODAY = dt.datetime(2026, 10, 31, 12, 0)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo store, made once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("reports-page") / "demo.db"
    ctx = open_context(path, create=True)
    ctx.now = SteppingClock(TODAY)
    init_office(ctx, "KE-NBO", "Kenya country office", "country-office")
    generate(ctx, "small", seed=1)
    ctx.close()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[Context]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    ctx = open_context(path)
    ctx.now = SteppingClock(TODAY)
    yield ctx
    ctx.close()


@pytest.fixture
def window(qtbot: QtBot, demo: Context) -> Iterator[MainWindow]:
    win = build_main_window(demo)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    win.show_page(mw.REPORTS)
    qtbot.waitUntil(lambda: win.reports.build_button.isEnabled(), timeout=WAIT_MS)
    yield win
    win.close()


def _build(qtbot: QtBot, page: ReportsPage) -> None:
    before = page.shown
    page.build_button.click()
    qtbot.waitUntil(lambda: page.shown is not before and page.shown is not None, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: (
            page.preview.page_label.pixmap() is not None and not page.preview.page_label.pixmap().isNull()
        ),
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: page.build_button.isEnabled(), timeout=WAIT_MS)


def _reports_noted(ctx: Context) -> list[dict[str, object]]:
    rows = audit_page(ctx, AuditFilter(action=chain.ACTION_REPORT), limit=50).rows
    return [dict(row.detail or {}, words=describe(row)) for row in rows]


def _choose_file(qtbot: QtBot, page: ReportsPage, path: Path) -> None:
    qtbot.waitUntil(lambda: page.file_dialog is not None, timeout=WAIT_MS)
    chooser = page.file_dialog
    assert chooser is not None
    name_box = chooser.findChild(QLineEdit, "fileNameEdit")
    assert name_box is not None
    name_box.setText(str(path))
    chooser.accept()


def test_build_preview_save_pdf_and_tables(
    qtbot: QtBot, window: MainWindow, demo: Context, tmp_path: Path
) -> None:
    page = window.reports
    form = page.form
    assert form.kind.currentData() == "situation" and form.period.currentData() == "last-quarter"
    assert (form.date_from.date(), form.date_to.date()) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert not page.save_button.isEnabled() and not page.print_button.isEnabled()
    assert not page.preview.toolbar.isVisible() and page.preview.empty_label.isVisible()

    _build(qtbot, page)
    shown = page.shown
    assert shown is not None and shown.request.kind == "situation"
    count = shown.pages.count
    assert count >= 3
    assert page.status.text() == f"Situation summary in English: {count} pages"
    assert page.preview.page_count.text() == f"of {count} pages" and page.preview.toolbar.isVisible()
    assert page.save_button.isEnabled() and page.xlsx_button.isEnabled() and page.print_button.isEnabled()

    target = tmp_path / "summary.pdf"
    page.save_pdf()
    _choose_file(qtbot, page, target)
    qtbot.waitUntil(lambda: page.last_message.startswith("Saved"), timeout=WAIT_MS)
    assert target.read_bytes() == shown.pages.data  # what is saved is what was seen
    text = pdf_text(target)
    assert "Situation summary" in text and "Jul 1, 2026" in text
    assert page_count(target) == count

    sheet = tmp_path / "summary.xlsx"
    page.save_xlsx()
    _choose_file(qtbot, page, sheet)
    qtbot.waitUntil(lambda: sheet.exists() and page.build_button.isEnabled(), timeout=WAIT_MS)
    book = load_workbook(sheet)
    assert len(book.worksheets) >= 3

    qtbot.waitUntil(lambda: len(_reports_noted(demo)) == 3, timeout=WAIT_MS)
    noted = _reports_noted(demo)  # newest first
    assert [n.get("output") or n.get("file") for n in noted] == ["summary.xlsx", "summary.pdf", "preview"]
    assert noted[2]["words"] == f"Situation summary, {count} pages: shown"
    assert noted[1]["words"] == f"Situation summary, {count} pages: saved as summary.pdf"
    assert all(n["filter"]["from"] == "2026-07-01" for n in noted)  # type: ignore[index]


def test_pages_turn_with_buttons_and_keys(qtbot: QtBot, window: MainWindow) -> None:
    page = window.reports
    _build(qtbot, page)
    preview = page.preview
    last = preview.pages.count - 1 if preview.pages else 0
    with qtbot.waitSignal(preview.page_shown, timeout=WAIT_MS) as shown:
        preview.next_button.click()
    assert shown.args == [1] and preview.page_box.value() == 2
    preview.area.setFocus()
    with qtbot.waitSignal(preview.page_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClick(preview.area, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert shown.args == [last] and not preview.next_button.isEnabled()
    with qtbot.waitSignal(preview.page_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClick(preview.area, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert shown.args == [last - 1]
    with qtbot.waitSignal(preview.page_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClick(preview.area, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert shown.args == [0] and not preview.previous_button.isEnabled()
    width_first = preview.page_label.pixmap().width()
    with qtbot.waitSignal(preview.page_shown, timeout=WAIT_MS):
        preview.zoom.setCurrentIndex(preview.zoom.findData(0.5))
    assert preview.page_label.pixmap().width() < width_first


def test_print_to_a_pdf_printer_whole_and_a_range(
    qtbot: QtBot, window: MainWindow, demo: Context, tmp_path: Path
) -> None:
    page = window.reports
    _build(qtbot, page)
    assert page.shown is not None
    count = page.shown.pages.count
    for name, pages in (("all.pdf", None), ("range.pdf", (2, 3))):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / name))
        printer.setResolution(100)  # a small file; the drawing is the same at 300 dpi
        if pages:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*pages)
        page.print_with(printer)
        qtbot.waitUntil(lambda: page.build_button.isEnabled(), timeout=WAIT_MS)
    assert page_count(tmp_path / "all.pdf") == count
    assert page_count(tmp_path / "range.pdf") == 2
    assert inked_fraction(tmp_path / "all.pdf", 1, body_only=False) > 0.01
    assert page.last_message == "Sent 2 pages to the printer"
    qtbot.waitUntil(lambda: len(_reports_noted(demo)) == 3, timeout=WAIT_MS)
    assert _reports_noted(demo)[0]["words"] == "Situation summary, 2 pages: printed"


def test_bad_period_is_said_beside_the_choices_and_nothing_is_built(
    qtbot: QtBot, window: MainWindow, demo: Context
) -> None:
    page = window.reports
    form = page.form
    form.date_from.set_date(dt.date(2026, 9, 30))
    form.date_to.set_date(dt.date(2026, 9, 1))
    assert form.period.currentData() == "custom"
    page.build_button.click()
    qtbot.waitUntil(lambda: form.problems.isVisible(), timeout=WAIT_MS)
    assert form.problems.text() == "The period ends (2026-09-01) before it starts (2026-09-30)."
    assert page.shown is None and not page.save_button.isEnabled()
    assert _reports_noted(demo) == []

    form.date_to.set_date(dt.date(2026, 10, 15))
    _build(qtbot, page)
    assert not form.problems.isVisible()


def test_cancel_before_the_figures_come_back_shows_nothing(
    qtbot: QtBot, window: MainWindow, demo: Context
) -> None:
    page = window.reports
    page.build()
    assert page.cancel_button.isVisible()
    page.cancel()
    qtbot.waitUntil(lambda: page.build_button.isEnabled(), timeout=WAIT_MS)
    assert page.shown is None and page.last_message == "Stopped: the report was not built."
    assert not page.cancel_button.isVisible()
    assert _reports_noted(demo) == []


def test_choices_are_remembered_and_a_change_marks_the_preview(
    qtbot: QtBot, window: MainWindow, demo: Context
) -> None:
    page = window.reports
    form = page.form
    form.kind.setCurrentIndex(form.kind.findData("regional"))
    form.language.setCurrentIndex(form.language.findData("ar"))
    form.period.setCurrentIndex(form.period.findData("last-year"))
    form.level.setCurrentIndex(form.level.findData("internal"))
    _build(qtbot, page)
    assert page.shown is not None and page.shown.request.lang == "ar"
    assert page.status.text().startswith("Regional summary in \u2068العربية\u2069: ")  # isolated
    applied = page.shown.built.applied
    assert applied is not None and applied.max_level == "internal"
    assert (applied.date_from, applied.date_to) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))

    form.language.setCurrentIndex(form.language.findData("zh"))
    assert "The choices have changed since" in page.status.text()

    again = ReportForm(demo, window.workspace.vocab)
    qtbot.addWidget(again)
    assert again.kind.currentData() == "regional"
    assert again.language.currentData() == "ar"  # remembered when the report was built
    assert again.period.currentData() == "last-year"
    assert (again.date_from.date(), again.date_to.date()) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_a_visit_report_from_the_monitoring_page(qtbot: QtBot, window: MainWindow, demo: Context) -> None:
    window.show_page(mw.MONITORING)
    monitoring = window.monitoring
    qtbot.waitUntil(
        lambda: monitoring.visits.model.rowCount() > 0 and not monitoring.visits.busy, timeout=WAIT_MS
    )
    monitoring.table.selectRow(0)
    row = monitoring.visits.selected_rows()[0]
    assert monitoring.report_action.isEnabled()
    monitoring.report_action.trigger()
    page = window.reports
    assert window.current_page() == mw.REPORTS
    form = page.form
    assert form.kind.currentData() == "visit" and form.visit.currentData() == row.id
    assert form.redact.isChecked() and form.redact.isVisible() and not form.period.isVisible()
    _build(qtbot, page)
    assert page.shown is not None and page.shown.built.record_id == row.id
    assert page.shown.request.redact
    qtbot.waitUntil(lambda: len(_reports_noted(demo)) == 1, timeout=WAIT_MS)
    assert _reports_noted(demo)[0]["words"].startswith("Monitoring visit, ")  # type: ignore[union-attr]


def test_the_visit_list_follows_the_search(qtbot: QtBot, window: MainWindow) -> None:
    form = window.reports.form
    form.kind.setCurrentIndex(form.kind.findData("visit"))
    qtbot.waitUntil(lambda: form.visit.count() > 1, timeout=WAIT_MS)
    first = form.visit.itemText(0)
    title = first.split(": ", 1)[-1]
    form.visit_find.setText("no such words anywhere")
    form.visit_find.returnPressed.emit()
    qtbot.waitUntil(lambda: form.visit.itemText(0) == "No visit matches the search", timeout=WAIT_MS)
    page = window.reports
    page.build_button.click()
    assert form.problems.text().startswith("Choose the visit to report on: search for it by its title")
    assert page.shown is None and page.build_button.isEnabled()
    form.visit_find.setText(title)
    form.visit_find.returnPressed.emit()
    qtbot.waitUntil(
        lambda: any(form.visit.itemText(i) == first for i in range(form.visit.count())), timeout=WAIT_MS
    )


def test_a_role_without_reports_is_told_so(qtbot: QtBot, demo: Context) -> None:
    demo.principal = Principal("viewer", frozenset({Role.READ_ONLY}), "internal")
    win = build_main_window(demo)
    qtbot.addWidget(win)
    win.show()
    win.show_page(mw.REPORTS)
    page = win.reports
    qtbot.waitUntil(lambda: page.preview.empty_label.text().startswith("Your role does not"), timeout=WAIT_MS)
    assert not page.form.isEnabled() and not page.build_button.isEnabled()
    page.build()
    assert page.shown is None and not page.busy
    win.close()


def test_a_visit_saved_elsewhere_joins_the_visits_offered(
    qtbot: QtBot, window: MainWindow, demo: Context
) -> None:
    form = window.reports.form
    form.kind.setCurrentIndex(form.kind.findData("visit"))
    qtbot.waitUntil(lambda: form.visit.count() > 1, timeout=WAIT_MS)
    saved = save_visit(
        demo, VisitData(title="Night visit to the remand wing", visit_type="detention-visit",
                        date_start=TODAY.date(), confidentiality="internal")
    )  # fmt: skip
    window._report(saved.changes, window.editing)  # as the editor reports a save
    qtbot.waitUntil(lambda: form.visit.findData(saved.value.id) >= 0, timeout=WAIT_MS)
    assert form.visit.itemText(form.visit.findData(saved.value.id)).endswith("Night visit to the remand wing")


def test_saving_where_no_file_can_go_says_so_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    page = window.reports
    _build(qtbot, page)
    target = tmp_path / "no such folder" / "summary.pdf"
    page._write_pdf(page.shown, target)  # type: ignore[arg-type]  # what the chooser hands on
    qtbot.waitUntil(lambda: page.build_button.isEnabled(), timeout=WAIT_MS)
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and "its folder is missing or not writable" in boxes[0].text()
    assert not target.parent.exists() and not page.form.problems.isVisible()
    boxes[0].close()
