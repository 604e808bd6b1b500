"""Settings › "Store protection": whether the store is encrypted and how, and the ways to encrypt it,
change its passphrase or back it up (``fieldkit store info|encrypt|passphrase|backup``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from fieldkit.access import Permission, action_label, is_allowed
from fieldkit.errors import reason_for
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.services.store_protection import back_up_open_store, default_backup_path
from fieldkit.store import encryption, files
from fieldkit.store.encryption import EncryptionInfo
from ui.bidi import beside_label
from ui.ops import Op
from ui.store_protection import ChangePassphraseDialog, EncryptStoreDialog
from ui.widgets import message_box, note
from ui.workspace import Workspace


def server_note() -> str:
    commands = {"encrypt": "fieldkit store encrypt", "change": "fieldkit store passphrase"}
    return _(
        "This store is on a PostgreSQL server, which protects the records at rest with its disk "
        "encryption, its connections with TLS, and who may read them with its accounts. The office's "
        "secret keys in that database are sealed under a passphrase by '{encrypt}' (asked each time the "
        "store opens; '{change}' changes it). Back the database up with the server's own tools."
    ).format(**commands)


class StoreProtectionBox(QGroupBox):
    #: the store was encrypted or its passphrase changed, and it is open again
    changed = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(_("Store protection"), parent)
        self._ctx = workspace.ctx
        self.path = Path(workspace.store.path) if workspace.store.path is not None else None
        self.allowed = is_allowed(self._ctx.principal, Permission.MANAGE_OFFICE)
        self.info: EncryptionInfo | None = None
        form = QFormLayout(self)
        if self.path is None:
            self.status = QLabel(_("Protected by the database server"), self)
            form.addRow(_("Encryption"), self.status)
            form.addRow(note(server_note(), self))
            self.encrypt_button = self.change_button = self.backup_button = None
            return
        self.status = QLabel(_("Checking…"), self)
        self.status.setAlignment(beside_label())
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(_("Encryption"), self.status)
        self.costs = QLabel("", self)
        self.costs.setAlignment(beside_label())
        self.costs.setWordWrap(True)
        self.costs_label = QLabel(_("Key derivation"), self)
        form.addRow(self.costs_label, self.costs)
        self.encrypt_button = QPushButton(_("&Encrypt this store…"), self)
        self.change_button = QPushButton(_("Change the store &passphrase…"), self)
        self.backup_button = QPushButton(_("Make a &backup now…"), self)
        self.encrypt_button.clicked.connect(self.encrypt)
        self.change_button.clicked.connect(self.change_passphrase)
        self.backup_button.clicked.connect(self.choose_backup_file)
        row = QHBoxLayout()
        for button in (self.encrypt_button, self.change_button, self.backup_button):
            button.setEnabled(False)  # until the store has been described
            if not self.allowed:
                button.setToolTip(
                    _("Your role does not allow this: {action}.").format(
                        action=action_label(Permission.MANAGE_OFFICE)
                    )
                )
            row.addWidget(button)
        row.addStretch(1)
        form.addRow(row)
        self.explanation = note("", self)
        form.addRow(self.explanation)
        self.dialog: EncryptStoreDialog | ChangePassphraseDialog | None = None
        self.refresh()

    def refresh(self) -> None:
        path = self.path
        if path is None:
            return
        Op(self, lambda _p: encryption.describe(path), lane="io").on_success(self._show).on_failure(
            lambda exc: self.status.setText(reason_for(exc))
        ).run()

    def _show(self, info: EncryptionInfo) -> None:
        self.info = info
        assert self.encrypt_button and self.change_button and self.backup_button
        self.encrypt_button.setVisible(not info.encrypted)
        self.change_button.setVisible(info.encrypted)
        self.costs_label.setVisible(info.encrypted)
        self.costs.setVisible(info.encrypted)
        for button in (self.encrypt_button, self.change_button, self.backup_button):
            button.setEnabled(self.allowed)
        if not info.encrypted:
            self.status.setText(_("Not encrypted"))
            self.explanation.setText(
                _(
                    "Anyone who copies this file, or takes the computer, can read every record in it. "
                    "Encrypt it with a passphrase that FieldKit asks for each time it opens the store."
                )
            )
            return
        self.status.setText(
            _("Encrypted with {cipher} (settings of version {version})").format(
                cipher=info.cipher, version=info.cipher_compatibility
            )
        )
        self.costs.setText(
            _("{kdf}: {memory} MiB, {passes} passes, {lanes} lanes").format(
                kdf="Argon2id",
                memory=(info.memory_cost_kib or 0) // 1024,
                passes=info.time_cost,
                lanes=info.parallelism,
            )
        )
        self.explanation.setText(
            _(
                "Keep the passphrase safe, and the file {header} with every copy of the store: without "
                "both nobody can open it, FieldKit included."
            ).format(header=files.header_path(Path(str(info.path))).name)
        )

    # -- actions ------------------------------------------------------------------------------------

    def encrypt(self) -> None:
        self._open(EncryptStoreDialog(self._ctx, self.window()))

    def change_passphrase(self) -> None:
        self._open(ChangePassphraseDialog(self._ctx, self.window()))

    def _open(self, dialog: EncryptStoreDialog | ChangePassphraseDialog) -> None:
        self.dialog = dialog
        dialog.store_reopened.connect(self._converted)
        dialog.open()

    def _converted(self) -> None:
        self.refresh()
        self.changed.emit()

    def choose_backup_file(self) -> None:
        if self.path is None:
            return
        default = default_backup_path(self.path, self._ctx.now())
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Back up the store to"), str(default), "", "",
            QFileDialog.Option.DontConfirmOverwrite,  # an existing file is refused, never replaced
        )  # fmt: skip
        if chosen:
            self.back_up_to(Path(chosen))

    def back_up_to(self, target: Path) -> None:
        ctx = self._ctx

        def work(_progress: Progress) -> Path:
            return back_up_open_store(ctx, target)

        Op(self, work).with_progress(_("Backing up the store…"), cancellable=False).on_success(
            self._backed_up
        ).on_failure(self._backup_failed).run()

    def _backed_up(self, target: Path) -> None:
        if self.info is not None and self.info.encrypted:
            text = _("The backup is encrypted with the store's passphrase; keep {header} beside it.").format(
                header=files.header_path(target).name
            )
        else:
            text = _("The backup is not encrypted, as the store is not: keep it somewhere safe.")
        self.result_box = message_box(self.window(), QMessageBox.Icon.Information, _("Backup written"),
                                      text, files=[target])  # fmt: skip
        self.result_box.open()

    def _backup_failed(self, exc: BaseException) -> None:
        self.result_box = message_box(self.window(), QMessageBox.Icon.Warning, _("No backup written"),
                                      reason_for(exc))  # fmt: skip
        self.result_box.open()
