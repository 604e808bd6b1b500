"""Users page: administrators list and add accounts; service errors appear under their fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from argon2 import PasswordHasher
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, OpenWindow

from fieldkit.access import Permission, Policy
from fieldkit.domain.accounts import set_password_hasher
from ui import main_window as mw
from ui.pages.users_page import UserDialog

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")


@pytest.fixture(autouse=True)
def cheap_hashes() -> Iterator[None]:
    previous = set_password_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    set_password_hasher(previous)


def test_first_administrator_is_added_with_errors_under_the_fields(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window()
    window.show_page(mw.USERS)
    page = window.users_page
    qtbot.waitUntil(lambda: "no accounts" in page.intro.text(), timeout=WAIT_MS)
    assert "sign in" in page.intro.text() and page.model.rowCount() == 0
    assert not page.edit_button.isEnabled() and not page.unlock_button.isEnabled()
    page.add()
    dialog = page.findChild(UserDialog)
    assert dialog is not None and "Kipchumba" not in dialog.windowTitle()
    qtbot.keyClicks(dialog.username, "Amina Hassan")  # spaces and capitals are refused
    qtbot.keyClicks(dialog.password, "correct horse battery staple")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["username"].isVisible(), timeout=WAIT_MS)
    assert "lower-case" in dialog.errors["username"].text()
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, "amina")
    qtbot.keyClicks(dialog.display_name, "Amina Hassan")
    dialog.save()  # no role ticked: the first account must be an administrator
    qtbot.waitUntil(lambda: dialog.errors["roles"].isVisible(), timeout=WAIT_MS)
    dialog.roles[next(r for r in dialog.roles if r.value == "administrator")].setChecked(True)
    dialog.save()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT_MS)
    row = page.model.rows()[0]
    assert row.username == "amina" and row.roles == ("administrator",)
    assert page.model.data(page.model.index(0, 2)) == "Administrator"
    assert not any(isinstance(w, QLabel) and "no accounts" in w.text() for w in [page.intro])


def test_without_manage_users_the_page_says_why(
    qtbot: QtBot, open_window: OpenWindow, policy: Callable[[Policy], Policy]
) -> None:
    policy(lambda _principal, permission: permission is not Permission.MANAGE_USERS)
    window = open_window()
    window.show_page(mw.USERS)
    page = window.users_page
    assert "Only an administrator" in page.intro.text()
    assert page.view.isHidden() and page.add_button.isHidden()
    assert page.model.rowCount() == 0  # nothing was asked of the store
