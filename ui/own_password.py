"""Changing the signed-in user's own password (Settings › Locking)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from fieldkit.context import Context
from fieldkit.errors import ValidationError, reason_for
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.services import users
from ui.ops import Op
from ui.widgets import error_label, show_error


class ChangePasswordDialog(QDialog):
    """Current password, new password twice; the change runs off the GUI thread."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle(_("Change my password"))
        form = QFormLayout(self)
        self.current = QLineEdit(self)
        self.new = QLineEdit(self)
        self.repeat = QLineEdit(self)
        for line in (self.current, self.new, self.repeat):
            line.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label(self)
        form.addRow(_("&Current password"), self.current)
        form.addRow(_("&New password"), self.new)
        form.addRow(_("&Repeat the new password"), self.repeat)
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._change)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.setMinimumWidth(420)

    def _change(self) -> None:
        if self.new.text() != self.repeat.text():
            show_error(self.error, _("The two passwords differ."))
            self.repeat.clear()
            self.new.setFocus()
            return
        ctx, old, new = self._ctx, self.current.text(), self.new.text()

        def work(_progress: Progress) -> None:
            users.change_own_password(ctx, old, new)

        self.buttons.setEnabled(False)
        Op(self, work).on_success(lambda _none: self.accept()).on_failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        fields = exc.fields if isinstance(exc, ValidationError) else {}
        show_error(self.error, next(iter(fields.values()), None) or reason_for(exc))
        if "old_password" in fields:
            self.current.clear()
            self.current.setFocus()
        else:
            self.new.setFocus()
