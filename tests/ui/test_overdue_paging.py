"""The Overdue tab counts every overdue follow-up and loads them a page at a time."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, MakeVisit, OpenWindow, followup

from ui import paged_list
from ui.main_window import MONITORING
from ui.pages import overdue

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")


def test_the_total_counts_every_overdue_follow_up_not_the_rows_loaded(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overdue, "PAGE_SIZE", 2)
    monkeypatch.setattr(paged_list, "PREFETCH_ROWS", 1)
    days = range(60, 0, -1)
    make_visit(title="Late", follow_ups=tuple(followup(-d, action=f"late {d:02d}") for d in days))
    window = open_window()
    window.show_page(MONITORING)
    view = window.monitoring.overdue
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        window.monitoring.show_overdue()
    assert view.count_label.text() == "60 overdue follow-ups"
    model = view.model
    assert model.rowCount() == 60  # the scroll bar covers them all
    qtbot.waitUntil(lambda: not view.pages.busy, timeout=WAIT_MS)
    assert 2 <= len(model.rows()) < 60  # only the pages the view shows
    assert [r.action for r in model.rows()][:3] == ["late 60", "late 59", "late 58"]
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.index(59, overdue.COL_ACTION).data() == "late 01", timeout=WAIT_MS)
    assert view.count_label.text() == "60 overdue follow-ups"
    qtbot.waitUntil(lambda: not view.pages.busy, timeout=WAIT_MS)
