"""Restoring the office keys in the window (``fieldkit keys restore``): from a key backup folder and
its recovery passphrase, or from enough shares (files, or typed or pasted from paper).

``RestoreSourceForm`` gathers the choice; the first-run assistant shows it as a page, and the Sync
page in ``RestoreKeysDialog``. The work runs on the store lane; a refusal (a wrong passphrase, too
few shares, another office's shares) is one line under the field it is about, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.context import Context
from fieldkit.crypto.keybackup import KeyBundle, KeyShare
from fieldkit.errors import ValidationError, reason_for
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.keys import (
    RestoredKeys,
    check_shares,
    open_key_backup,
    parse_share_text,
    read_share_files,
    restore_from_backup,
    restore_from_shares,
)
from ui.ops import Op
from ui.widgets import error_label, isolated, message_box, note, show_error, tab_stop_follows_check


@dataclass(frozen=True)
class RestoreRequest:
    """Where the keys come from: a backup folder and its passphrase, or share files and text."""

    folder: Path | None = None
    passphrase: str = ""
    share_files: tuple[Path, ...] = ()
    share_text: str = ""


def _shares(request: RestoreRequest) -> list[KeyShare]:
    shares = read_share_files(request.share_files)
    shares += parse_share_text(request.share_text, _("the typed text"))
    return shares


def check_restore(ctx: Context, request: RestoreRequest) -> KeyBundle:
    """The keys and office the request would restore; nothing is written (store work: in an Op)."""
    if request.folder is not None:
        return open_key_backup(ctx, [request.folder], request.passphrase)
    return check_shares(_shares(request))


def run_restore(ctx: Context, request: RestoreRequest) -> RestoredKeys:
    """Restore the keys (store work: in an Op)."""
    if request.folder is not None:
        return restore_from_backup(ctx, [request.folder], request.passphrase)
    return restore_from_shares(ctx, _shares(request))


def full_packet_advice() -> str:
    return _(
        "Before entering any records, ask a partner office for a full packet of this office's records "
        "(Sync › Export, or 'fieldkit sync export --full') and import it: records made here before they "
        "are back would take numbers this office has used already."
    )


def restored_text(code: str, name: str, fingerprint: str) -> str:
    return _("Office {code} ({name}). Key fingerprint: {fingerprint}").format(
        code=isolated(code), name=isolated(name), fingerprint=isolated(fingerprint)
    )


def restored_office_box(parent: QWidget, restored: RestoredKeys) -> QMessageBox:
    """What the first-run assistant restored, and what to do before entering records."""
    text = "\n\n".join(
        [
            _("Office restored."),
            restored_text(restored.office_code, restored.office_name, restored.fingerprint),
            full_packet_advice(),
        ]
    )
    return message_box(parent, QMessageBox.Icon.Information, _("Office restored"), text)


class RestoreSourceForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.share_files: list[Path] = []
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.from_backup = QRadioButton(_("From a key &backup folder and its recovery passphrase"), self)
        self.from_shares = QRadioButton(_("From key &shares held by trusted colleagues"), self)
        self.from_backup.setChecked(True)
        tab_stop_follows_check(self.from_backup, self.from_shares)
        self.folder = QLineEdit(self)
        self.folder.setPlaceholderText(_("the folder the key backup was written to"))
        self.choose_folder_button = QPushButton(_("C&hoose the folder…"), self)
        self.choose_folder_button.clicked.connect(self._choose_folder)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.backup_error = error_label(self)
        self.add_files_button = QPushButton(_("Add share &files…"), self)
        self.add_files_button.clicked.connect(self._choose_files)
        self.files_label = QLabel(_("No share files yet"), self)
        self.files_label.setWordWrap(True)
        self.share_text = QPlainTextEdit(self)
        self.share_text.setTabChangesFocus(True)
        self.share_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.share_text.setPlaceholderText(_("FIELDKIT-SHARE-1:… one share after another, as printed"))
        self.share_text.setFixedHeight(self.share_text.fontMetrics().height() * 5)
        self.shares_error = error_label(self)

        form.addRow(self.from_backup)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_folder_button)
        folder_label = QLabel(_("F&older:"), self)
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, folder_row)
        passphrase_label = QLabel(_("Recovery pass&phrase:"), self)
        passphrase_label.setBuddy(self.passphrase)
        form.addRow(passphrase_label, self.passphrase)
        form.addRow(self.backup_error)
        form.addRow(self.from_shares)
        files_row = QHBoxLayout()
        files_row.addWidget(self.add_files_button)
        files_row.addWidget(self.files_label, 1)
        form.addRow(files_row)
        text_label = QLabel(_("Or &type the shares:"), self)
        text_label.setBuddy(self.share_text)
        form.addRow(text_label, self.share_text)
        form.addRow(self.shares_error)
        # typing in one form's fields picks that form
        self.folder.textEdited.connect(lambda _t: self._picked(self.from_backup))
        self.passphrase.textEdited.connect(lambda _t: self._picked(self.from_backup))
        self.share_text.textChanged.connect(lambda: self._picked(self.from_shares))

    def _picked(self, button: QRadioButton) -> None:
        button.setChecked(True)
        self.clear_errors()

    def clear_errors(self) -> None:
        show_error(self.backup_error, None)
        show_error(self.shares_error, None)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Folder of the key backup"), self.folder.text())
        if folder:
            self.folder.setText(folder)
            self._picked(self.from_backup)

    def _choose_files(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, _("Key share files"), "", _("Key shares (*.txt);;All files (*)")
        )
        self.add_share_files([Path(name) for name in names])

    def add_share_files(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self.share_files:
                self.share_files.append(path)
        if self.share_files:
            count = len(self.share_files)
            self.files_label.setText(
                ngettext("{count} file: {names}", "{count} files: {names}", count).format(
                    count=count, names=", ".join(isolated(p.name) for p in self.share_files)
                )
            )
            self._picked(self.from_shares)

    def request(self) -> RestoreRequest | None:
        """What to restore from, or None with the reason shown under the fields."""
        self.clear_errors()
        if self.from_backup.isChecked():
            folder = self.folder.text().strip()
            if not folder:
                show_error(self.backup_error, _("Choose the folder of the key backup."))
                self.folder.setFocus()
                return None
            if not self.passphrase.text():
                show_error(self.backup_error, _("Type the recovery passphrase of the key backup."))
                self.passphrase.setFocus()
                return None
            return RestoreRequest(folder=Path(folder).expanduser(), passphrase=self.passphrase.text())
        text = self.share_text.toPlainText()
        if not self.share_files and not text.strip():
            show_error(self.shares_error, _("Add the share files, or type the shares."))
            return None
        return RestoreRequest(share_files=tuple(self.share_files), share_text=text)

    def show_failure(self, exc: BaseException) -> None:
        reason = reason_for(exc)
        if self.from_backup.isChecked():
            show_error(self.backup_error, reason)
            if isinstance(exc, ValidationError) and "passphrase" in reason.casefold():
                self.passphrase.selectAll()
                self.passphrase.setFocus()
        else:
            show_error(self.shares_error, reason)

    def set_enabled(self, enabled: bool) -> None:
        for child in self.findChildren(QWidget):
            child.setEnabled(enabled)


class RestoreKeysDialog(QDialog):
    """Sync › "Restore the office keys…", and the same for a store without an office."""

    restored = Signal(object)  # RestoredKeys

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.running = False
        self.restored_keys: RestoredKeys | None = None
        self.setWindowTitle(_("Restore the office keys"))
        layout = QVBoxLayout(self)
        intro = note(
            _(
                "Put back the office's secret keys from a key backup or from shares. Into a store "
                "without an office this makes the office again; into this office's store it puts its "
                "keys back, and keys of another office are refused."
            ),
            self,
        )
        intro.setMinimumWidth(intro.fontMetrics().averageCharWidth() * 64)
        layout.addWidget(intro)
        self.source = RestoreSourceForm(self)
        layout.addWidget(self.source)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = self.buttons.addButton(
            _("&Restore the keys"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        if self.running:
            return
        request = self.source.request()
        if request is None:
            return
        self.running = True
        self.source.set_enabled(False)
        self.restore_button.setEnabled(False)
        ctx = self._ctx

        def work(_progress: Progress) -> RestoredKeys:
            return run_restore(ctx, request)

        Op(self, work).with_progress(_("Restoring the office keys…"), cancellable=False).on_success(
            self._restored
        ).on_failure(self._failed).run()

    def reject(self) -> None:
        if not self.running:  # the keys are being written: the outcome must be shown
            super().reject()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.source.set_enabled(True)
        self.restore_button.setEnabled(True)
        self.source.show_failure(exc)

    def _restored(self, result: RestoredKeys) -> None:
        self.running = False
        self.restored_keys = result
        if result.created_office:
            lines = [_("Office restored."), restored_text(result.office_code, result.office_name,
                     result.fingerprint), full_packet_advice()]  # fmt: skip
        else:
            lines = [
                _("The keys of office {code} are back in place.").format(code=isolated(result.office_code)),
                _("Key fingerprint: {fingerprint}").format(fingerprint=isolated(result.fingerprint)),
            ]
        self.restored.emit(result)
        super().accept()
        self.result_box = message_box(self.parentWidget(), QMessageBox.Icon.Information,
                                      _("Office keys restored"), "\n\n".join(lines))  # fmt: skip
        self.result_box.open()
