"""The visit form stays put and lets the user finish typing: no jump when a message appears, no red
field under the cursor while it is being typed in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS

from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.services.visit_list import admin_areas
from ui import ops
from ui.editor.visit_editor import VisitEditor
from ui.editor.widgets import INVALID_PROPERTY

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")


@pytest.fixture
def editor(qtbot: QtBot, ctx: Context) -> Iterator[VisitEditor]:
    widget = VisitEditor(ctx, vocabularies(ctx), admin_areas(ctx))
    qtbot.addWidget(widget)
    widget.resize(1300, 720)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=WAIT_MS)
    yield widget
    if shiboken6.isValid(widget):
        widget.shutdown()
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)


def _where(editor: VisitEditor, widget: QWidget) -> QPoint:
    return widget.mapTo(editor, QPoint(0, 0))


def test_the_form_does_not_move_when_a_message_appears(qtbot: QtBot, editor: VisitEditor) -> None:
    g = editor.general
    before = {"tabs": _where(editor, editor.tabs), "title": _where(editor, g.title)}
    banner_height = editor.banner.height()
    assert editor.banner.text() == ""

    editor.save()  # no title, no type: the save is refused with a summary above the form
    qtbot.waitUntil(lambda: "problem" in editor.banner.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    assert {"tabs": _where(editor, editor.tabs), "title": _where(editor, g.title)} == before
    assert editor.banner.height() == banner_height

    many = "\n".join(
        f"Problem number {n} with a rather long explanation of what went wrong" for n in range(6)
    )
    editor.banner.set_message(many)  # however much there is to say, the strip keeps its height
    layout = editor.layout()
    assert layout is not None
    layout.activate()
    assert editor.banner.height() == banner_height and _where(editor, editor.tabs) == before["tabs"]
    assert editor.banner.toolTip() == many and editor.banner.accessibleName() == many


def _live_check(editor: VisitEditor) -> None:
    """Run the check the pause after typing would run, without waiting for the pause."""
    assert editor._validate_timer.isActive()
    editor._validate_timer.stop()
    editor._validate_timer.timeout.emit()


def _red(widget: QWidget) -> bool:
    return widget.property(INVALID_PROPERTY) is True


def test_a_field_turns_red_when_the_cursor_leaves_it_not_while_typing(
    qtbot: QtBot, editor: VisitEditor
) -> None:
    g = editor.general
    g.latitude.setFocus()
    qtbot.keyClicks(g.latitude, "north")
    _live_check(editor)
    assert "latitude" not in editor.errors() and not _red(g.latitude)  # still typing

    qtbot.keyClick(g.latitude, Qt.Key.Key_Tab)  # on to the longitude
    assert g.longitude.hasFocus()
    assert "latitude" in editor.errors() and _red(g.latitude)

    # Back in the field: a fix clears the red at once, while typing.
    g.latitude.setFocus()
    g.latitude.selectAll()
    qtbot.keyClicks(g.latitude, "-1.29")
    _live_check(editor)
    assert g.latitude.hasFocus() and "latitude" not in editor.errors() and not _red(g.latitude)

    # The same for a field that empties: the title is required, but not while it is being retyped.
    g.title.setFocus()
    qtbot.keyClicks(g.title, "A")
    qtbot.keyClick(g.title, Qt.Key.Key_Backspace)
    _live_check(editor)
    assert "title" not in editor.errors() and not _red(g.title)
    g.visit_type.setFocus()
    assert "title" in editor.errors() and _red(g.title)
    assert QApplication.focusWidget() is g.visit_type
