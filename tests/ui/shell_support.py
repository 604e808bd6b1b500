"""Helpers for the window tests (the fixtures built on them are in this folder's conftest)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fixed_clock import FIXED_NOW
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from fieldkit.clock import local_date
from fieldkit.services.monitoring_types import FollowUpData, VisitData
from ui.main_window import MainWindow

WAIT_MS = 10_000
#: the date of the ``ctx`` fixture's clock
TODAY = local_date(FIXED_NOW)

MakeVisit = Callable[..., VisitData]
OpenWindow = Callable[[], MainWindow]


def followup(
    days_from_today: int, status: str = "open", action: str = "Write to the director"
) -> FollowUpData:
    completed = TODAY if status == "done" else None
    return FollowUpData(
        action=action,
        due_date=TODAY + dt.timedelta(days=days_from_today),
        status=status,
        completed_on=completed,
    )


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type as a user would: key events per character, and for Chinese an input method's commit.

    QTest.keyClicks only knows Latin-1 keys, so other scripts get key events that carry their text.
    """
    for char in text:
        if ord(char) < 128:
            qtbot.keyClick(widget, char)
        elif "\u4e00" <= char <= "\u9fff":
            event = QInputMethodEvent()
            event.setCommitString(char)
            QApplication.sendEvent(widget, event)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))
