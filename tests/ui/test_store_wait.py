"""The window while another FieldKit program holds the store's write lock: a save says what it
waits for, keeps waiting, can stop waiting, and never drops what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.opening import open_context
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.visit_list import list_visits
from fieldkit.store import busy
from ui import ops
from ui.editor.visit_editor import VisitEditor

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")

WAIT_MS = 10_000


@pytest.fixture(autouse=True)
def short_wait_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(busy, "WAIT_SLICE_MS", 20)


@pytest.fixture
def importing(short_wait_slices: None, ctx: Context) -> Iterator[ExitStack]:
    """A second FieldKit program holding the write lock, as a long import does, until closed."""
    assert ctx.store.path is not None
    other = open_context(ctx.store.path)
    holding = ExitStack()
    _hold_write_lock(other, holding)
    try:
        yield holding
    finally:
        holding.close()
        other.close()


@requires(Permission.IMPORT_PACKETS)
def _hold_write_lock(ctx: Context, holding: ExitStack) -> None:
    holding.enter_context(ctx.store.write()).connection()


@pytest.fixture
def editor(qtbot: QtBot, ctx: Context) -> Iterator[VisitEditor]:
    widget = VisitEditor(ctx, vocabularies(ctx), [])
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)


def _waiting_note(parent: QWidget) -> QProgressDialog | None:
    shown = [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]
    return shown[0] if shown and "waiting" in shown[0].labelText() else None


def _fill(qtbot: QtBot, editor: VisitEditor, title: str) -> None:
    qtbot.keyClicks(editor.general.title, title)
    index = editor.general.visit_type.findData("detention-visit")
    editor.general.visit_type.setCurrentIndex(index)


def test_a_save_waits_for_an_import_says_so_and_saves_when_it_ends(
    qtbot: QtBot, ctx: Context, importing: ExitStack, editor: VisitEditor
) -> None:
    _fill(qtbot, editor, "Visit to Kamiti prison")
    editor.save()
    qtbot.waitUntil(lambda: _waiting_note(editor) is not None, timeout=WAIT_MS)
    note = _waiting_note(editor)
    assert note is not None
    assert "Another FieldKit program" in note.labelText() and "importing sync packets" in note.labelText()
    button = note.findChild(QPushButton)
    assert button is not None and button.text() == "Stop waiting"
    assert editor.is_saving()

    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        importing.close()  # the import commits
    assert _waiting_note(editor) is None
    assert [row.title for row in list_visits(ctx, VisitFilter()).rows] == ["Visit to Kamiti prison"]


def test_stopping_the_wait_keeps_what_was_typed_and_a_later_save_stores_it(
    qtbot: QtBot, ctx: Context, importing: ExitStack, editor: VisitEditor
) -> None:
    _fill(qtbot, editor, "Visit to Kamiti prison")
    editor.save()
    qtbot.waitUntil(lambda: _waiting_note(editor) is not None, timeout=WAIT_MS)
    note = _waiting_note(editor)
    assert note is not None
    button = note.findChild(QPushButton)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.is_saving(), timeout=WAIT_MS)

    assert "Nothing was written" in editor.banner.text()
    assert editor.is_dirty() and editor.value().title == "Visit to Kamiti prison"
    assert list_visits(ctx, VisitFilter()).total == 0

    importing.close()
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        editor.save()
    assert [row.title for row in list_visits(ctx, VisitFilter()).rows] == ["Visit to Kamiti prison"]
