"""Locking the window: after a spell without keyboard or mouse input, and on demand (Ctrl+L).

The lock screen covers the whole window: the pages, menus and status bar are hidden, open
dialogs and editors are hidden (not closed: their drafts stay as they are) and the title
names no office. Unlocking asks for the signed-in user's password, or, on a store without
accounts, the store passphrase (on a database server, that of its sealed office keys); the
check runs off the GUI thread. A plain store without
accounts has nothing to unlock with, so Lock is disabled there and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.domain.accounts import SignInError, lock_state
from fieldkit.errors import FieldKitError, reason_for
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.services import users
from fieldkit.store import cipher, office_keys
from fieldkit.store.system import UserAccount
from ui import prefs
from ui.ops import Op
from ui.own_password import ChangePasswordDialog
from ui.pages.settings import SettingsPage
from ui.widgets import heading

UnlockWith = Literal["password", "passphrase"]
MS_PER_MINUTE = 60_000
#: what counts as someone using the app
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class WrongSecret(FieldKitError):
    """The password or passphrase typed on the lock screen does not unlock it."""


def unlock_method(ctx: Context) -> UnlockWith | None:
    """What unlocks this store's window: a password (it has accounts), its passphrase, or nothing.

    Store work: call it from an Op."""
    if users.has_accounts(ctx):
        return "password"
    # a database server's store with sealed office keys asked their passphrase at opening too
    return "passphrase" if ctx.store.key is not None or ctx.store.office_keys_key is not None else None


def _refusal(ctx: Context) -> SignInError | None:
    """Why the signed-in account may not unlock now (locked after wrong passwords, deactivated)."""
    with unchecked("lock: the account's state"), ctx.store.read() as session:
        account = session.get(UserAccount, ctx.principal.name)
        return lock_state(account, ctx.now()) if account is not None else None


def check_unlock_secret(ctx: Context, method: UnlockWith, secret: str) -> None:
    """Raise a FieldKitError unless ``secret`` unlocks the window (store work: from an Op).

    A password is checked by ``users.check_password``, which audits it and counts a wrong one
    towards the account's lock; a locked account is refused before and said after."""
    if method == "password":
        refused = _refusal(ctx)
        if refused is not None:
            raise refused
        if not users.check_password(ctx, secret):
            raise _refusal(ctx) or WrongSecret(_("That password is wrong."))
        return
    if ctx.store.path is None:  # a database server: the passphrase of the sealed office keys
        with unchecked("lock: the sealed keys' header"), ctx.store.read() as session:
            header = office_keys.read_header(session)
        try:
            sealing = office_keys.unlock_key(header, secret) if header is not None else None
        except FieldKitError as exc:
            raise WrongSecret(_("That passphrase does not open this store.")) from exc
        if sealing is None or sealing != ctx.store.office_keys_key:
            raise WrongSecret(_("That passphrase does not open this store."))
        return
    try:
        key = cipher.store_key(ctx.store.path, lambda: secret, create=False)
    except FieldKitError as exc:
        raise WrongSecret(_("That passphrase does not open this store.")) from exc
    if key is None or key != ctx.store.key:
        raise WrongSecret(_("That passphrase does not open this store."))


