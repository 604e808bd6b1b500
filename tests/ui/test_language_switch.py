"""Choosing a language in Settings switches the window at once; ``--lang`` shows as the language in use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS

from fieldkit.context import Context
from fieldkit.i18n import current_language, isolate, set_language, translator
from ui import app as app_module
from ui import main_window as mw
from ui import prefs
from ui.main_window import MainWindow
from ui.pages.settings import SettingsPage
from ui.workspace import load_workspace

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")


@pytest.fixture
def startup(qtbot: QtBot, qapp: QApplication, ctx: Context) -> Iterator[app_module.Startup]:
    assert isinstance(qapp, QApplication) and ctx.store.path is not None
    app_module.apply_language(qapp, "en")
    started = app_module.Startup(qapp, str(ctx.store.path))
    try:
        started.start()
        qtbot.waitUntil(lambda: started.window is not None and started.window.isVisible(), timeout=WAIT_MS)
        window = started.window
        assert window is not None
        qtbot.waitUntil(lambda: not window.monitoring.visits.busy, timeout=WAIT_MS)
        yield started
    finally:
        if started.window is not None:
            started.window.close()
            started.window.deleteLater()
        started.close_store()
        started.deleteLater()
        app_module.apply_language(qapp, "en")
        prefs.set_command_line_language(None)


def _titles(window: MainWindow) -> list[str]:
    return [window.sidebar.item(i).text() for i in range(window.sidebar.count())]


def test_choosing_arabic_rebuilds_the_window_in_arabic_on_the_settings_page(
    qtbot: QtBot, qapp: QApplication, startup: app_module.Startup
) -> None:
    old = startup.window
    assert old is not None
    old.show_page(mw.SETTINGS)
    store = old.workspace.ctx
    arabic = translator("ar")
    with qtbot.waitSignal(startup.language_switched, timeout=WAIT_MS) as switched:
        old.settings_page.language.setCurrentIndex(old.settings_page.language.findData("ar"))
    window = switched.args[0]
    assert window is startup.window and window is not old and not old.isVisible()
    assert current_language() == "ar" and prefs.saved_language() == "ar"
    assert qapp.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.isRightToLeft()
    assert _titles(window)[mw.HOME] == arabic.gettext("Home") != "Home"
    assert window.current_page() == mw.SETTINGS
    assert window.workspace.ctx is store, "the same store, not a reopened one"
    assert window.settings_page.language.currentData() == "ar"
    qtbot.waitUntil(lambda: not window.monitoring.visits.busy, timeout=WAIT_MS)

    with qtbot.waitSignal(startup.language_switched, timeout=WAIT_MS) as back:
        window.settings_page.language.setCurrentIndex(window.settings_page.language.findData("en"))
    english = back.args[0]
    assert _titles(english)[mw.HOME] == "Home" and not english.isRightToLeft()
    qtbot.waitUntil(lambda: not english.monitoring.visits.busy, timeout=WAIT_MS)


def test_the_language_from_the_command_line_is_the_one_settings_shows(qtbot: QtBot, ctx: Context) -> None:
    prefs.save_language("ar")
    before = current_language()
    set_language("en")
    prefs.set_command_line_language("en")
    try:
        page = SettingsPage(load_workspace(ctx))
        qtbot.addWidget(page)
        assert page.language.currentData() == "en"
        assert not page.language_note.isHidden()
        assert "--lang en" in page.language_note.text() and "العربية" in page.language_note.text()
        # choosing in Settings makes it the user's own choice: the note goes
        page.language.setCurrentIndex(page.language.findData("fr"))
        assert prefs.command_line_language() is None and page.language_note.isHidden()
    finally:
        prefs.set_command_line_language(None)
        set_language(before)


def test_isolate_keeps_options_and_paths_whole_in_arabic_only() -> None:
    assert isolate("--lang en", "en") == "--lang en"
    assert isolate("--lang en", "ar") == "\u2068--lang en\u2069"
    assert isolate("مكتب نيروبي", "en") == "\u2068مكتب نيروبي\u2069"  # an Arabic name in an English sentence
    assert isolate(isolate("/media/usb", "ar"), "ar") == "\u2068/media/usb\u2069"


def test_a_visit_with_unsaved_changes_holds_the_switch_until_it_is_saved_or_discarded(
    qtbot: QtBot, startup: app_module.Startup
) -> None:
    window = startup.window
    assert window is not None
    window.show_page(mw.SETTINGS)
    dialog = window.editing.new_visit()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.editor.general.title, "Half-typed")
    settings = window.settings_page
    settings.language.setCurrentIndex(settings.language.findData("fr"))
    assert startup.window is window and current_language() == "en"
    assert settings.language.currentData() == "en", "the choice did not apply, and the page says so"
    assert "Save or discard" in settings.language_note.text() and not settings.language_note.isHidden()
    box = dialog.unsaved_box
    assert box is not None and dialog.isVisible()
    box.button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(startup.language_switched, timeout=WAIT_MS) as switched:
        settings.language.setCurrentIndex(settings.language.findData("fr"))
    french = switched.args[0]
    assert current_language() == "fr" and french.current_page() == mw.SETTINGS
    qtbot.waitUntil(lambda: not french.monitoring.visits.busy, timeout=WAIT_MS)
