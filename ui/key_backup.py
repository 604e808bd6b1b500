"""The "Back up the office keys" dialog: a recovery passphrase, or k-of-n shares, to a folder.

The dialog only gathers the choice; the Sync page runs the backup off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldkit.crypto.keybackup import MAX_SHARES, MIN_THRESHOLD
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.services.keys import check_recovery_passphrase


@dataclass(frozen=True)
class KeyBackupChoice:
    folder: Path
    #: the recovery passphrase, or None for shares
    passphrase: str | None
    threshold: int
    count: int


class KeyBackupDialog(QDialog):
    def __init__(self, default_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Back up the office keys"))
        self.choice: KeyBackupChoice | None = None
        warning = QLabel(
            _(
                "The office keys open every packet sent to this office and sign packets in its name. "
                "They are written encrypted: keep the passphrase, or the shares, apart from each other."
            ),
            self,
        )
        warning.setWordWrap(True)
        self.shares_form = QRadioButton(_("As &shares for trusted colleagues"), self)
        self.passphrase_form = QRadioButton(_("Under a &recovery passphrase"), self)
        self.shares_form.setChecked(True)  # ready as it opens: 3 of 5 shares to the default folder
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeated = QLineEdit(self)
        self.repeated.setEchoMode(QLineEdit.EchoMode.Password)
        self.threshold = QSpinBox(self)
        self.threshold.setRange(MIN_THRESHOLD, MAX_SHARES)
        self.threshold.setValue(3)
        self.count = QSpinBox(self)
        self.count.setRange(MIN_THRESHOLD, MAX_SHARES)
        self.count.setValue(5)
        self.folder = QLineEdit(str(default_folder), self)
        self.choose_button = QPushButton(_("C&hoose…"), self)
        self.choose_button.clicked.connect(self._choose_folder)
        self.error = QLabel("", self)
        self.error.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.shares_form)
        form.addRow(_("Shares &needed:"), self.threshold)
        form.addRow(_("Shares &made:"), self.count)
        form.addRow(self.passphrase_form)
        form.addRow(_("Pass&phrase:"), self.passphrase)
        form.addRow(_("&Again:"), self.repeated)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_button)
        folder_label = QLabel(_("&Folder:"), self)
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, folder_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.backup_button = buttons.addButton(_("&Back up"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.backup_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.passphrase_form.toggled.connect(self._form_changed)
        self.passphrase.textEdited.connect(lambda _text: self.passphrase_form.setChecked(True))
        self.threshold.valueChanged.connect(lambda _value: self.shares_form.setChecked(True))
        self.count.valueChanged.connect(lambda _value: self.shares_form.setChecked(True))

    def _form_changed(self) -> None:
        # the fields of the other form stay reachable (their mnemonics work); typing in one picks its form
        self.error.setText("")

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Folder for the key backup"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def accept(self) -> None:
        folder = self.folder.text().strip()
        try:
            if not folder:
                raise ValidationError(_("Choose a folder for the key backup"))
            if self.passphrase_form.isChecked():
                check_recovery_passphrase(self.passphrase.text(), self.repeated.text())
                passphrase: str | None = self.passphrase.text()
            else:
                passphrase = None
                if self.threshold.value() > self.count.value():
                    raise ValidationError(_("More shares cannot be needed than are made"))
        except ValidationError as exc:
            self.error.setText(str(exc))
            return
        self.choice = KeyBackupChoice(Path(folder), passphrase, self.threshold.value(), self.count.value())
        super().accept()
