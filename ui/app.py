"""Starting the window: language, opening the store off the GUI thread, first-run setup, main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTimer, QTranslator, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressBar, QVBoxLayout, QWidget

from fieldkit.cli import private_log
from fieldkit.cli.common import EXIT_ERROR
from fieldkit.cli.private_log import redacted_traceback
from fieldkit.context import Context
from fieldkit.domain.accounts import PasswordMissing, UserNameMissing
from fieldkit.errors import FieldKitError, reason_for
from fieldkit.formatting import numbering_locale
from fieldkit.i18n import _, current_language, is_rtl, set_language
from ui import ops, prefs
from ui.bidi import follow_content_direction
from ui.editor.visit_dialog import VisitEditorDialog
from ui.first_run import FirstRunWizard
from ui.key_restore import restored_office_box
from ui.lock import LockController
from ui.main_window import MainWindow
from ui.ops import Op, shutdown_ops
from ui.unlock import SecretNeeded, UnlockAttempt, UnlockScreen
from ui.widgets import heading
from ui.workspace import Workspace, load_workspace, open_workspace

_log = logging.getLogger(__name__)
DEFAULT_SIZE = (1280, 760)
LANGUAGE_SWITCH_POLL_MS = 150
_qt_translator: QTranslator | None = None


def apply_language(app: QApplication, lang: str) -> None:
    """Our catalog, Qt's own strings (dialog buttons, context menus) and the layout direction."""
    global _qt_translator
    set_language(lang)
    # Qt's own numbers (spin boxes, calendars, sizes) in the digits fieldkit.formatting writes
    QLocale.setDefault(QLocale(numbering_locale(lang)))
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if is_rtl(lang) else Qt.LayoutDirection.LeftToRight)
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if lang == "en":
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    # By locale, so "zh" finds qtbase_zh_CN.qm.
    if translator.load(QLocale(lang), "qtbase", "_", folder):
        app.installTranslator(translator)
        _qt_translator = translator
    else:
        _log.info("No Qt translation for %s in %s", lang, folder)


