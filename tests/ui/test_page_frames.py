"""Every page of the window in the same frame, and lists with nothing to show say so compactly."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, OpenWindow

from fieldkit.context import Context
from ui import ops
from ui.main_window import MONITORING, SYNC, MainWindow
from ui.widgets import PAGE_HEADING, PAGE_MARGINS, TAB_MARGINS, EmptyState

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")


def _headings(widget: QWidget) -> list[QLabel]:
    return [label for label in widget.findChildren(QLabel, PAGE_HEADING) if label.isVisibleTo(widget)]


def _margins(widget: QWidget) -> tuple[int, int, int, int]:
    layout = widget.layout()
    assert layout is not None, type(widget).__name__
    m = layout.contentsMargins()
    return (m.left(), m.top(), m.right(), m.bottom())


def _settle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: ops.running_op_count() == 0 and not window.monitoring.visits.busy, timeout=WAIT_MS
    )


def test_every_page_has_one_heading_in_the_same_place(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    places: dict[str, QPoint] = {}
    for index in range(window.stack.count()):
        window.show_page(index)
        page = window.stack.widget(index)
        headings = _headings(page)
        assert len(headings) == 1, (window.sidebar.item(index).text(), [h.text() for h in headings])
        assert _margins(page) == PAGE_MARGINS, window.sidebar.item(index).text()
        places[window.sidebar.item(index).text()] = headings[0].mapTo(window, QPoint(0, 0))
        assert headings[0].text() == window.sidebar.item(index).text()  # the page is called what it is
    assert len(set(places.values())) == 1, places
    # a page made of tabs: the tabs carry no heading of their own and share one set of margins
    for tabs in (window.monitoring.tabs, window.sync.tabs):
        for tab in range(tabs.count()):
            body = tabs.widget(tab)
            assert not _headings(body), tabs.tabText(tab)
            assert _margins(body) == TAB_MARGINS, tabs.tabText(tab)


def test_lists_with_nothing_to_show_say_so_once_loaded(
    qtbot: QtBot, ctx: Context, open_window: OpenWindow
) -> None:
    window = open_window()
    sync = window.sync
    window.show_page(SYNC)
    for tab in range(sync.tabs.count()):
        sync.tabs.setCurrentIndex(tab)
        _settle(qtbot, window)
    window.show_page(MONITORING)
    window.show_overdue()
    _settle(qtbot, window)
    shown = {
        "overdue": (window.monitoring.overdue.empty, window.monitoring.overdue.table),
        "conflicts": (sync.conflicts.empty, sync.conflicts.splitter),
        "duplicates": (sync.duplicates.empty, sync.duplicates.table),
        "packet log": (sync.packets.log_empty, sync.packets.log_view),
    }
    for name, (empty, listing) in shown.items():
        assert isinstance(empty, EmptyState), name
        assert not empty.isHidden() and listing.isHidden(), name  # whichever tab is on show
        assert empty.title_label.text() and empty.sentence_label.text(), name


def test_a_list_shows_no_empty_state_before_it_has_loaded(qtbot: QtBot, ctx: Context, english: None) -> None:
    from ui.app import build_main_window

    window = build_main_window(ctx, start=False)  # nothing loaded yet
    qtbot.addWidget(window)
    for empty in (
        window.monitoring.overdue.empty,
        window.sync.conflicts.empty,
        window.sync.packets.log_empty,
    ):
        assert empty.isHidden()
    window.close()
