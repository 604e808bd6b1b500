"""Main window: builds over a real store, keyboard navigation, office and store shown, drafts offered."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from shell_support import TODAY, WAIT_MS, MakeVisit, OpenWindow, followup

from fieldkit.context import Context
from fieldkit.services import drafts
from fieldkit.services.monitoring import delete_visit, save_visit
from fieldkit.services.monitoring_types import VisitData, visit_to_payload
from ui import main_window as mw
from ui.main_window import MainWindow
from ui.pages.coming_later import ComingLaterPage
from ui.pages.reports_page import ReportsPage
from ui.pages.sync_tabs import SyncTabs

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")

DIGITS = [Qt.Key(Qt.Key.Key_1.value + n) for n in range(8)]  # Ctrl+1 .. Ctrl+8


def _activate(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def test_window_builds_with_office_store_and_every_page(open_window: OpenWindow, ctx: Context) -> None:
    window = open_window()
    assert "KE-NBO" in window.windowTitle()
    assert window.office_label.text() == "Office KE-NBO · Kenya country office"
    assert ctx.store.path is not None and str(ctx.store.path) in window.store_label.text()
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert titles == [
        "Home",
        "Monitoring",
        "Projects",
        "Recommendations",
        "Training",
        "Sync",
        "Reports",
        "Settings",
        "Audit trail",
        "Users",
    ]
    assert window.current_page() == mw.HOME
    for index in (mw.PROJECTS, mw.RECOMMENDATIONS, mw.TRAINING):
        page = window.stack.widget(index)
        assert isinstance(page, ComingLaterPage)
        texts = [label.text() for label in page.findChildren(QLabel)]
        assert "Coming in a later version" in texts
        assert len(texts) >= 5  # a real explanation, not an empty widget
    assert isinstance(window.stack.widget(mw.SYNC), SyncTabs)
    assert isinstance(window.stack.widget(mw.REPORTS), ReportsPage)


def test_ctrl_digits_switch_pages_and_ctrl_f_focuses_search(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    _activate(qtbot, window)
    for index in [1, 7, 2, 3, 4, 5, 6, 0]:
        qtbot.keyClick(window, DIGITS[index], Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() == index
        assert window.stack.currentIndex() == window.sidebar.currentRow() == index
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == mw.MONITORING
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.monitoring.filters.search, timeout=WAIT_MS)


def test_f5_reloads_the_list(qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit) -> None:
    window = open_window()
    window.show_page(mw.MONITORING)
    _activate(qtbot, window)
    assert window.monitoring.visits.model.rowCount() == 0
    make_visit(title="Made elsewhere")  # e.g. by a sync import
    with qtbot.waitSignal(window.monitoring.visits.loaded, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert [r.title for r in window.monitoring.visits.model.rows()] == ["Made elsewhere"]


def test_ctrl_n_asks_the_editor_for_a_new_visit(
    qtbot: QtBot, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window()
    calls: list[str] = []
    monkeypatch.setattr(window.editing, "new_visit", lambda: calls.append("new"))
    _activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert calls == ["new"]


def test_busy_indicator_shows_while_an_op_runs(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    qtbot.waitUntil(lambda: not window.busy_bar.isVisible(), timeout=WAIT_MS)
    import threading

    from ui.ops import Op

    release = threading.Event()
    handle = Op(window, lambda p: release.wait(WAIT_MS / 1000)).run()
    qtbot.waitUntil(window.busy_bar.isVisible, timeout=WAIT_MS)
    release.set()
    qtbot.waitUntil(lambda: handle.finished and not window.busy_bar.isVisible(), timeout=WAIT_MS)


def test_home_figures_and_overdue_card_leads_to_the_overdue_view(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="Late", follow_ups=(followup(-5), followup(-1), followup(10)))
    last_month = TODAY.replace(day=1) - dt.timedelta(days=1)
    make_visit(title="Done", date_start=last_month, follow_ups=(followup(-3, status="done"),))
    window = open_window()
    home = window.home
    qtbot.waitUntil(lambda: home.total_card.value_label.text() == "2", timeout=WAIT_MS)
    assert home.month_card.value_label.text() == "1"
    assert home.overdue_card.value_label.text() == "2"
    assert home.open_card.value_label.text() == "3"
    assert home.no_packets.isVisible() and "No sync packets yet" in home.no_packets.text()
    with qtbot.waitSignal(window.monitoring.overdue.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(home.overdue_card, Qt.MouseButton.LeftButton)
    assert window.current_page() == mw.MONITORING
    assert window.monitoring.tabs.currentWidget() is window.monitoring.overdue


def test_what_an_editor_changed_refreshes_the_list_and_home(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, ctx: Context
) -> None:
    first = make_visit(title="Before the edit")
    second = make_visit(title="To be deleted")
    window = open_window()
    visits = window.monitoring.visits
    qtbot.waitUntil(lambda: window.home.total_card.value_label.text() == "2", timeout=WAIT_MS)
    assert first.id is not None and second.id is not None
    edited = save_visit(ctx, replace(first, title="After the edit"))  # what the editor's Save does
    with qtbot.waitSignal(visits.loaded, timeout=WAIT_MS):
        window.editing.changes_applied.emit(edited.changes)  # and then tells the window
    assert {r.title for r in visits.model.rows()} == {"After the edit", "To be deleted"}
    with qtbot.waitSignal(visits.loaded, timeout=WAIT_MS):
        window.editing.changes_applied.emit(delete_visit(ctx, second.id))
    assert [r.title for r in visits.model.rows()] == ["After the edit"]
    assert window.monitoring.count_label.text() == "1 visit"
    qtbot.waitUntil(lambda: window.home.total_card.value_label.text() == "1", timeout=WAIT_MS)


def test_drafts_from_a_crash_are_offered_and_restored(
    qtbot: QtBot, open_window: OpenWindow, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = VisitData(title="Half-written visit", visit_type="interview")
    drafts.save_draft(ctx, "visit-draft-1", "monitoring_visit", None, draft.title, visit_to_payload(draft))
    opened: list[str] = []
    monkeypatch.setattr(mw.VisitEditing, "open_draft", lambda self, key: opened.append(key))
    window = open_window()
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox)), timeout=WAIT_MS)
    box = next(b for b in window.findChildren(QMessageBox) if b.isVisible())
    assert "Half-written visit" in box.informativeText()
    restore = next(b for b in box.findChildren(QPushButton) if b.text() == "Restore")
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    assert opened == ["visit-draft-1"]
    assert window.current_page() == mw.MONITORING


def test_settings_show_the_office_and_save_the_language(open_window: OpenWindow, ctx: Context) -> None:
    from fieldkit.services.office import local_office
    from ui import prefs

    window = open_window()
    window.show_page(mw.SETTINGS)
    page = window.settings_page
    texts = [label.text() for label in page.findChildren(QLabel)]
    office = local_office(ctx)
    assert office is not None
    assert {"KE-NBO", "Kenya country office", "Country office", office.fingerprint} <= set(texts)
    assert page.language.currentData() == "en" and not page.language_note.isVisible()
    chosen: list[str] = []
    page.language_chosen.connect(chosen.append)
    page.language.setCurrentIndex(page.language.findData("fr"))
    assert prefs.saved_language() == "fr" and chosen == ["fr"]
