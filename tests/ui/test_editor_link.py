"""The list and the real visit editor together: open on double-click, saved edits and deletions come back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, MakeVisit, OpenWindow

from ui.editor.visit_dialog import VisitEditorDialog
from ui.main_window import MONITORING, MainWindow

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")


def _open_by_double_click(
    qtbot: QtBot, open_window: OpenWindow, title: str
) -> tuple[MainWindow, VisitEditorDialog, str]:
    window = open_window()
    window.show_page(MONITORING)
    page = window.monitoring
    model = page.visits.model
    row = next(r for r in model.rows() if r.title == title)
    cell = page.table.visualRect(model.index_of(row.id, 1)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    dialog = VisitEditorDialog.find_open(row.id)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.editor.general.title.text() == title, timeout=WAIT_MS)
    return window, dialog, row.id


def test_saving_in_the_editor_updates_the_row_in_place(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="First title")
    make_visit(title="Untouched")
    window, dialog, visit_id = _open_by_double_click(qtbot, open_window, "First title")
    visits = window.monitoring.visits
    qtbot.keyClicks(dialog.editor.general.title, " (checked)")
    qtbot.waitUntil(dialog.save_close_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(dialog.save_close_button, Qt.MouseButton.LeftButton)
    model = visits.model
    qtbot.waitUntil(
        lambda: model.rows()[model.index_of(visit_id).row()].title == "First title (checked)", timeout=WAIT_MS
    )
    assert model.rowCount() == 2


def test_deleting_in_the_editor_removes_the_row(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="Delete from the editor")
    make_visit(title="Stays")
    window, dialog, visit_id = _open_by_double_click(qtbot, open_window, "Delete from the editor")
    visits = window.monitoring.visits
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    box = next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())
    delete = next(b for b in box.findChildren(QPushButton) if b.text().replace("&", "") == "Delete")
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not visits.model.index_of(visit_id).isValid(), timeout=WAIT_MS)
    assert [r.title for r in visits.model.rows()] == ["Stays"]
    assert window.monitoring.count_label.text() == "1 visit"


def test_ctrl_n_opens_a_new_visit_window(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialogs = [d for d in window.findChildren(VisitEditorDialog) if d.isVisible()]
    assert len(dialogs) == 1
    assert dialogs[0].editor.visit_id is None
    dialogs[0].close()


def test_closing_the_window_waits_for_an_editor_with_unsaved_changes(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window()
    dialog = window.editing.new_visit()
    qtbot.keyClicks(dialog.editor.general.title, "Not saved yet")
    qtbot.waitUntil(dialog.editor.is_dirty, timeout=WAIT_MS)
    assert not window.close()  # the editor asks Save / Discard / Cancel first
    assert window.isVisible() and dialog.isVisible()
    question = next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())
    question.button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert window.close()
