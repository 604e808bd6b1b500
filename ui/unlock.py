"""The unlock and sign-in screen shown before the main window when the store asks for a secret.

Opening runs on a worker; the worker learns the secrets through ``Credentials`` callables. An
``UnlockAttempt`` holds what the user has typed so far (copied on the GUI thread before the work
starts) and, when the store asks for a secret not typed yet, raises ``SecretNeeded`` so that the
screen can show that field. Which secret was asked last tells the screen under which field an
error (a wrong passphrase, a wrong password, a locked account) belongs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.i18n import _
from fieldkit.opening import Credentials
from ui.widgets import heading

Secret = Literal["passphrase", "password"]


class SecretNeeded(Exception):
    """The store asked for a secret the user has not typed yet (raised on the worker thread)."""

    def __init__(self, which: Secret) -> None:
        super().__init__(which)
        self.which: Secret = which


@dataclass
class UnlockAttempt:
    """The secrets typed so far, and which of them the store asked for during one opening."""

    passphrase: str | None = None
    user: str | None = None
    password: str | None = None
    asked: list[Secret] = field(default_factory=list)

    def credentials(self) -> Credentials:
        return Credentials(
            passphrase=lambda: self._give("passphrase"), password=lambda: self._give("password")
        )

    def _give(self, which: Secret) -> str:  # worker thread
        self.asked.append(which)
        value = self.passphrase if which == "passphrase" else self.password
        if value is None:
            raise SecretNeeded(which)
        return value

    @property
    def last_asked(self) -> Secret | None:
        return self.asked[-1] if self.asked else None


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(bright-text); background: #b3261e; padding: 2px 4px;")
    label.hide()
    return label


class UnlockScreen(QWidget):
    """Passphrase, user name and password fields, each shown once the store asks for it."""

    submitted = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("FieldKit")  # nothing about the office, the user or the path
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        title = heading("FieldKit", self, scale=2)
        layout.addWidget(title)
        self.intro = QLabel(_("This store is protected. Enter what it asks for to open it."), self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)

        form = QFormLayout()
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_label = QLabel(_("Store &passphrase"), self)
        self.passphrase_label.setBuddy(self.passphrase)
        self.passphrase_error = _error_label(self)
        self.user = QLineEdit(self)
        self.user_label = QLabel(_("&User name"), self)
        self.user_label.setBuddy(self.user)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_label = QLabel(_("Pass&word"), self)
        self.password_label.setBuddy(self.password)
        self.password_error = _error_label(self)
        form.addRow(self.passphrase_label, self.passphrase)
        form.addRow(self.passphrase_error)
        form.addRow(self.user_label, self.user)
        form.addRow(self.password_label, self.password)
        form.addRow(self.password_error)
        layout.addLayout(form)
        self.busy = QLabel(_("Opening the store…"), self)
        self.busy.hide()
        layout.addWidget(self.busy)
        layout.addStretch(1)

        buttons = QDialogButtonBox(self)
        self.open_button = QPushButton(_("&Open"), self)
        self.open_button.setDefault(True)
        self.open_button.setAutoDefault(True)
        self.quit_button = QPushButton(_("&Quit"), self)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.clicked.connect(self._submit)
        self.quit_button.clicked.connect(self.quit_requested)
        for line in (self.passphrase, self.user, self.password):
            line.returnPressed.connect(self._submit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.quit_requested.emit)
        layout.addWidget(buttons)
        self.setTabOrder(self.passphrase, self.user)
        self.setTabOrder(self.user, self.password)
        self.setTabOrder(self.password, self.open_button)
        self.setTabOrder(self.open_button, self.quit_button)
        self._set_rows(passphrase=False, account=False)
        self.setMinimumWidth(420)

    def _set_rows(self, *, passphrase: bool, account: bool) -> None:
        # kept apart from isVisible(), which is False for every field until the screen is shown
        self.asks_passphrase, self.asks_account = passphrase, account
        for widget in (self.passphrase_label, self.passphrase):
            widget.setVisible(passphrase)
        for widget in (self.user_label, self.user, self.password_label, self.password):
            widget.setVisible(account)

    def ask_for(self, which: Secret) -> None:
        """Show the field for ``which`` (the passphrase stays shown once asked) and focus it."""
        account = which == "password" or self.asks_account
        self._set_rows(passphrase=self.asks_passphrase or which == "passphrase", account=account)
        self.set_busy(False)
        if which == "passphrase":
            self.passphrase.setFocus()
        elif self.user.text().strip():
            self.password.setFocus()
        else:
            self.user.setFocus()

    def attempt(self) -> UnlockAttempt:
        """What the user typed, for the next opening (GUI thread)."""
        return UnlockAttempt(
            passphrase=self.passphrase.text() if self.asks_passphrase else None,
            user=(self.user.text().strip() or None) if self.asks_account else None,
            password=self.password.text() if self.asks_account else None,
        )

    def show_error(self, which: Secret, message: str) -> None:
        """``message`` under the field it is about; that field is cleared for the next try."""
        self.set_busy(False)
        self.clear_errors()
        label, line = (
            (self.passphrase_error, self.passphrase)
            if which == "passphrase"
            else (self.password_error, self.password)
        )
        label.setText(message)
        label.show()
        line.clear()
        line.setFocus()

    def clear_errors(self) -> None:
        for label in (self.passphrase_error, self.password_error):
            label.clear()
            label.hide()

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for widget in (self.passphrase, self.user, self.password, self.open_button):
            widget.setEnabled(not busy)

    def _submit(self) -> None:
        if not self.open_button.isEnabled():
            return
        if self.asks_account and not self.user.text().strip():
            self.show_error("password", _("Type your user name and password."))
            self.user.setFocus()
            return
        self.clear_errors()
        self.set_busy(True)
        self.submitted.emit()
