"""Encryption at rest in the window: the passphrase fields, and the dialogs that encrypt the open
store or change its passphrase (``fieldkit store encrypt|passphrase``).

Each dialog checks what it can at once, then runs the work on the store lane with progress: the
store is closed, converted, and opened again with its new key (``services.store_protection``).
A refusal is one line under the field it is about, and the store is as it was.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from fieldkit.context import Context
from fieldkit.errors import reason_for
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.keys import MIN_PASSPHRASE_CHARS
from fieldkit.services.store_protection import change_open_store_passphrase, encrypt_open_store
from fieldkit.store.cipher import KdfParams, PassphraseError
from ui.ops import Op
from ui.widgets import error_label, message_box, note, show_error

#: shorter passphrases are accepted, as the command line accepts them, but the hint warns
SUGGESTED_CHARS = MIN_PASSPHRASE_CHARS


def cannot_be_recovered() -> str:
    return _(
        "FieldKit asks for this passphrase every time it opens the store. Nobody can recover it if it "
        "is lost, FieldKit included: without it the records cannot be read. Write it down and keep it "
        "somewhere safe, away from this computer."
    )


def _password_line(parent: QWidget) -> QLineEdit:
    line = QLineEdit(parent)
    line.setEchoMode(QLineEdit.EchoMode.Password)
    return line


class NewPassphraseFields:
    """A new passphrase typed twice, a way to show it, a hint on its strength and an error line."""

    def __init__(
        self, form: QFormLayout, parent: QWidget, *, label: str = "", repeat_label: str = ""
    ) -> None:
        self.passphrase = _password_line(parent)
        self.passphrase.setAccessibleName(_("New passphrase"))
        self.repeat = _password_line(parent)
        self.repeat.setAccessibleName(_("Repeat the new passphrase"))
        self.show_box = QCheckBox(_("S&how the passphrase"), parent)
        self.show_box.toggled.connect(self._show)
        self.hint = note("", parent)
        self.error = error_label(parent)
        first = QLabel(label or _("New &passphrase"), parent)
        first.setBuddy(self.passphrase)
        second = QLabel(repeat_label or _("&Repeat it"), parent)
        second.setBuddy(self.repeat)
        form.addRow(first, self.passphrase)
        form.addRow(second, self.repeat)
        form.addRow(self.show_box)
        form.addRow(self.hint)
        form.addRow(self.error)
        self.passphrase.textChanged.connect(self._hint)
        for line in (self.passphrase, self.repeat):
            line.textEdited.connect(lambda _text: show_error(self.error, None))
        self._hint("")

    def _show(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for line in (self.passphrase, self.repeat):
            line.setEchoMode(mode)

    def _hint(self, text: str) -> None:
        count = len(text)
        if count and count < SUGGESTED_CHARS:
            hint = ngettext(
                "{count} character: short enough to be guessed. Use at least {minimum}; several "
                "unrelated words are long and easy to remember.",
                "{count} characters: short enough to be guessed. Use at least {minimum}; several "
                "unrelated words are long and easy to remember.",
                count,
            )
        else:
            hint = ngettext(
                "{count} character. Use at least {minimum}; several unrelated words are best.",
                "{count} characters. Use at least {minimum}; several unrelated words are best.",
                count,
            )
        self.hint.setText(hint.format(count=count, minimum=SUGGESTED_CHARS))

    def checked(self) -> str | None:
        """The passphrase, or None with the reason shown under the fields."""
        first = self.passphrase.text()
        problem = None
        if not first:
            problem = _("Type a passphrase.")
        elif first != self.repeat.text():
            problem = _("The two passphrases differ.")
        show_error(self.error, problem)
        if problem is not None:
            self.repeat.clear()
            self.passphrase.setFocus()
            return None
        return first

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.passphrase, self.repeat, self.show_box):
            widget.setEnabled(enabled)


class _StoreWorkDialog(QDialog):
    """The buttons and the running state shared by the two dialogs."""

    #: emitted once the store is open again with its new key
    store_reopened = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None, params: KdfParams | None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._params = params  # the key derivation's costs; None: FieldKit's own

    def _buttons(self, text: str) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.running = False
        return buttons

    def _set_running(self, running: bool) -> None:
        self.running = running
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit | QCheckBox) or widget in (self.ok_button, self.cancel_button):
                widget.setEnabled(not running)

    def reject(self) -> None:
        if not self.running:  # the store is closed while the work runs: it must finish
            super().reject()


class EncryptStoreDialog(_StoreWorkDialog):
    """Settings › Store protection › "Encrypt this store…"."""

    def __init__(
        self, ctx: Context, parent: QWidget | None = None, *, params: KdfParams | None = None
    ) -> None:
        super().__init__(ctx, parent, params)
        self.removed: list[Path] = []
        self.setWindowTitle(_("Encrypt this store"))
        layout = QVBoxLayout(self)
        text = note(
            _(
                "The store is encrypted in place: FieldKit closes it, writes an encrypted copy, checks "
                "it, and replaces the plain file with it. The plain file and the plain backup copies "
                "FieldKit made beside it are then overwritten and removed."
            ),
            self,
        )
        text.setMinimumWidth(text.fontMetrics().averageCharWidth() * 60)
        layout.addWidget(text)
        warning = note(cannot_be_recovered(), self)
        warning.setObjectName("CannotBeRecovered")
        layout.addWidget(warning)
        form = QFormLayout()
        self.fields = NewPassphraseFields(form, self)
        layout.addLayout(form)
        layout.addWidget(self._buttons(_("&Encrypt")))

    def accept(self) -> None:
        if self.running:
            return
        passphrase = self.fields.checked()
        if passphrase is None:
            return
        self._set_running(True)
        ctx, params = self._ctx, self._params

        def work(_progress: Progress) -> list[Path]:
            return encrypt_open_store(ctx, passphrase, params=params)

        Op(self, work).with_progress(_("Encrypting the store…"), cancellable=False).on_success(
            self._encrypted
        ).on_failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        show_error(self.fields.error, reason_for(exc))

    def _encrypted(self, removed: list[Path]) -> None:
        self.running = False
        self.removed = removed
        self.store_reopened.emit()
        super().accept()
        text = _("The store is encrypted.") + " " + cannot_be_recovered()
        details = ngettext(
            "Removed {count} plain file:", "Removed {count} plain files:", len(removed)
        ).format(count=len(removed))
        self.result_box = message_box(
            self.parentWidget(), QMessageBox.Icon.Information, _("Store encrypted"), text,
            details=details, files=removed,
        )  # fmt: skip
        self.result_box.open()


class ChangePassphraseDialog(_StoreWorkDialog):
    """Settings › Store protection › "Change the passphrase…"."""

    def __init__(
        self, ctx: Context, parent: QWidget | None = None, *, params: KdfParams | None = None
    ) -> None:
        super().__init__(ctx, parent, params)
        self.setWindowTitle(_("Change the store passphrase"))
        layout = QVBoxLayout(self)
        text = note(
            _(
                "FieldKit closes the store, re-encrypts it under the new passphrase and opens it again. "
                "Backups made before keep the passphrase they were made with."
            ),
            self,
        )
        text.setMinimumWidth(text.fontMetrics().averageCharWidth() * 60)
        layout.addWidget(text)
        layout.addWidget(note(cannot_be_recovered(), self))
        form = QFormLayout()
        self.old = _password_line(self)
        self.old.setAccessibleName(_("Current passphrase"))
        old_label = QLabel(_("&Current passphrase"), self)
        old_label.setBuddy(self.old)
        form.addRow(old_label, self.old)
        self.old_error = error_label(self)
        form.addRow(self.old_error)
        self.old.textEdited.connect(lambda _text: show_error(self.old_error, None))
        self.fields = NewPassphraseFields(form, self)
        self.fields.show_box.toggled.connect(self._show)
        layout.addLayout(form)
        layout.addWidget(self._buttons(_("Chan&ge passphrase")))

    def _show(self, shown: bool) -> None:
        self.old.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    def accept(self) -> None:
        if self.running:
            return
        old = self.old.text()
        if not old:
            show_error(self.old_error, _("Type the current passphrase."))
            self.old.setFocus()
            return
        new = self.fields.checked()
        if new is None:
            return
        self._set_running(True)
        ctx, params = self._ctx, self._params

        def work(_progress: Progress) -> None:
            change_open_store_passphrase(ctx, old, new, params=params)

        Op(self, work).with_progress(_("Changing the passphrase…"), cancellable=False).on_success(
            self._changed
        ).on_failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        if isinstance(exc, PassphraseError):
            show_error(self.old_error, reason_for(exc))
            self.old.selectAll()
            self.old.setFocus()
        else:
            show_error(self.fields.error, reason_for(exc))

    def _changed(self, _result: object) -> None:
        self.running = False
        self.store_reopened.emit()
        super().accept()
        text = _(
            "The passphrase of the store has changed. Backups made before keep the old passphrase: make "
            "a new one, and remove the old ones if anyone who should not may know it."
        )
        self.result_box = message_box(self.parentWidget(), QMessageBox.Icon.Information,
                                      _("Passphrase changed"), text)  # fmt: skip
        self.result_box.open()
