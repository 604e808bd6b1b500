"""Settings › Locking › Change my password, on a store with accounts."""

from __future__ import annotations

from pathlib import Path

from accounts_fixtures import _cheap_argon2  # noqa: F401 (autouse: cheap argon2 parameters)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS
from unlock_support import RIGHT_PASSWORD, USER, add_administrator

from fieldkit.context import Context
from fieldkit.opening import Credentials, open_context, opened
from ui.app import build_main_window
from ui.lock import controller_of
from ui.own_password import ChangePasswordDialog

NEW_PASSWORD = "a longer new passphrase"


def test_change_my_password_says_a_wrong_current_one_then_changes_it(
    qtbot: QtBot, ctx: Context, store_path: Path, english: None
) -> None:
    add_administrator(ctx)
    now = ctx.now
    ctx.close()
    signed_in = open_context(store_path, user=USER, credentials=Credentials(None, lambda: RIGHT_PASSWORD))
    signed_in.now = now
    try:
        window = build_main_window(signed_in)
        qtbot.addWidget(window)
        window.show()
        lock = controller_of(window)
        assert lock is not None
        qtbot.waitUntil(lambda: lock.method == "password", timeout=WAIT_MS)
        window.show_page(window.stack.indexOf(window.settings_page))
        button = window.settings_page.change_password
        assert button.isVisible()
        button.click()
        dialog = window.findChild(ChangePasswordDialog)
        assert isinstance(dialog, ChangePasswordDialog) and dialog.isVisible()

        qtbot.keyClicks(dialog.current, "not my password")
        qtbot.keyClicks(dialog.new, NEW_PASSWORD)
        qtbot.keyClicks(dialog.repeat, NEW_PASSWORD)
        qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.error.isVisible() and dialog.buttons.isEnabled(), timeout=WAIT_MS)
        assert dialog.error.text() == "The current password is wrong."
        assert dialog.current.text() == "" and dialog.isVisible()

        qtbot.keyClicks(dialog.current, RIGHT_PASSWORD)
        with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
            qtbot.keyClick(dialog.current, Qt.Key.Key_Return)
        window.close()
    finally:
        signed_in.close()
    with opened(store_path, user=USER, credentials=Credentials(None, lambda: NEW_PASSWORD)) as again:
        assert again.principal.name == USER
