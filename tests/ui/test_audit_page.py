"""The audit trail page over a real store: its rows and filters, and the verify button's verdict."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, OpenWindow

from fieldkit.context import Context
from fieldkit.services.records import create_record, update_record
from ui import main_window as mw
from ui.pages.audit_page import AuditTrailPage

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")


def _page(qtbot: QtBot, ctx: Context) -> AuditTrailPage:
    page = AuditTrailPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    with qtbot.waitSignal(page.pages.loaded, timeout=WAIT_MS):
        page.show()
    qtbot.waitUntil(lambda: page.user.count() > 1, timeout=WAIT_MS)
    return page


def _cells(page: AuditTrailPage, row: int) -> list[str]:
    model = page.model
    return [model.index(row, c).data() for c in range(model.columnCount())]


def _store(ctx: Context) -> str:
    org = create_record(ctx, "organisation", {"name": "Legal Aid Centre"})
    update_record(ctx, "organisation", org["id"], {"name": "Legal Aid"})
    ctx.user = "amina"
    ctx.now = lambda: dt.datetime(2026, 7, 1, 12, 0)
    create_record(ctx, "participant", {"full_name": "Amina Yusuf"})
    return str(org["id"])


def test_rows_newest_first_with_labels_and_filters(qtbot: QtBot, ctx: Context) -> None:
    org_id = _store(ctx)
    page = _page(qtbot, ctx)
    assert page.count_label.text() == "3 entries"
    newest, changed, created = (_cells(page, r) for r in range(3))
    assert newest[1:4] == ["amina", "Created", "Participant"]
    assert changed[1:] == ["tester", "Changed", "Organisation", org_id, "Fields: Name"]
    assert created[2] == "Created" and created[4] == org_id
    assert [page.user.itemText(i) for i in range(page.user.count())] == ["Everyone", "amina", "tester"]

    with qtbot.waitSignal(page.pages.loaded, timeout=WAIT_MS):
        page.user.setCurrentIndex(page.user.findData("tester"))
    assert page.count_label.text() == "2 entries"
    with qtbot.waitSignal(page.pages.loaded, timeout=WAIT_MS):
        page.action.setCurrentIndex(page.action.findData("update"))
    assert page.pages.total == 1 and _cells(page, 0)[2] == "Changed"
    with qtbot.waitSignal(page.pages.loaded, timeout=WAIT_MS):
        page.clear_filters()
    assert page.pages.total == 3
    with qtbot.waitSignal(page.pages.loaded, timeout=WAIT_MS):
        page.date_from.set_date(dt.date(2026, 6, 30))
    assert page.pages.total == 1 and _cells(page, 0)[1] == "amina"
    with qtbot.waitSignal(page.pages.loaded, timeout=WAIT_MS):
        page.date_to.set_date(dt.date(2026, 6, 30))
    assert page.pages.total == 0 and page.empty.isVisibleTo(page) and not page.table.isVisibleTo(page)


def test_verify_shows_the_verdict_and_names_a_broken_entry(qtbot: QtBot, ctx: Context) -> None:
    _store(ctx)
    page = _page(qtbot, ctx)
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_verdict is not None, timeout=WAIT_MS)
    assert page.verdict.isVisibleTo(page) and page.verdict.text().startswith(
        "The audit trail is intact: 3 entries"
    )
    assert page.verify_button.isEnabled()

    assert ctx.store.path is not None
    conn = sqlite3.connect(ctx.store.path)
    conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = 2")
    conn.commit()
    conn.close()
    page.last_verdict = None
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_verdict is not None, timeout=WAIT_MS)
    assert page.last_verdict is not None and page.last_verdict.row_id == 2
    assert "entry 2 " in page.verdict.text() and "changed" in page.verdict.text()


def test_the_page_is_in_the_window_and_reads_new_entries_when_shown_again(
    qtbot: QtBot, ctx: Context, open_window: OpenWindow
) -> None:
    _store(ctx)
    window = open_window()
    assert window.sidebar.item(mw.AUDIT).text() == "Audit trail"
    with qtbot.waitSignal(window.audit.pages.loaded, timeout=WAIT_MS):
        window.show_page(mw.AUDIT)
    assert window.audit.pages.total == 3
    window.show_page(mw.HOME)
    create_record(ctx, "organisation", {"name": "Human Rights Desk"})
    with qtbot.waitSignal(window.audit.pages.loaded, timeout=WAIT_MS):
        window.show_page(mw.AUDIT)
    assert window.audit.pages.total == 4


def test_tab_goes_from_the_button_through_the_filters_to_the_list(qtbot: QtBot, ctx: Context) -> None:
    _store(ctx)
    page = _page(qtbot, ctx)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=WAIT_MS)
    page.verify_button.setFocus()
    reached = []
    for _press in range(6):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    expected = [page.user, page.action, page.date_from.line, page.date_to.line, page.clear_button, page.table]
    assert reached == expected
