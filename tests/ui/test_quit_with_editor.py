"""Quitting the window while a visit editor holds unsaved changes: the editor's question decides."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, OpenWindow

from fieldkit.context import Context
from fieldkit.services.drafts import list_drafts
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.visit_list import list_visits
from ui.editor.visit_dialog import VisitEditorDialog
from ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("no_thread_leaks")


def _typed_editor(qtbot: QtBot, window: MainWindow, title: str) -> VisitEditorDialog:
    dialog = window.editing.new_visit()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.editor.general.title, title)
    assert dialog.editor.is_dirty()
    return dialog


def _answer(qtbot: QtBot, dialog: VisitEditorDialog, button: QMessageBox.StandardButton) -> None:
    qtbot.waitUntil(lambda: dialog.unsaved_box.isVisible(), timeout=WAIT_MS)
    qtbot.mouseClick(dialog.unsaved_box.button(button), Qt.MouseButton.LeftButton)


def test_discard_on_quit_closes_the_editor_and_quits(
    qtbot: QtBot, open_window: OpenWindow, ctx: Context
) -> None:
    window = open_window()
    dialog = _typed_editor(qtbot, window, "Never kept")
    assert not window.close()  # the editor asks first; the window waits for the answer
    assert window.isVisible()
    _answer(qtbot, dialog, QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    assert list_visits(ctx, VisitFilter()).total == 0
    assert not list_drafts(ctx)


def test_cancel_on_quit_keeps_both_open_and_a_later_close_of_the_editor_does_not_quit(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window()
    dialog = _typed_editor(qtbot, window, "Still typing")
    window.close()
    _answer(qtbot, dialog, QMessageBox.StandardButton.Cancel)
    assert dialog.isVisible() and window.isVisible()

    dialog.close()  # the user closes only the editor now
    _answer(qtbot, dialog, QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT_MS)
    assert window.isVisible()


def test_save_on_quit_saves_then_quits_and_each_editor_asks_in_turn(
    qtbot: QtBot, open_window: OpenWindow, ctx: Context
) -> None:
    window = open_window()
    first = _typed_editor(qtbot, window, "Kept on the way out")
    first.editor.general.visit_type.setCurrentIndex(
        first.editor.general.visit_type.findData("detention-visit")
    )
    second = _typed_editor(qtbot, window, "Dropped on the way out")
    window.close()
    _answer(qtbot, first, QMessageBox.StandardButton.Save)
    qtbot.waitUntil(lambda: not shiboken6.isValid(first), timeout=WAIT_MS)
    _answer(qtbot, second, QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    assert [r.title for r in list_visits(ctx, VisitFilter()).rows] == ["Kept on the way out"]


def test_a_save_that_fails_on_quit_keeps_the_window_open(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    dialog = _typed_editor(qtbot, window, "No visit type")  # the type is required: the save is refused
    window.close()
    _answer(qtbot, dialog, QMessageBox.StandardButton.Save)
    qtbot.waitUntil(lambda: bool(dialog.editor.errors()), timeout=WAIT_MS)
    assert dialog.isVisible() and window.isVisible()
    dialog.close()
    _answer(qtbot, dialog, QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT_MS)
    assert window.isVisible()
