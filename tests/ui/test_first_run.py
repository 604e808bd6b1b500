"""First-run setup and start-up: the wizard creates the office; the app opens a store off the GUI thread."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from accounts_fixtures import _cheap_argon2  # noqa: F401 (autouse: cheap argon2 parameters)
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS

from fieldkit.context import Context
from fieldkit.domain.accounts import SignInFailed
from fieldkit.i18n import current_language, is_rtl, set_language
from fieldkit.opening import Credentials, open_context, opened
from fieldkit.services.office import local_office
from fieldkit.services.users import has_accounts
from ui import app as app_module
from ui import prefs
from ui.first_run import FirstRunWizard
from ui.main_window import MainWindow
from ui.workspace import Workspace, load_workspace

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")


def _wizard(qtbot: QtBot, ctx: Context, *, to_office: bool = True) -> FirstRunWizard:
    """The assistant over ``ctx``; past its first pages (a new office, a plain store) by default."""
    wizard = FirstRunWizard(load_workspace(ctx))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    if to_office:
        _to_office_page(qtbot, wizard)
    return wizard


def _next(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def _to_office_page(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    assert wizard.currentPage() is wizard.start_page and wizard.start_page.new_office.isChecked()
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.protection_page
    assert wizard.protection_page.encrypt.isChecked()  # encrypted unless the user says otherwise
    wizard.protection_page.plain.setChecked(True)
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.office_page


def test_wizard_validates_beside_the_fields_and_creates_the_office(qtbot: QtBot, bare_ctx: Context) -> None:
    wizard = _wizard(qtbot, bare_ctx)
    page = wizard.office_page
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # code and name are required
    qtbot.keyClicks(page.code, "k")  # one letter is too short for a code
    qtbot.keyClicks(page.name, "Mombasa sub-office")
    qtbot.keyClicks(page.parent_code, "k")
    assert page.code.text() == "K"  # capitals as you type
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: page.errors["code"].isVisible(), timeout=WAIT_MS)
    assert "capital letters" in page.errors["code"].text()
    assert page.errors["parent_code"].isVisible()
    assert not page.errors["name"].isVisible()
    assert wizard.currentPage() is page

    qtbot.keyClicks(page.code, "E-MSA")
    assert not page.errors["code"].isVisible()  # editing clears the message
    page.parent_code.clear()
    qtbot.keyClicks(page.parent_code, "KE-NBO")
    page.office_type.setCurrentIndex(page.office_type.findData("subregional-office"))
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.admin_page, timeout=WAIT_MS)
    _next(qtbot, wizard)  # no accounts
    assert wizard.currentPage() is wizard.language_page
    wizard.language_page.language.setCurrentIndex(wizard.language_page.language.findData("fr"))
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.demo_page
    assert not wizard.demo_page.fill.isChecked()

    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS) as done:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    workspace = done.args[0]
    assert isinstance(workspace, Workspace)
    assert workspace.office is not None and workspace.office.code == "KE-MSA"
    office = local_office(bare_ctx)
    assert office is not None
    assert (office.code, office.name, office.office_type, office.parent_code) == (
        "KE-MSA", "Mombasa sub-office", "subregional-office", "KE-NBO",
    )  # fmt: skip
    assert bare_ctx.office_code == "KE-MSA"
    assert wizard.chosen_language() == "fr" and prefs.saved_language() == "fr"
    assert not wizard.isVisible()


def test_wizard_can_fill_the_store_with_demo_data(qtbot: QtBot, bare_ctx: Context) -> None:
    from fieldkit.demo import generate  # an import error in the demo must fail here, not skip
    from fieldkit.services.visit_list import list_visits

    assert callable(generate)

    wizard = _wizard(qtbot, bare_ctx)
    qtbot.keyClicks(wizard.office_page.code, "KE-NBO")
    qtbot.keyClicks(wizard.office_page.name, "Kenya country office")
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.admin_page, timeout=WAIT_MS)
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    wizard.demo_page.fill.setChecked(True)
    with qtbot.waitSignal(wizard.completed, timeout=120_000) as done:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    workspace = done.args[0]
    assert workspace.areas, "demo data brings places to filter by"
    assert list_visits(bare_ctx, limit=1).total > 0


def test_wizard_creates_the_first_administrator_and_signs_in_as_them(
    qtbot: QtBot, bare_ctx: Context, store_path: Path
) -> None:
    wizard = _wizard(qtbot, bare_ctx)
    qtbot.keyClicks(wizard.office_page.code, "KE-NBO")
    qtbot.keyClicks(wizard.office_page.name, "Kenya country office")
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.admin_page, timeout=WAIT_MS)
    admin = wizard.admin_page
    qtbot.keyClicks(admin.display_name, "Amina")
    _next(qtbot, wizard)  # a display name without a user name is refused
    assert wizard.currentPage() is admin and admin.error.isVisible()
    qtbot.keyClicks(admin.username, "amina")
    qtbot.keyClicks(admin.password, "short")
    qtbot.keyClicks(admin.repeat, "short")
    _next(qtbot, wizard)
    assert wizard.currentPage() is admin and "at least 10" in admin.error.text()
    admin.password.clear()
    qtbot.keyClicks(admin.password, "open sesame 42")
    qtbot.keyClicks(admin.repeat, "open sesame 43")
    _next(qtbot, wizard)
    assert wizard.currentPage() is admin and admin.error.text() == "The two passwords differ."
    assert admin.repeat.text() == ""
    qtbot.keyClicks(admin.repeat, "open sesame 42")
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.language_page
    _next(qtbot, wizard)
    with qtbot.waitSignal(wizard.completed, timeout=WAIT_MS) as done:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    workspace = done.args[0]
    assert workspace.ctx.principal.name == "amina" and workspace.ctx.user == "amina"
    assert has_accounts(workspace.ctx)
    with pytest.raises(SignInFailed):  # the store now asks who signs in
        open_context(store_path, user="amina", credentials=Credentials(None, lambda: "wrong password"))
    with opened(store_path, user="amina", credentials=Credentials(None, lambda: "open sesame 42")) as again:
        assert again.principal.name == "amina"


def test_language_choice_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefs, "system_language", lambda: "es")
    assert prefs.choose_language("ar") == "ar"
    assert prefs.choose_language("xx") == "es"  # unknown --lang: fall back, do not fail
    prefs.save_language("ru")
    assert prefs.choose_language(None) == "ru"
    monkeypatch.setattr(prefs, "system_language", lambda: None)
    monkeypatch.setattr(prefs, "saved_language", lambda: None)
    assert prefs.choose_language(None) == "en"


def test_arabic_turns_the_layout_right_to_left(qapp: QApplication) -> None:
    assert isinstance(qapp, QApplication)
    try:
        app_module.apply_language(qapp, "ar")
        assert current_language() == "ar" and is_rtl()
        assert qapp.layoutDirection() == Qt.LayoutDirection.RightToLeft
        assert app_module._qt_translator is not None  # Qt's own buttons in Arabic too
    finally:
        app_module.apply_language(qapp, "en")
        set_language("en")
    assert qapp.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert app_module._qt_translator is None


def test_startup_runs_the_first_run_setup_then_shows_the_main_window(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    assert isinstance(qapp, QApplication)
    startup = app_module.Startup(qapp, str(tmp_path / "new.db"))
    try:
        startup.start()
        qtbot.waitUntil(lambda: startup.wizard is not None and startup.wizard.isVisible(), timeout=WAIT_MS)
        wizard = startup.wizard
        assert wizard is not None and startup.window is None
        assert not startup.splash.isVisible()
        _to_office_page(qtbot, wizard)
        qtbot.keyClicks(wizard.office_page.code, "KE-NBO")
        qtbot.keyClicks(wizard.office_page.name, "Kenya country office")
        _next(qtbot, wizard)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.admin_page, timeout=WAIT_MS)
        _next(qtbot, wizard)
        _next(qtbot, wizard)
        wizard.button(QWizard.WizardButton.FinishButton).click()
        qtbot.waitUntil(lambda: startup.window is not None and startup.window.isVisible(), timeout=WAIT_MS)
        window = startup.window
        assert window is not None and window.workspace.office is not None
        assert window.workspace.office.code == "KE-NBO"
        assert window.office_label.text() == "Office KE-NBO · Kenya country office"
        qtbot.waitUntil(lambda: not window.monitoring.visits.busy, timeout=WAIT_MS)
    finally:
        if startup.window is not None:
            startup.window.close()
            startup.window.deleteLater()
        startup.close_store()
        startup.deleteLater()


def test_startup_shows_the_main_window_for_an_initialised_store(
    qtbot: QtBot, qapp: QApplication, ctx: Context
) -> None:
    assert isinstance(qapp, QApplication) and ctx.store.path is not None
    startup = app_module.Startup(qapp, str(ctx.store.path))
    try:
        startup.start()
        qtbot.waitUntil(lambda: startup.window is not None and startup.window.isVisible(), timeout=WAIT_MS)
        assert startup.window is not None
        assert startup.window.workspace.office is not None
        assert startup.window.workspace.office.code == "KE-NBO"
        qtbot.waitUntil(lambda: not startup.window.monitoring.visits.busy, timeout=WAIT_MS)  # type: ignore[union-attr]
    finally:
        if startup.window is not None:
            startup.window.close()
            startup.window.deleteLater()
        startup.close_store()
        startup.deleteLater()


def test_startup_shows_a_write_protected_store(qtbot: QtBot, qapp: QApplication, ctx: Context) -> None:
    assert isinstance(qapp, QApplication) and ctx.store.path is not None
    ctx.close()
    ctx.store.path.chmod(0o444)
    startup = app_module.Startup(qapp, str(ctx.store.path))
    try:
        startup.start()
        qtbot.waitUntil(lambda: startup.window is not None and startup.window.isVisible(), timeout=WAIT_MS)
        assert startup.window is not None and startup.window.workspace.office is not None
        assert startup.window.workspace.ctx.store.read_only
        qtbot.waitUntil(lambda: not startup.window.monitoring.visits.busy, timeout=WAIT_MS)  # type: ignore[union-attr]
        assert startup.error_box is None and not startup.window.findChildren(QMessageBox)
    finally:
        if startup.window is not None:
            startup.window.close()
            startup.window.deleteLater()
        startup.close_store()
        startup.deleteLater()
        ctx.store.path.chmod(0o600)


def test_startup_names_another_programs_database(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    assert isinstance(qapp, QApplication)
    foreign = tmp_path / "contacts.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("create table contact (name text)")
    conn.close()
    before = foreign.read_bytes()
    startup = app_module.Startup(qapp, str(foreign))
    try:
        startup.start()
        qtbot.waitUntil(
            lambda: startup.error_box is not None and startup.error_box.isVisible(), timeout=WAIT_MS
        )
        assert startup.error_box is not None
        assert "another program" in startup.error_box.text()
        assert foreign.read_bytes() == before
    finally:
        if startup.error_box is not None:
            startup.error_box.blockSignals(True)  # closing must not exit the test's event loop
            startup.error_box.close()
        startup.close_store()
        startup.deleteLater()


def test_startup_reports_a_store_it_cannot_open(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    assert isinstance(qapp, QApplication)
    not_a_store = tmp_path / "garbage.db"
    not_a_store.write_bytes(b"this is not a database" * 100)
    startup = app_module.Startup(qapp, str(not_a_store))
    try:
        startup.start()
        qtbot.waitUntil(
            lambda: startup.error_box is not None and startup.error_box.isVisible(), timeout=WAIT_MS
        )
        assert startup.error_box is not None
        assert "could not open" in startup.error_box.text()
    finally:
        if startup.error_box is not None:
            startup.error_box.blockSignals(True)  # closing must not exit the test's event loop
            startup.error_box.close()
        startup.close_store()
        startup.deleteLater()


def test_run_app_opens_the_window_and_returns_when_it_closes(
    qtbot: QtBot, qapp: QApplication, ctx: Context
) -> None:
    assert ctx.store.path is not None
    closed: list[MainWindow] = []

    def close_when_shown() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows and not windows[0].monitoring.visits.busy:
            closed.append(windows[0])
            windows[0].close()
        else:
            QTimer.singleShot(50, close_when_shown)

    QTimer.singleShot(50, close_when_shown)
    QTimer.singleShot(WAIT_MS, qapp.quit)  # never hang the suite
    assert app_module.run_app(str(ctx.store.path), "en") == 0
    assert len(closed) == 1 and closed[0].workspace.office is not None
    closed[0].deleteLater()
