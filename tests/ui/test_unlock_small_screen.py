"""The unlock screen and the locked window fit a 1024x600 screen, left to right and right to left."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from layout_checks import assert_fits
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from test_small_screen import USABLE

from fieldkit.i18n import current_language, is_rtl, set_language
from ui.lock import LockScreen
from ui.unlock import UnlockScreen

pytestmark = pytest.mark.usefixtures("no_thread_leaks")


@pytest.fixture(params=["en", "ar", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    before = current_language()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    set_language(request.param)
    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if is_rtl(request.param) else Qt.LayoutDirection.LeftToRight
    )
    yield request.param
    app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    set_language(before)


def _fits(qtbot: QtBot, screen: UnlockScreen | LockScreen, what: str) -> None:
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    minimum = screen.minimumSize().expandedTo(screen.minimumSizeHint())
    assert minimum.width() <= USABLE.width() and minimum.height() <= USABLE.height(), (what, minimum)
    screen.resize(screen.sizeHint().boundedTo(USABLE))
    assert_fits(qtbot, screen, what)


def test_the_unlock_screen_with_every_field_fits(qtbot: QtBot, language: str) -> None:
    screen = UnlockScreen()
    screen.ask_for("passphrase")
    screen.ask_for("password")
    screen.show_error("password", "wrong " * 60)  # a long translated error wraps, it does not widen
    _fits(qtbot, screen, f"unlock screen ({language})")
    assert screen.layoutDirection() == QApplication.layoutDirection()


def test_the_lock_screen_fits(qtbot: QtBot, language: str) -> None:
    screen = LockScreen(None, "passphrase")
    screen.show_error("y " * 200)
    screen.resize(QSize(1024, 540))
    _fits(qtbot, screen, f"lock screen ({language})")
