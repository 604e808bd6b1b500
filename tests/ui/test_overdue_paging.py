"""The Overdue tab counts every overdue follow-up and loads them a page at a time."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, MakeVisit, OpenWindow, followup

from ui.main_window import MONITORING
from ui.pages import overdue

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")


def test_the_total_counts_every_overdue_follow_up_not_the_rows_loaded(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overdue, "PAGE_SIZE", 2)
    make_visit(title="Late", follow_ups=tuple(followup(-days, action=f"late {days}") for days in (5, 4, 3)))
    window = open_window()
    window.show_page(MONITORING)
    view = window.monitoring.overdue
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        window.monitoring.show_overdue()
    assert view.count_label.text() == "3 overdue follow-ups"
    assert [r.action for r in view.model.rows()] == ["late 5", "late 4"]
    view.fetch_more()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3, timeout=WAIT_MS)
    assert [r.action for r in view.model.rows()] == ["late 5", "late 4", "late 3"]
    assert view.count_label.text() == "3 overdue follow-ups"
