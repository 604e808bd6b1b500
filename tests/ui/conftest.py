"""Fixtures for the window tests: a real store, visits made through the services, a built window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shell_support import TODAY, WAIT_MS, MakeVisit, OpenWindow

from fieldkit.context import Context
from fieldkit.i18n import current_language, set_language
from fieldkit.services.monitoring import save_visit
from fieldkit.services.monitoring_types import IncidentData, VisitData
from ui.app import build_main_window
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test(qapp: QApplication) -> Iterator[None]:
    """Hide what a test left on screen (a message box, a dialog kept for its op): on a real X
    server a window still shown could keep a later test's window from becoming active. Hidden,
    not closed: closing could ask a question about unsaved work and wait for an answer."""
    yield
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.hide()


@pytest.fixture
def make_visit(ctx: Context) -> MakeVisit:
    """Save a visit through the core service; keyword arguments override a plain detention visit."""

    def make(**changes: Any) -> VisitData:
        values: dict[str, Any] = {
            "title": "Visit",
            "visit_type": "detention-visit",
            "date_start": TODAY - dt.timedelta(days=3),
            "confidentiality": "internal",
            "narrative": "",
            "incidents": (IncidentData(summary="Beating on arrival", violation_types=("torture",)),),
        }
        values.update(changes)
        return save_visit(ctx, VisitData(**values)).value

    return make


@pytest.fixture
def english() -> Iterator[None]:
    """Tests compare English texts; put back whatever language another test chose."""
    before = current_language()
    set_language("en")
    yield
    set_language(before)


@pytest.fixture
def open_window(qtbot: QtBot, ctx: Context, english: None) -> Iterator[OpenWindow]:
    """Build the main window on ``ctx`` once the test has filled the store; waits for the first rows."""
    windows: list[MainWindow] = []

    def build() -> MainWindow:
        window = build_main_window(ctx)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: not window.monitoring.visits.busy, timeout=WAIT_MS)
        windows.append(window)
        return window

    yield build
    for window in windows:
        window.close()  # joins the op lanes before the store is closed
