"""A refused permission in the window: the user reads why, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS

from fieldkit.access import Permission, Policy, Principal
from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.visit_list import admin_areas, list_visits
from ui import ops
from ui.editor.visit_editor import VisitEditor
from ui.ops import Op

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")


def deny_everything(_principal: Principal, _permission: Permission) -> bool:
    return False


@pytest.fixture
def editor(qtbot: QtBot, ctx: Context) -> Iterator[VisitEditor]:
    widget = VisitEditor(ctx, vocabularies(ctx), admin_areas(ctx))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)


def test_a_refused_save_is_explained_in_the_editor(
    qtbot: QtBot, ctx: Context, editor: VisitEditor, policy: Callable[[Policy], Policy]
) -> None:
    qtbot.keyClicks(editor.general.title, "Visit to Kamiti prison")
    combo = editor.general.visit_type
    combo.setCurrentIndex(combo.findData("detention-visit"))
    policy(deny_everything)
    editor.save()
    qtbot.waitUntil(lambda: not editor.is_saving(), timeout=WAIT_MS)
    assert editor.banner.isVisible()
    assert editor.banner.text() == "tester is not allowed to edit records."
    assert editor.visit_id is None and editor.is_dirty()
    policy(lambda _principal, _permission: True)
    assert list_visits(ctx, VisitFilter()).total == 0


def test_a_refused_op_shows_its_message(
    qtbot: QtBot, ctx: Context, policy: Callable[[Policy], Policy]
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    policy(deny_everything)
    handle = Op(window, lambda _p: list_visits(ctx, VisitFilter())).run()
    qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in boxes] == ["tester is not allowed to view records."]
    boxes[0].close()