class IdleWatcher(QObject):
    """Emits ``idle`` after ``interval_ms`` without input anywhere in the app; 0 turns it off.

    An application-wide event filter restarts one single-shot timer: nothing polls."""

    idle = Signal()

    def __init__(self, parent: QObject, interval_ms: int) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.set_interval(interval_ms)

    def set_interval(self, interval_ms: int) -> None:
        self.timer.stop()
        self.timer.setInterval(max(interval_ms, 0))
        if interval_ms > 0:
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self.timer.interval() > 0:
            self.timer.start()
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class LockScreen(QWidget):
    """What the locked window shows: its name, one secret field, Unlock, and any error."""

    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget | None, method: UnlockWith) -> None:
        super().__init__(parent)
        self.setObjectName("LockScreen")
        self.setAutoFillBackground(True)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        box = QVBoxLayout()
        title = heading("FieldKit", self, scale=2)
        box.addWidget(title)
        box.addWidget(QLabel(_("FieldKit is locked."), self))
        label = QLabel(_("&Password") if method == "password" else _("Store &passphrase"), self)
        self.secret = QLineEdit(self)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setMinimumWidth(280)
        label.setBuddy(self.secret)
        box.addWidget(label)
        box.addWidget(self.secret)
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: white; background: #b3261e; padding: 2px 4px;")
        self.error.hide()
        box.addWidget(self.error)
        self.unlock_button = QPushButton(_("&Unlock"), self)
        self.unlock_button.setDefault(True)
        box.addWidget(self.unlock_button)
        row.addLayout(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.unlock_button.clicked.connect(self._submit)
        self.secret.returnPressed.connect(self._submit)

    def _submit(self) -> None:
        if self.unlock_button.isEnabled():
            self.error.hide()
            self.set_busy(True)
            self.unlock_requested.emit(self.secret.text())

    def set_busy(self, busy: bool) -> None:
        self.secret.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()
        self.secret.clear()
        self.secret.setFocus()


class LockController(QObject):
    """Locks and unlocks one main window; made by ``ui.app`` for every window it shows.

    ``check`` is the unlock check (store work); tests may pass the interval in milliseconds."""

    locked_changed = Signal(bool)

    def __init__(
        self,
        window: QMainWindow,
        *,
        interval_ms: int | None = None,
        check: Callable[[Context, UnlockWith, str], None] = check_unlock_secret,
    ) -> None:
        super().__init__(window)
        self.setObjectName("LockController")
        self.window = window
        self._check = check
        self.method: UnlockWith | None = None
        self.screen: LockScreen | None = None
        self._hidden: list[QWidget] = []
        self._disabled: list[QAction] = []
        self._title = ""
        minutes_ms = prefs.idle_minutes() * MS_PER_MINUTE
        self.watcher = IdleWatcher(self, minutes_ms if interval_ms is None else interval_ms)
        self.watcher.idle.connect(self.lock)
        self.action: QAction | None = getattr(window, "lock_action", None)
        if self.action is not None:
            self.action.triggered.connect(self.lock)
        self._set_method(None)
        ctx = self._ctx()
        if ctx is not None:
            Op(self, lambda _p: unlock_method(ctx)).on_success(self._set_method).run()
        settings = getattr(window, "settings_page", None)
        if isinstance(settings, SettingsPage):
            settings.lock_now_requested.connect(self.lock)
            settings.idle_minutes_chosen.connect(self.set_idle_minutes)
            settings.change_password_requested.connect(self.change_password)
            settings.protection.changed.connect(self._store_reopened)
        window.installEventFilter(self)

    def _store_reopened(self) -> None:
        """Encrypted now, or under another passphrase: what unlocks the window may have changed."""
        ctx = self._ctx()
        if ctx is not None:
            Op(self, lambda _p: unlock_method(ctx)).on_success(self._set_method).run()

    def _ctx(self) -> Context | None:
        workspace = getattr(self.window, "workspace", None)
        ctx = getattr(workspace, "ctx", None)
        return ctx if isinstance(ctx, Context) else None

    def _set_method(self, method: UnlockWith | None) -> None:
        self.method = method
        why_not = _("This store has no passphrase and no accounts, so there is nothing to unlock it with.")
        if self.action is not None:
            self.action.setEnabled(method is not None)
            self.action.setToolTip(
                _("Lock the window until the password or passphrase is typed again (Ctrl+L)")
                if method is not None
                else why_not
            )
        settings = getattr(self.window, "settings_page", None)
        if isinstance(settings, SettingsPage):
            settings.show_lockable(method is not None, why_not, accounts=method == "password")

    def change_password(self) -> None:
        ctx = self._ctx()
        if ctx is not None:
            dialog = ChangePasswordDialog(ctx, self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    @property
    def locked(self) -> bool:
        return self.screen is not None

    def set_idle_minutes(self, minutes: int) -> None:
        self.watcher.set_interval(minutes * MS_PER_MINUTE)

    def lock(self) -> None:
        if self.locked or self.method is None:
            return
        window = self.window
        self._title = window.windowTitle()
        window.setWindowTitle("FieldKit")
        # every window the main window owns (dialogs, editors) is hidden, not closed
        self._hidden = [
            widget
            for widget in window.findChildren(QWidget)
            if widget.isWindow() and widget.isVisible() and widget is not window
        ]
        for part in (window.centralWidget(), window.menuBar(), window.statusBar()):
            if part is not None and part.isVisible():
                self._hidden.append(part)
        for widget in self._hidden:
            widget.hide()
        self._disabled = [action for action in window.findChildren(QAction) if action.isEnabled()]
        for action in self._disabled:
            action.setEnabled(False)
        screen = LockScreen(window, self.method)
        screen.setGeometry(window.rect())
        screen.unlock_requested.connect(self._try_unlock)
        self.screen = screen
        screen.show()
        screen.raise_()
        screen.secret.setFocus()
        self.watcher.timer.stop()
        self.locked_changed.emit(True)

    def _try_unlock(self, secret: str) -> None:
        ctx, method = self._ctx(), self.method
        if ctx is None or method is None:
            return
        check = self._check

        def work(_progress: Progress) -> None:
            check(ctx, method, secret)

        Op(self, work).on_success(lambda _none: self.unlock()).on_failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        if self.screen is not None:
            self.screen.show_error(reason_for(exc))

    def unlock(self) -> None:
        """Show everything as it was (called once the secret is checked)."""
        screen, self.screen = self.screen, None
        if screen is None:
            return
        screen.hide()
        screen.deleteLater()
        for action in self._disabled:
            action.setEnabled(True)
        for widget in self._hidden:
            widget.show()
        self._hidden, self._disabled = [], []
        self.window.setWindowTitle(self._title)
        self.watcher.set_interval(self.watcher.timer.interval())
        self.locked_changed.emit(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize and self.screen is not None:
            self.screen.setGeometry(self.window.rect())
        return False


def controller_of(window: QWidget) -> LockController | None:
    found = window.findChild(LockController, "LockController", Qt.FindChildOption.FindDirectChildrenOnly)
    return found if isinstance(found, LockController) else None
