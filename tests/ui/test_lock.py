"""Locking the window: idle time and Ctrl+L cover everything; the right secret brings it back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_fixtures import _cheap_argon2  # noqa: F401 (autouse: cheap argon2 parameters)
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QDialog, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, MakeVisit
from unlock_support import RIGHT_PASSPHRASE, RIGHT_PASSWORD, USER, add_administrator, mark_encrypted

from fieldkit.context import Context
from fieldkit.opening import Credentials, open_context
from ui import prefs
from ui.app import build_main_window
from ui.lock import LockController, controller_of
from ui.main_window import MainWindow

VISIT_TITLE = "Night raid at the market"


@pytest.fixture
def encrypted_ctx(
    ctx: Context, make_visit: MakeVisit, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Context]:
    """The office store with one visit, opened again as an encrypted store (no accounts)."""
    make_visit(title=VISIT_TITLE)
    now = ctx.now
    ctx.close()
    mark_encrypted(monkeypatch, store_path)
    opened = open_context(store_path, credentials=Credentials(passphrase=lambda: RIGHT_PASSPHRASE))
    opened.now = now
    yield opened
    opened.close()


def _window(qtbot: QtBot, ctx: Context) -> tuple[MainWindow, LockController]:
    window = build_main_window(ctx)
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.monitoring.visits.busy, timeout=WAIT_MS)
    lock = controller_of(window)
    assert lock is not None
    return window, lock


def _visible_texts(window: QWidget) -> list[str]:
    """Every text a person could read in the window or any window it owns."""
    texts: list[str] = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QAbstractItemView):
            model = widget.model()
            # a list model keeps its column count private: it has one
            columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
            texts.extend(
                str(model.index(row, column).data() or "")
                for row in range(model.rowCount(QModelIndex()))
                for column in range(columns)
            )
        elif isinstance(widget, QLabel | QLineEdit):
            texts.append(widget.text())
    return texts


@pytest.fixture
def window(
    qtbot: QtBot, encrypted_ctx: Context, english: None
) -> Iterator[tuple[MainWindow, LockController]]:
    built, lock = _window(qtbot, encrypted_ctx)
    qtbot.waitUntil(lambda: lock.method == "passphrase", timeout=WAIT_MS)
    built.show_page(1)  # the monitoring list, with the visit's title in its table
    yield built, lock
    built.close()


def test_idle_time_locks_and_hides_every_page_and_dialog(
    qtbot: QtBot, window: tuple[MainWindow, LockController]
) -> None:
    main, lock = window
    dialog = QDialog(main)
    QLineEdit(VISIT_TITLE, dialog)
    dialog.show()
    assert any(VISIT_TITLE in text for text in _visible_texts(main))
    assert lock.watcher.timer.isActive()  # the idle clock runs while the window is in use

    lock.watcher.timer.timeout.emit()  # the idle time has passed

    assert lock.locked and lock.screen is not None and lock.screen.isVisible()
    assert not any(VISIT_TITLE in text for text in _visible_texts(main))
    assert not any(isinstance(w, QAbstractItemView) and w.isVisible() for w in main.findChildren(QWidget))
    assert not dialog.isVisible()
    assert main.windowTitle() == "FieldKit"
    assert not main.new_visit_action.isEnabled()  # shortcuts do nothing behind the lock


def test_the_right_passphrase_unlocks_after_a_wrong_one(
    qtbot: QtBot, window: tuple[MainWindow, LockController]
) -> None:
    main, lock = window
    title = main.windowTitle()
    dialog = QDialog(main)
    dialog.show()
    lock.lock()
    screen = lock.screen
    assert screen is not None

    qtbot.keyClicks(screen.secret, "nope")
    qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.error.isVisible(), timeout=WAIT_MS)
    assert screen.error.text() == "That passphrase does not open this store."
    assert screen.secret.text() == "" and lock.locked

    qtbot.keyClicks(screen.secret, RIGHT_PASSPHRASE)
    qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not lock.locked, timeout=WAIT_MS)
    assert any(VISIT_TITLE in text for text in _visible_texts(main))
    assert dialog.isVisible()  # hidden, not closed: what it held is still there
    assert main.windowTitle() == title
    assert main.new_visit_action.isEnabled()
    assert lock.watcher.timer.isActive()


def test_ctrl_l_locks(qtbot: QtBot, window: tuple[MainWindow, LockController]) -> None:
    main, lock = window
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=WAIT_MS)  # a shortcut of the window: it must be active
    qtbot.keyClick(main, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.locked


def test_lock_now_in_settings_locks(qtbot: QtBot, window: tuple[MainWindow, LockController]) -> None:
    main, lock = window
    assert main.settings_page.lock_now.isEnabled()
    main.settings_page.lock_now.click()
    assert lock.locked


def test_idle_minutes_from_settings_are_saved_and_used(window: tuple[MainWindow, LockController]) -> None:
    main, lock = window
    main.settings_page.idle_minutes.setValue(3)
    assert lock.watcher.timer.interval() == 3 * 60_000
    assert prefs.idle_minutes() == 3
    main.settings_page.idle_minutes.setValue(0)  # never
    assert not lock.watcher.timer.isActive()
    QTest.keyClick(main.settings_page.idle_minutes, Qt.Key.Key_Home)  # input does not start it again
    assert not lock.watcher.timer.isActive()


def test_a_plain_store_without_accounts_cannot_be_locked(qtbot: QtBot, ctx: Context, english: None) -> None:
    main, lock = _window(qtbot, ctx)
    qtbot.waitUntil(lambda: main.lock_action.toolTip() != "", timeout=WAIT_MS)
    assert lock.method is None
    assert not main.lock_action.isEnabled()
    assert "nothing to unlock it with" in main.lock_action.toolTip()
    assert not main.settings_page.lock_now.isEnabled()
    assert "nothing to unlock it with" in main.settings_page.lock_note.text()
    lock.lock()
    assert not lock.locked
    # once the store can be locked (an account added), the note no longer says it cannot
    main.settings_page.show_lockable(True, "", accounts=True)
    assert main.settings_page.lock_now.isEnabled()
    assert main.settings_page.lock_note.text().startswith("The window locks after this many minutes")
    main.close()


def test_a_store_with_accounts_unlocks_with_the_users_password_and_says_when_the_account_locks(
    qtbot: QtBot, ctx: Context, store_path: Path, english: None
) -> None:
    add_administrator(ctx)
    now = ctx.now
    ctx.close()
    signed_in = open_context(store_path, user=USER, credentials=Credentials(None, lambda: RIGHT_PASSWORD))
    signed_in.now = now
    try:
        main, lock = _window(qtbot, signed_in)
        qtbot.waitUntil(lambda: lock.method == "password", timeout=WAIT_MS)
        lock.lock()
        screen = lock.screen
        assert screen is not None
        qtbot.keyClicks(screen.secret, "wrong")
        qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: screen.error.isVisible() and screen.secret.isEnabled(), timeout=WAIT_MS)
        assert screen.error.text() == "That password is wrong."
        qtbot.keyClicks(screen.secret, RIGHT_PASSWORD)
        qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not lock.locked, timeout=WAIT_MS)

        lock.lock()
        screen = lock.screen
        assert screen is not None
        for _attempt in range(5):
            screen.error.hide()
            qtbot.keyClicks(screen.secret, "wrong")
            qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: screen.error.isVisible() and screen.secret.isEnabled(), timeout=WAIT_MS)
        assert "locked after too many wrong passwords" in screen.error.text()
        qtbot.keyClicks(screen.secret, RIGHT_PASSWORD)  # even the right one waits now
        qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: screen.secret.isEnabled(), timeout=WAIT_MS)
        assert lock.locked and "locked" in screen.error.text()
        main.close()
    finally:
        signed_in.close()
