"""Users: the store's accounts, for administrators (``MANAGE_USERS``).

The table model holds rows only; every list, save, unlock and password reset runs on the store
lane through ``ui.ops``. Without the permission the page says why instead of showing the list;
on a store without accounts it explains that the first administrator starts sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.access import CONFIDENTIALITY_LEVELS, Permission, Role, is_allowed, role_label
from fieldkit.errors import ValidationError
from fieldkit.formatting import format_when
from fieldkit.i18n import _, pgettext
from fieldkit.services.users import UserRow, add_user, list_users, set_password, unlock_account, update_user
from ui.ops import Op, show_failure
from ui.table_model import Column, RowTableModel
from ui.widgets import error_label, note, page_frame, row_table, show_error
from ui.workspace import Workspace

_SAVE_CANCEL = QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel


class UsersPage(QWidget):
    message = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        layout = page_frame(self, _("Users"))
        self.allowed = is_allowed(workspace.ctx.principal, Permission.MANAGE_USERS)
        self.intro = note("", self)
        layout.addWidget(self.intro)
        clearance = self._clearance_label
        self.model: RowTableModel[UserRow] = RowTableModel(
            [
                Column(_("User name"), lambda r: r.username),
                Column(_("Display name"), lambda r: r.display_name),
                Column(_("Roles"), lambda r: ", ".join(role_label(c) for c in r.roles)),
                Column(_("Clearance"), lambda r: clearance(r.clearance)),
                Column(pgettext("account", "Active"), lambda r: _("Yes") if r.active else _("No")),
                Column(_("Locked until"), lambda r: format_when(r.locked_until) if r.locked_until else ""),
                Column(_("Last sign-in"), lambda r: format_when(r.last_login_at) if r.last_login_at else ""),
            ],
            key=lambda r: r.username,
        )
        self.view = row_table(self, _("User accounts"), self.model, stretch=1)
        for column in (2, 3):  # roles and clearance whole: they are what an administrator checks
            self.view.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("&New user…"), self)
        self.edit_button = QPushButton(_("&Edit…"), self)
        self.password_button = QPushButton(_("Reset &password…"), self)
        self.unlock_button = QPushButton(_("&Unlock"), self)
        self.active_button = QPushButton(_("Deac&tivate"), self)
        for button in (self.add_button, self.edit_button, self.password_button, self.unlock_button,
                       self.active_button):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.password_button.clicked.connect(self.reset_password)
        self.unlock_button.clicked.connect(self.unlock)
        self.active_button.clicked.connect(self.toggle_active)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._sync_buttons())
        self.view.doubleClicked.connect(lambda _i: self.edit())
        if not self.allowed:
            self.intro.setText(
                _("Only an administrator can manage user accounts; you are signed in as {user}.").format(
                    user=workspace.ctx.user
                )
            )
            self.view.hide()
            for button in self.findChildren(QPushButton):
                button.hide()
        self._sync_buttons()

    def _clearance_label(self, code: str) -> str:
        return self.workspace.vocab.label("sensitivity_level", code)

    def selected(self) -> UserRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0]) if rows else None

    def _sync_buttons(self) -> None:
        row = self.selected()
        for button in (self.edit_button, self.password_button, self.active_button):
            button.setEnabled(row is not None)
        self.unlock_button.setEnabled(row is not None and row.locked_until is not None)
        self.active_button.setText(_("Ac&tivate") if row is not None and not row.active else _("Deac&tivate"))

    def refresh(self) -> None:
        if not self.allowed:
            return
        ctx = self.workspace.ctx
        Op(self, lambda _p: list_users(ctx)).on_success(self._loaded).run()

    def _loaded(self, rows: list[UserRow]) -> None:
        self.model.set_rows(rows)
        if rows:
            self.intro.setText(_("People who sign in to this store, their roles and what they may see."))
        else:
            self.intro.setText(
                _(
                    "This store has no accounts: whoever opens it may do everything. Adding the first "
                    "account, an administrator, makes FieldKit ask everyone to sign in from then on."
                )
            )
        self._sync_buttons()

    def _run(self, work: Callable[[], Any], done_text: str) -> None:
        def done(_result: object) -> None:
            self.message.emit(done_text)
            self.refresh()

        Op(self, lambda _p: work()).on_success(done).run()

    def add(self) -> None:
        UserDialog(self.workspace, None, self).open()

    def edit(self) -> None:
        row = self.selected()
        if row is not None:
            UserDialog(self.workspace, row, self).open()

    def reset_password(self) -> None:
        row = self.selected()
        if row is not None:
            PasswordDialog(self.workspace, row.username, self).open()

    def unlock(self) -> None:
        row = self.selected()
        if row is not None:
            ctx, name = self.workspace.ctx, row.username
            self._run(lambda: unlock_account(ctx, name), _("{user} can sign in again.").format(user=name))

    def toggle_active(self) -> None:
        row = self.selected()
        if row is not None:
            ctx, name, active = self.workspace.ctx, row.username, not row.active
            text = _("{user} is active.") if active else _("{user} can no longer sign in.")
            self._run(lambda: update_user(ctx, name, active=active), text.format(user=name))


class UserDialog(QDialog):
    """Add an account, or edit one's display name, roles and clearance; errors under their fields."""

    def __init__(self, workspace: Workspace, row: UserRow | None, page: UsersPage) -> None:
        super().__init__(page)
        self.page, self.row, self.workspace = page, row, workspace
        self.setWindowTitle(_("Add a user") if row is None else _("Edit a user"))
        form = QFormLayout(self)
        self.errors: dict[str, QLabel] = {}
        self.username = QLineEdit(self)
        self.display_name = QLineEdit(self)
        self.roles = {role: QCheckBox(role_label(role), self) for role in Role}
        self.clearance = QComboBox(self)
        for level in CONFIDENTIALITY_LEVELS:
            self.clearance.addItem(workspace.vocab.label("sensitivity_level", level), level)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self._row(form, _("&User name"), self.username, "username")
        self._row(form, _("&Display name"), self.display_name, "display_name")
        roles_box = QWidget(self)
        roles_layout = QVBoxLayout(roles_box)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        for box in self.roles.values():
            roles_layout.addWidget(box)
        self._row(form, _("&Roles"), roles_box, "roles", buddy=next(iter(self.roles.values())))
        self._row(form, _("&Clearance"), self.clearance, "clearance")
        if row is None:
            self._row(form, _("&Password"), self.password, "password")
        else:
            self.username.setText(row.username)
            self.username.setEnabled(False)
            self.display_name.setText(row.display_name)
            for role, box in self.roles.items():
                box.setChecked(role.value in row.roles)
            self.clearance.setCurrentIndex(max(self.clearance.findData(row.clearance), 0))
        buttons = QDialogButtonBox(_SAVE_CANCEL)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _row(
        self, form: QFormLayout, label: str, field: QWidget, name: str, buddy: QWidget | None = None
    ) -> None:
        caption = QLabel(label, self)
        caption.setBuddy(buddy or field)  # a group of boxes: its first box takes the mnemonic
        holder = QWidget(self)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(field)
        self.errors[name] = error_label(holder)
        column.addWidget(self.errors[name])
        form.addRow(caption, holder)

    def save(self) -> None:
        for label in self.errors.values():
            show_error(label, None)
        ctx = self.workspace.ctx
        roles = [role.value for role, box in self.roles.items() if box.isChecked()]
        clearance = self.clearance.currentData()
        name, display, password = self.username.text().strip(), self.display_name.text(), self.password.text()
        if self.row is None:

            def work(_p: object) -> object:
                return add_user(
                    ctx, name, display_name=display, roles=roles, clearance=clearance, password=password
                )
        else:

            def work(_p: object) -> object:
                return update_user(ctx, name, display_name=display, roles=roles, clearance=clearance)

        Op(self, work).on_success(self._saved).on_failure(self._failed).run()

    def _saved(self, _row: object) -> None:
        self.page.message.emit(_("User {user} saved.").format(user=self.username.text().strip()))
        self.page.refresh()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and exc.fields:
            for field, text in exc.fields.items():
                show_error(self.errors.get(field) or self.errors["username"], text)
            return
        show_failure(self, exc)


class PasswordDialog(QDialog):
    def __init__(self, workspace: Workspace, username: str, page: UsersPage) -> None:
        super().__init__(page)
        self.page, self.username, self.workspace = page, username, workspace
        self.setWindowTitle(_("Reset a password"))
        form = QFormLayout(self)
        told = _("Give {user} a new password; tell it to them in person.").format(user=username)
        form.addRow(note(told, self))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        caption = QLabel(_("New &password"), self)
        caption.setBuddy(self.password)
        form.addRow(caption, self.password)
        self.error = error_label(self)
        form.addRow(self.error)
        buttons = QDialogButtonBox(_SAVE_CANCEL)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        ctx, name, password = self.workspace.ctx, self.username, self.password.text()
        Op(self, lambda _p: set_password(ctx, name, password)).on_success(self._saved).on_failure(
            self._failed
        ).run()

    def _saved(self, _r: object) -> None:
        self.page.message.emit(_("The password of {user} was reset.").format(user=self.username))
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            show_error(self.error, next(iter(exc.fields.values()), str(exc)))
            return
        show_failure(self, exc)