def build_main_window(ctx: Context, workspace: Workspace | None = None, *, start: bool = True) -> MainWindow:
    """The main window over ``ctx``. Without ``workspace`` it is loaded here, on the calling thread:
    fine for tests and scripts; the app itself loads it through an Op."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        follow_content_direction(app)
    window = MainWindow(workspace or load_workspace(ctx))
    LockController(window)
    if start:
        window.start()
    return window


def _place(window: MainWindow) -> None:
    geometry = prefs.saved_geometry()
    if geometry is not None and window.restoreGeometry(geometry):
        return
    screen = QGuiApplication.primaryScreen()
    available = screen.availableGeometry() if screen is not None else None
    if available is not None and (
        available.width() < DEFAULT_SIZE[0] or available.height() < DEFAULT_SIZE[1]
    ):
        window.setWindowState(Qt.WindowState.WindowMaximized)  # e.g. 1366x768 laptops
    else:
        window.resize(*DEFAULT_SIZE)


class _Splash(QWidget):
    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.SplashScreen)
        self.setWindowTitle("FieldKit")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        title = heading("FieldKit", self, scale=2)
        layout.addWidget(title)
        self.label = QLabel(_("Opening the store…"), self)
        layout.addWidget(self.label)
        bar = QProgressBar(self)
        bar.setRange(0, 0)
        bar.setTextVisible(False)
        layout.addWidget(bar)
        self.setMinimumWidth(360)


class Startup(QObject):
    """Open the store, run the first-run setup if needed, then show the main window; rebuild it
    when the user chooses another language."""

    #: the new MainWindow, once a language change has replaced the old one
    language_switched = Signal(object)

    def __init__(self, app: QApplication, db: str | None) -> None:
        super().__init__(app)
        self._app = app
        self._db = db
        self.splash = _Splash()
        self.wizard: FirstRunWizard | None = None
        self.window: MainWindow | None = None
        self.ctx: Context | None = None
        self.error_box: QMessageBox | None = None
        self.unlock: UnlockScreen | None = None
        self.restored_box: QMessageBox | None = None
        self._wanted_language: str | None = None

    def start(self) -> None:
        self.splash.show()
        self._open(UnlockAttempt())

    def _open(self, attempt: UnlockAttempt) -> None:
        db = self._db
        parent: QWidget = self.unlock if self.unlock is not None else self.splash
        Op(
            parent, lambda p: open_workspace(db, p, user=attempt.user, credentials=attempt.credentials())
        ).on_success(self._opened).on_failure(lambda exc: self._open_failed(attempt, exc)).run()

    def _open_failed(self, attempt: UnlockAttempt, exc: BaseException) -> None:
        """A secret not typed yet: ask for it; a wrong one: say so under its field; else give up."""
        if isinstance(exc, SecretNeeded):
            self._unlock_screen().ask_for(exc.which)
            return
        if isinstance(exc, UserNameMissing | PasswordMissing):  # the store has accounts
            screen = self._unlock_screen()
            if screen.asks_account:  # asked already and left empty
                screen.show_error("password", _("Type your user name and password."))
            else:
                screen.ask_for("password")
            return
        which = attempt.last_asked
        if self.unlock is not None and which is not None and isinstance(exc, FieldKitError):
            self.unlock.show_error(which, reason_for(exc))
            return
        if self.unlock is not None:
            self.unlock.close()
        self._failed(exc)

    def _unlock_screen(self) -> UnlockScreen:
        if self.unlock is None:
            screen = UnlockScreen()
            screen.submitted.connect(lambda: self._open(screen.attempt()))
            screen.quit_requested.connect(self._app.quit)
            self.unlock = screen
            screen.show()
            screen.raise_()
            screen.activateWindow()  # typing goes to it at once, as it is the only window
            self.splash.close()
        return self.unlock

    def _opened(self, workspace: Workspace) -> None:
        self.ctx = workspace.ctx
        if self.unlock is not None:
            self.unlock.close()
            self.unlock.deleteLater()
            self.unlock = None
        if workspace.office is not None:
            self._show_main(workspace)
            return
        wizard = FirstRunWizard(workspace)
        wizard.completed.connect(self._set_up)
        wizard.rejected.connect(self._app.quit)
        self.wizard = wizard
        wizard.show()
        self.splash.close()

    def _set_up(self, workspace: Workspace) -> None:
        assert self.wizard is not None
        lang = self.wizard.chosen_language()
        restored = self.wizard.restored
        if lang != current_language():
            apply_language(self._app, lang)
        self._show_main(workspace)
        if restored is not None and self.window is not None:
            self.restored_box = restored_office_box(self.window, restored)
            self.restored_box.open()

    def _show_main(self, workspace: Workspace) -> None:
        window = build_main_window(workspace.ctx, workspace)
        _place(window)
        self._adopt(window)
        window.show()
        window.raise_()
        window.activateWindow()
        self.splash.close()
        if self.wizard is not None:
            self.wizard.deleteLater()
            self.wizard = None

    def _adopt(self, window: MainWindow) -> None:
        window.settings_page.language_chosen.connect(self.switch_language)
        self.window = window

    def switch_language(self, lang: str) -> None:
        """Rebuild the window in ``lang`` over the same store, on the same page, at once.

        Every page builds its texts when it is made, so a new window is the one way to be sure
        that none is left in the old language. Open editors close first (one with unsaved
        changes asks, and the switch waits for the user to choose again); running store work
        finishes first, as the old window's ops would be cancelled with it.
        """
        old = self.window
        self._wanted_language = lang
        if old is None or lang == current_language():
            return
        for dialog in old.findChildren(VisitEditorDialog):
            if dialog.isVisible() and not dialog.close():
                old.settings_page.show_language(
                    current_language(),
                    _("Save or discard the visits being edited, then choose the language again."),
                )
                return
        if ops.running_op_count() > 0:
            QTimer.singleShot(LANGUAGE_SWITCH_POLL_MS, self._switch_when_idle)
            return
        apply_language(self._app, lang)
        page, geometry, state = old.current_page(), old.saveGeometry(), old.windowState()
        window = MainWindow(old.workspace)
        LockController(window)
        window.restoreGeometry(geometry)
        window.setWindowState(state)
        window.show_page(page)
        # what start() loads, without offering the unsaved visits again
        window.monitoring.refresh()
        window.sync.conflicts.refresh()
        self._adopt(window)
        window.show()
        window.activateWindow()
        old.hide()
        old.deleteLater()
        self.language_switched.emit(window)

    def _switch_when_idle(self) -> None:
        if self._wanted_language is not None:
            self.switch_language(self._wanted_language)

    def _failed(self, exc: BaseException) -> None:
        _log.error("Could not open the store\n%s", redacted_traceback(exc))
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            _("FieldKit"),
            _("FieldKit could not open its store: {reason}").format(reason=reason_for(exc)),
            QMessageBox.StandardButton.Close,
        )
        box.finished.connect(lambda _result: self._app.exit(EXIT_ERROR))
        self.error_box = box
        box.show()
        self.splash.close()

    def close_store(self) -> None:
        if self.ctx is not None:
            self.ctx.close()
            self.ctx = None


def run_app(db: str | None, lang: str | None) -> int:
    """Run the window until the user quits; the exit status for the launcher."""
    private_log.install()  # uncaught errors in slots are logged without the values they quote
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("FieldKit")
    app.setOrganizationName("FieldKit")
    chosen = prefs.choose_language(lang)
    prefs.set_command_line_language(chosen if chosen == lang else None)
    apply_language(app, chosen)
    app.aboutToQuit.connect(lambda: shutdown_ops())
    startup = Startup(app, db)
    startup.start()
    try:
        return app.exec()
    finally:
        shutdown_ops()
        startup.close_store()
