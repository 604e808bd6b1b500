"""The unlock screen: shown only when the store asks for a secret; a wrong one is said inline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from accounts_fixtures import _cheap_argon2  # noqa: F401 (autouse: cheap argon2 parameters)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS
from unlock_support import (
    RIGHT_PASSPHRASE,
    RIGHT_PASSWORD,
    USER,
    WRONG_MESSAGE,
    add_administrator,
    mark_encrypted,
)

from fieldkit.context import Context
from fieldkit.store import cipher
from ui.app import Startup
from ui.unlock import UnlockScreen


def _startup(ctx: Context, store_path: Path) -> Startup:
    ctx.close()  # the store exists with its office; the window opens it again
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return Startup(app, str(store_path))


@pytest.fixture
def startup(qtbot: QtBot, ctx: Context, store_path: Path, english: None) -> Iterator[Startup]:
    ctx.close()  # the store exists with its office; the window opens it again
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    started = Startup(app, str(store_path))
    yield started
    if started.window is not None:
        started.window.close()
    started.close_store()


def _asks_for_passphrase(startup: Startup) -> bool:
    """The screen asks for the passphrase and takes the typing (on a real X server the activation
    the app asks for comes a moment after the screen shows)."""
    screen = startup.unlock
    return screen is not None and screen.passphrase.isVisible() and screen.isActiveWindow()


def _asks_for_account(startup: Startup) -> bool:
    screen = startup.unlock
    return screen is not None and screen.password.isVisible() and screen.isActiveWindow()


def test_a_plain_store_opens_without_the_unlock_screen(qtbot: QtBot, startup: Startup) -> None:
    startup.start()
    qtbot.waitUntil(lambda: startup.window is not None, timeout=WAIT_MS)
    assert startup.unlock is None


def test_a_wrong_passphrase_is_said_under_its_field_then_the_right_one_opens(
    qtbot: QtBot, startup: Startup, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark_encrypted(monkeypatch, store_path)
    startup.start()
    qtbot.waitUntil(lambda: _asks_for_passphrase(startup), timeout=WAIT_MS)
    screen = startup.unlock
    assert screen is not None
    assert screen.windowTitle() == "FieldKit"
    assert not screen.user.isVisible() and not screen.password.isVisible()  # no accounts asked for

    qtbot.keyClicks(screen.passphrase, "wrong guess")
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.passphrase_error.isVisible(), timeout=WAIT_MS)
    assert screen.passphrase_error.text() == WRONG_MESSAGE
    assert screen.passphrase.text() == ""  # cleared for the next try
    assert screen.passphrase.isEnabled() and screen.passphrase.hasFocus()
    assert startup.window is None and startup.unlock is screen

    qtbot.keyClicks(screen.passphrase, RIGHT_PASSPHRASE)
    qtbot.mouseClick(screen.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: startup.window is not None, timeout=WAIT_MS)
    assert startup.unlock is None
    assert startup.ctx is not None and startup.ctx.store.key is not None


def test_quit_on_the_unlock_screen_opens_nothing(
    qtbot: QtBot, startup: Startup, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda *_args: quits.append(True))
    mark_encrypted(monkeypatch, store_path)
    startup.start()
    qtbot.waitUntil(lambda: startup.unlock is not None and startup.unlock.isVisible(), timeout=WAIT_MS)
    assert startup.unlock is not None
    startup.unlock.quit_requested.emit()
    assert quits and startup.window is None


def test_an_encrypted_store_with_accounts_asks_for_the_password_after_the_passphrase(
    qtbot: QtBot, ctx: Context, store_path: Path, monkeypatch: pytest.MonkeyPatch, english: None
) -> None:
    add_administrator(ctx)
    startup = _startup(ctx, store_path)
    mark_encrypted(monkeypatch, store_path)
    startup.start()
    qtbot.waitUntil(lambda: _asks_for_passphrase(startup), timeout=WAIT_MS)
    screen = startup.unlock
    assert screen is not None
    qtbot.keyClicks(screen.passphrase, RIGHT_PASSPHRASE)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.password.isVisible(), timeout=WAIT_MS)
    assert screen.user.isVisible() and screen.user.hasFocus()
    assert screen.passphrase.text() == RIGHT_PASSPHRASE  # kept: the next try opens the store again

    qtbot.keyClicks(screen.user, USER)
    qtbot.keyClick(screen.user, Qt.Key.Key_Tab)
    assert screen.password.hasFocus()
    qtbot.keyClicks(screen.password, "not it")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.password_error.isVisible(), timeout=WAIT_MS)
    assert screen.password_error.text() == "The user name or password is wrong."
    assert not screen.passphrase_error.isVisible()
    assert screen.password.text() == "" and screen.user.text() == USER
    assert startup.window is None

    qtbot.keyClicks(screen.password, RIGHT_PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: startup.window is not None, timeout=WAIT_MS)
    assert startup.ctx is not None and startup.ctx.user == USER
    assert startup.window is not None
    startup.window.close()
    startup.close_store()


def test_a_plain_store_with_accounts_asks_for_the_user_and_password(
    qtbot: QtBot, ctx: Context, store_path: Path, english: None
) -> None:
    add_administrator(ctx)
    startup = _startup(ctx, store_path)
    startup.start()
    qtbot.waitUntil(lambda: _asks_for_account(startup), timeout=WAIT_MS)
    screen = startup.unlock
    assert screen is not None and not screen.passphrase.isVisible()
    qtbot.keyClick(screen.user, Qt.Key.Key_Return)  # nothing typed: said at once, nothing opened
    assert screen.password_error.isVisible()
    assert screen.password_error.text() == "Type your user name and password."
    assert screen.user.hasFocus() and startup.window is None
    qtbot.keyClicks(screen.user, USER)
    qtbot.keyClicks(screen.password, RIGHT_PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: startup.window is not None, timeout=WAIT_MS)
    assert startup.ctx is not None and startup.ctx.principal.name == USER
    assert startup.window is not None
    startup.window.close()
    startup.close_store()


def test_fields_asked_for_before_the_screen_shows_are_all_shown(qtbot: QtBot) -> None:
    screen = UnlockScreen()
    qtbot.addWidget(screen)
    screen.ask_for("passphrase")
    screen.ask_for("password")
    screen.show()
    qtbot.waitExposed(screen)
    assert screen.passphrase.isVisible() and screen.user.isVisible() and screen.password.isVisible()
    screen.passphrase.setText(RIGHT_PASSPHRASE)
    screen.user.setText(f" {USER} ")
    screen.password.setText(RIGHT_PASSWORD)
    attempt = screen.attempt()
    assert (attempt.passphrase, attempt.user, attempt.password) == (RIGHT_PASSPHRASE, USER, RIGHT_PASSWORD)


def test_a_new_store_goes_to_the_first_run_setup_not_the_unlock_screen(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, english: None
) -> None:
    asked: list[bool] = []

    def store_key(path: Path | None, ask: Callable[[], str] | None, *, create: bool) -> bytes | None:
        if ask is not None:  # a passphrase source given for a new store would encrypt it
            asked.append(True)
            ask()
        return None

    monkeypatch.setattr(cipher, "store_key", store_key)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    startup = Startup(app, str(tmp_path / "new.db"))
    try:
        startup.start()
        qtbot.waitUntil(lambda: startup.wizard is not None and startup.wizard.isVisible(), timeout=WAIT_MS)
        assert startup.unlock is None and not asked
    finally:
        if startup.wizard is not None:
            startup.wizard.close()
        startup.close_store()
