"""The visit list when a search finds nothing says what to try; deleted visits are searched when shown."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, MakeVisit, OpenWindow, type_text

from fieldkit.context import Context
from fieldkit.services.monitoring import delete_visit
from ui.main_window import MONITORING
from ui.pages.monitoring import MonitoringPage

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")


def _search(qtbot: QtBot, page: MonitoringPage, text: str) -> None:
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        page.filters.search.clear()
        type_text(qtbot, page.filters.search, text)


def _titles(page: MonitoringPage) -> list[str]:
    return [row.title for row in page.visits.model.rows()]


def test_an_empty_result_says_what_to_try(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="Kamiti prison", narrative="Overcrowding in block C")
    window = open_window()
    window.show_page(MONITORING)
    page = window.monitoring
    assert not page.empty_hint.isVisible()

    _search(qtbot, page, "overcrowded cells")
    hint = page.empty_hint.text()
    assert page.empty_hint.isVisible() and _titles(page) == []
    assert "fewer words" in hint and "spelling" in hint
    assert "tick “Deleted visits only” to search them" in hint
    assert "Clear the filters" not in hint

    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        page.filters.visit_type.setCurrentIndex(page.filters.visit_type.findData("trial-observation"))
    assert "Clear the filters that are set: Type." in page.empty_hint.text()

    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        page.filters.clear()
    assert _titles(page) == ["Kamiti prison"] and not page.empty_hint.isVisible()


def test_deleted_visits_are_searched_when_shown(
    qtbot: QtBot, ctx: Context, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="Kept visit", narrative="Overcrowding in block C")
    gone = make_visit(title="Deleted visit", narrative="Overcrowding in block D")
    delete_visit(ctx, gone.id or "")
    window = open_window()
    window.show_page(MONITORING)
    page = window.monitoring
    assert page.filters.show_deleted.text() == "Deleted visits only"

    _search(qtbot, page, "block D")
    assert _titles(page) == [] and "tick “Deleted visits only”" in page.empty_hint.text()
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        page.filters.show_deleted.setChecked(True)
    assert _titles(page) == ["Deleted visit"] and not page.empty_hint.isVisible()
    assert page.count_label.text() == "1 deleted visit"

    _search(qtbot, page, "block C")
    assert _titles(page) == []
    assert "untick “Deleted visits only” to search the others" in page.empty_hint.text()
