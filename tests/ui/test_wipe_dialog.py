"""Settings › Emergency › Wipe: typed office code, a button that is never the default, the wipe
off the GUI thread, then the app ends without writing its settings again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from layout_checks import assert_fits
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, OpenWindow

from fieldkit.context import Context
from fieldkit.i18n import set_language
from fieldkit.store.wipe import WipeReport
from ui import main_window as mw
from ui.wipe_dialog import WipeDialog
from ui.workspace import load_workspace

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")


def _open_from_settings(qtbot: QtBot, open_window: OpenWindow) -> WipeDialog:
    window = open_window()
    window.show_page(mw.SETTINGS)
    button = window.settings_page.findChild(QPushButton, "WipeButton")
    assert button is not None and button.text() == "&Wipe this installation…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.settings_page.findChild(WipeDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_only_the_typed_office_code_arms_the_wipe_and_enter_never_wipes(
    qtbot: QtBot, open_window: OpenWindow, store_path: Path
) -> None:
    dialog = _open_from_settings(qtbot, open_window)
    assert "cannot be opened even with its passphrase" in dialog.findChildren(type(dialog.error))[0].text()
    assert dialog.focusWidget() is dialog.confirmation
    qtbot.keyClicks(dialog.confirmation, "KE-MSA")
    assert not dialog.wipe_button.isEnabled()
    dialog.confirmation.clear()
    qtbot.keyClicks(dialog.confirmation, "ke-nbo")
    assert dialog.wipe_button.isEnabled()
    assert not dialog.wipe_button.isDefault() and not dialog.wipe_button.autoDefault()
    qtbot.keyClick(dialog.confirmation, Qt.Key.Key_Return)
    assert store_path.exists()
    qtbot.keyClick(dialog.confirmation, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and store_path.exists()


def test_the_wipe_runs_off_the_gui_thread_and_then_the_app_ends(
    qtbot: QtBot, open_window: OpenWindow, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Path(os.environ["FIELDKIT_HOME"])
    (home / "ui-settings.ini").write_text("[ui]\nlanguage=en\n")
    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    dialog = _open_from_settings(qtbot, open_window)
    reports: list[WipeReport] = []
    dialog.wiped.connect(reports.append)
    qtbot.keyClicks(dialog.confirmation, "KE-NBO")
    qtbot.mouseClick(dialog.wipe_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(reports), timeout=WAIT_MS)
    report = reports[0]
    assert report.complete and report.store == store_path
    assert store_path in report.key_material
    assert not [p for p in store_path.parent.iterdir() if p.name.startswith(store_path.name)]
    assert not (home / "ui-settings.ini").exists()
    box = dialog.result_box
    assert "FieldKit now closes" in box.text() and box.isModal()
    assert not dialog.parentWidget().window().isVisible()  # nothing left to reach the closed store
    box.accept()
    assert exits == [0]


def test_a_store_without_office_asks_for_the_fixed_word(qtbot: QtBot, bare_ctx: Context) -> None:
    dialog = WipeDialog(load_workspace(bare_ctx))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.confirmation, "wipe")
    assert dialog.wipe_button.isEnabled()


@pytest.mark.parametrize("language", ["en", "ar", "zh"])
def test_the_dialog_fits_a_small_screen(qtbot: QtBot, ctx: Context, language: str) -> None:
    set_language(language)
    dialog = WipeDialog(load_workspace(ctx))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    usable = QSize(1024, 540)
    minimum = dialog.minimumSize().expandedTo(dialog.minimumSizeHint())
    assert minimum.width() <= usable.width() and minimum.height() <= usable.height(), minimum
    dialog.resize(dialog.size().boundedTo(usable))
    assert_fits(qtbot, dialog, f"wipe dialog, {language}")
