"""At 1024x600 every page and dialog fits: nothing cut off, nothing squeezed below its minimum.

A widget is cut off when it reaches outside its parent, unless the parent is a scroll area's
viewport (then it can be scrolled to); it is squeezed when it is narrower than its
``minimumSizeHint``. The main window must accept 1024x600 and also the height left on such a
screen once a title bar and a task bar take theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from layout_checks import TOLERANCE, assert_fits, cut_cells, layout_problems
from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, MakeVisit, OpenWindow, followup

from fieldkit.context import Context
from fieldkit.i18n import current_language, set_language
from fieldkit.services.cards import write_card
from fieldkit.services.monitoring_types import PersonData
from fieldkit.services.people import Candidate, DuplicatePair
from fieldkit.sync.importer import ImportSummary
from ui.first_run import FirstRunWizard
from ui.main_window import MainWindow
from ui.pages.duplicates_page import MergeDialog
from ui.pages.sync_dialogs import (
    ExportDialog,
    ImportPreviewDialog,
    OwnCardDialog,
    PreviewItem,
    TrustCardDialog,
)
from ui.pages.sync_tabs import CONFLICTS, DUPLICATES, PACKETS
from ui.widgets import EmptyState, message_box
from ui.workspace import load_workspace

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")

SMALL = QSize(1024, 600)
#: 600 px less a title bar and a task bar
USABLE = QSize(1024, 540)
LONG_PATH = (
    "/media/field-officer/KINGSTON/FieldKit packets/2026-12/KE-NBO-to-ROEA-2026-12-28-part-01.fieldkit"
)


@pytest.fixture(params=["en", "ar", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    before = current_language()
    set_language(request.param)
    yield request.param
    set_language(before)


def _fill_store(make_visit: MakeVisit) -> None:
    people = tuple(
        PersonData(code=f"KE-NBO-P{n:06d}", role="victim", sex="female", age_group="older-60-plus")
        for n in range(3)
    )
    for n in range(30):
        make_visit(
            title=f"Monitoring of a demonstration, Lokichogio {n}",
            visit_type="protest-monitoring",
            people=people if n == 0 else (),
            follow_ups=(followup(-5), followup(10)),
        )


def _settle(qtbot: QtBot, window: MainWindow) -> None:
    from ui import ops

    qtbot.waitUntil(
        lambda: ops.running_op_count() == 0 and not window.monitoring.visits.busy, timeout=WAIT_MS
    )


def test_every_page_fits_a_small_screen(
    qtbot: QtBot, ctx: Context, make_visit: MakeVisit, open_window: OpenWindow, language: str
) -> None:
    _fill_store(make_visit)
    set_language(language)  # open_window chose English; the pages are built after this
    window = open_window()
    minimum = window.minimumSize().expandedTo(window.minimumSizeHint())
    assert minimum.width() <= USABLE.width() and minimum.height() <= USABLE.height(), minimum
    for size in (SMALL, USABLE):
        window.resize(size)
        qtbot.waitUntil(lambda size=size: window.size() == size, timeout=WAIT_MS)
        for page in range(window.stack.count()):
            window.show_page(page)
            _settle(qtbot, window)
            assert_fits(qtbot, window, f"page {page} at {size.width()}x{size.height()}")
        window.show_overdue()
        _settle(qtbot, window)
        assert_fits(qtbot, window, "overdue follow-ups")
        window.show_page(5)
        for tab in (PACKETS, CONFLICTS, DUPLICATES):
            window.sync.tabs.setCurrentIndex(tab)
            _settle(qtbot, window)
            assert_fits(qtbot, window, f"sync tab {tab}")


def _fit_dialog(qtbot: QtBot, dialog: QWidget, what: str) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    minimum = dialog.minimumSize().expandedTo(dialog.minimumSizeHint())
    assert minimum.width() <= USABLE.width() and minimum.height() <= USABLE.height(), (what, minimum)
    dialog.resize(dialog.size().boundedTo(USABLE))
    assert_fits(qtbot, dialog, what)


def test_every_dialog_fits_a_small_screen(
    qtbot: QtBot, ctx: Context, make_visit: MakeVisit, open_window: OpenWindow, tmp_path: Path, language: str
) -> None:
    _fill_store(make_visit)
    set_language(language)
    window = open_window()
    window.resize(SMALL)
    visit = window.monitoring.visits.model.rows()[-1]  # the oldest: the one with people
    dialog = window.editing.open_visit(visit.id)
    qtbot.waitUntil(lambda: dialog.editor.visit_id == visit.id and dialog.editor.isEnabled(), timeout=WAIT_MS)
    for tab in range(dialog.editor.tabs.count()):
        dialog.editor.tabs.setCurrentIndex(tab)
        _fit_dialog(qtbot, dialog, f"visit editor, tab {tab}")
    dialog.editor.shutdown()
    dialog.done(QDialog.DialogCode.Rejected)

    partners = [("ROEA", "Regional office for East Africa"), ("HQ", "Headquarters")]
    _fit_dialog(qtbot, ExportDialog(partners, tmp_path, window), "export")
    summary = ImportSummary(Path(LONG_PATH).name, sender="ROEA", new=1200, updated=35, conflicting=2)
    refused = ImportSummary(
        "other.fieldkit", sender="UG-KLA", status="refused", reason="Not signed by a partner"
    )
    items = [PreviewItem(0, Path(LONG_PATH), summary), PreviewItem(1, tmp_path / "other.fieldkit", refused)]
    _fit_dialog(qtbot, ImportPreviewDialog(items, window), "import preview")
    card = write_card(ctx, tmp_path / "KE-NBO.card.json")
    _fit_dialog(qtbot, OwnCardDialog(card, Path(LONG_PATH), "Country office", window), "own card")
    _fit_dialog(qtbot, TrustCardDialog(card, "Country office", None, window), "trust card")
    first = Candidate("a", "person", "Amina Wanjiru Ochieng", "KE-NBO", "female", 1990, None)
    second = Candidate("b", "person", "أمينة وانجيرو أوتشينغ", "ROEA", "female", 1990, None)
    _fit_dialog(qtbot, MergeDialog(DuplicatePair(first, second, 93.0, ("similar names",)), window), "merge")
    box = message_box(window, QMessageBox.Icon.Information, "Packet written", "12 changes written to:",
                      files=[LONG_PATH])  # fmt: skip
    _fit_dialog(qtbot, box, "message box")
    box.close()


def test_the_people_table_shows_codes_and_age_groups_whole(
    qtbot: QtBot, ctx: Context, make_visit: MakeVisit, open_window: OpenWindow, language: str
) -> None:
    people = tuple(
        PersonData(code=f"KE-NBO-P{n:06d}", role=role, sex="female", age_group=age)
        for n, (role, age) in enumerate([("victim", "older-60-plus"), ("witness", "adolescent-12-17")])
    )
    visit = make_visit(title="Visit with people", people=people)
    set_language(language)
    window = open_window()
    dialog = window.editing.open_visit(visit.id)
    qtbot.waitUntil(lambda: dialog.editor.visit_id == visit.id and dialog.editor.isEnabled(), timeout=WAIT_MS)
    dialog.resize(USABLE)
    table = dialog.editor.people.table
    assert table.model().rowCount() == 2
    assert not cut_cells(table, [0, 1, 2, 3])
    dialog.editor.shutdown()
    dialog.done(QDialog.DialogCode.Rejected)


def test_the_first_run_assistant_fits_a_small_screen(qtbot: QtBot, bare_ctx: Context, language: str) -> None:
    wizard = FirstRunWizard(load_workspace(bare_ctx))
    qtbot.addWidget(wizard)
    _fit_dialog(qtbot, wizard, "first-run start page")
    wizard.next()
    _fit_dialog(qtbot, wizard, "first-run protection page")
    wizard.protection_page.plain.setChecked(True)
    wizard.next()
    _fit_dialog(qtbot, wizard, "first-run office page")
    wizard.office_page.code.setText("KE-NBO")
    wizard.office_page.name.setText("Kenya country office")
    for page in (wizard.admin_page, wizard.language_page, wizard.demo_page):
        wizard.next()  # the office page checks its fields against the store first
        qtbot.waitUntil(lambda page=page: wizard.currentPage() is page, timeout=WAIT_MS)
        _fit_dialog(qtbot, wizard, f"first-run page {wizard.currentId()}")
    wizard.reject()


def test_the_restore_page_fits_a_small_screen(qtbot: QtBot, bare_ctx: Context, language: str) -> None:
    wizard = FirstRunWizard(load_workspace(bare_ctx))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.start_page.restore.setChecked(True)
    wizard.next()
    wizard.protection_page.plain.setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.restore_page
    _fit_dialog(qtbot, wizard, "first-run restore page")
    wizard.reject()


def test_a_message_box_is_wide_enough_for_a_file_name(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    box = message_box(parent, QMessageBox.Icon.Information, "Keys saved", "The keys were written:",
                      files=[LONG_PATH, "/tmp/short.age"])  # fmt: skip
    box.open()
    qtbot.waitExposed(box)
    assert "\u2068" + LONG_PATH + "\u2069" in box.informativeText().split("\n")  # a line of its own
    wanted = box.fontMetrics().horizontalAdvance(LONG_PATH)
    screen = box.screen().availableGeometry().width()
    assert box.width() >= min(wanted, screen - 64), (box.width(), wanted)
    plain = message_box(parent, QMessageBox.Icon.Information, "Done", "Yes.")
    plain.open()
    qtbot.waitExposed(plain)
    assert plain.width() >= plain.fontMetrics().averageCharWidth() * 40  # not a sliver for a short text
    box.close()
    plain.close()


def test_an_empty_state_shows_its_whole_sentence(qtbot: QtBot, language: str) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    layout = QVBoxLayout(parent)
    empty = EmptyState(
        "No open conflicts", "When two offices change the same record, it shows here. " * 3, parent
    )
    layout.addWidget(empty)
    for width in (400, 1200):
        parent.resize(width, 300)
        parent.show()
        assert_fits(qtbot, parent, f"empty state at {width} px")
        sentence = empty.sentence_label
        assert (
            sentence.width() <= sentence.maximumWidth() and sentence.width() < width
        )  # a column, not a banner
        centre = sentence.mapTo(parent, sentence.rect().center()).x()
        assert abs(centre - width / 2) <= TOLERANCE + 12, (centre, width)


def test_the_checker_sees_a_widget_cut_off(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(200, 100)
    child = QWidget(parent)
    child.setGeometry(150, 10, 100, 20)
    parent.show()
    assert any("cut off" in p for p in layout_problems(parent))
    child.setGeometry(10, 10, 100, 20)
    assert not layout_problems(parent)
