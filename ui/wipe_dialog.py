"""Settings › Emergency › "Wipe this installation…": the window's way to ``fieldkit wipe``.

The dialog says what is destroyed and what cannot be promised, asks for the office code (or the
fixed word when the store has no office), and offers the destructive button only once it is
typed; that button is never the default, so Enter alone cannot wipe. The wipe runs on the store
lane after the store is closed; then the app ends without writing its settings again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.i18n import _, ngettext
from fieldkit.paths import user_data_dir
from fieldkit.progress import Progress
from fieldkit.store.wipe import FIXED_CONFIRMATION, WipeReport, wipe
from ui.ops import Op, show_failure
from ui.widgets import error_label, isolated, message_box, note, show_error
from ui.workspace import Workspace


def explanation() -> str:
    return _(
        "This destroys the store on this computer with every record in it, its backup copies, "
        "its key header, and FieldKit's settings and logs. The key material goes first: once the "
        "key header and the start of the store are gone, an encrypted store cannot be opened even "
        "with its passphrase. Then every file is overwritten once with random data and deleted.\n\n"
        "What it cannot promise: on SSDs, USB sticks and memory cards, and on copy-on-write file "
        "systems, old copies of the data can survive an overwrite; there, what protects the data is "
        "the store's encryption. Sync packets, exported files and the copies partner offices hold "
        "are not reached.\n\nThere is no undo. FieldKit closes when it is done."
    )


def emergency_box(workspace: Workspace, parent: QWidget) -> QGroupBox:
    """Settings' "Emergency" group: what the wipe is for, and the button that opens its dialog."""
    box = QGroupBox(_("Emergency"), parent)
    layout = QVBoxLayout(box)
    why = _("If this computer is about to be seized, destroy the store, its copies and FieldKit's files.")
    layout.addWidget(note(why, box))
    button = QPushButton(_("&Wipe this installation…"), box)
    button.setObjectName("WipeButton")
    button.clicked.connect(lambda: WipeDialog(workspace, parent).open())
    layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeading)
    return box


class WipeDialog(QDialog):
    #: the report, once the files are gone (the app is about to end)
    wiped = Signal(object)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Wipe this installation"))
        self._workspace = workspace
        office = workspace.office
        self.expected = office.code if office is not None else FIXED_CONFIRMATION
        layout = QVBoxLayout(self)
        text = QLabel(explanation(), self)
        text.setWordWrap(True)
        # a wrapped label takes the height its width needs only once the width is settled
        text.setMinimumWidth(min(text.fontMetrics().averageCharWidth() * 70, 900))
        layout.addWidget(text)
        if office is not None:
            prompt = _("To confirm, type this office's code, {code}:").format(code=isolated(office.code))
        else:
            prompt = _("To confirm, type the word {word}:").format(word=FIXED_CONFIRMATION)
        form = QFormLayout()
        self.confirmation = QLineEdit(self)
        self.confirmation.setAccessibleName(_("Confirmation"))
        self.confirmation.textChanged.connect(self._typed)
        prompt_label = QLabel(prompt, self)
        prompt_label.setWordWrap(True)
        prompt_label.setBuddy(self.confirmation)
        form.addRow(prompt_label)
        form.addRow(self.confirmation)
        self.error = error_label(self)
        form.addRow(self.error)
        layout.addLayout(form)

        self.buttons = QDialogButtonBox(self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.wipe_button = QPushButton(_("&Wipe everything now"), self)
        self.buttons.addButton(self.wipe_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        for button in (self.wipe_button, self.cancel_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.wipe_button.setEnabled(False)
        self.wipe_button.clicked.connect(self.start_wipe)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if workspace.store.path is None:
            self.confirmation.setEnabled(False)
            show_error(
                self.error,
                _("This store is on a database server, which keeps its own copies: FieldKit cannot wipe it."),
            )
        self.confirmation.setFocus(Qt.FocusReason.OtherFocusReason)

    def _matches(self) -> bool:
        return self.confirmation.text().strip().casefold() == self.expected.casefold()

    def _typed(self) -> None:
        self.wipe_button.setEnabled(self._matches() and self._workspace.store.path is not None)

    def start_wipe(self) -> None:
        if not self._matches() or self._workspace.store.path is None:
            return
        self.confirmation.setEnabled(False)
        self.wipe_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        ctx = self._workspace.ctx
        path = Path(self._workspace.store.path)
        typed, expected = self.confirmation.text(), self.expected

        def work(_progress: Progress) -> WipeReport:
            ctx.close()  # no connection may write the WAL back after its file is gone
            return wipe(path, confirmation=typed, expected=expected, data_dir=user_data_dir())

        Op(self, work).with_progress(_("Wiping…"), cancellable=False).on_success(self._done).on_failure(
            self._failed
        ).run()

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, exc)
        self.cancel_button.setEnabled(True)

    def _done(self, report: WipeReport) -> None:
        self.wiped.emit(report)
        count = len(report.destroyed)
        text = ngettext("{count} file was destroyed.", "{count} files were destroyed.", count).format(
            count=count
        )
        if report.complete:
            box = message_box(
                None, QMessageBox.Icon.Information, _("Wiped"), text + " " + _("FieldKit now closes.")
            )
        else:
            text += " " + _("These could not be destroyed; delete them yourself:")
            box = message_box(
                None,
                QMessageBox.Icon.Warning,
                _("Wipe incomplete"),
                text,
                files=[f"{f.path}: {f.reason}" for f in report.failed],
            )
        for window in QApplication.topLevelWidgets():  # nothing may reach the closed store any more
            if window is not box:
                window.hide()
        box.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.result_box = box
        # exit, not quit: quitting would close the windows, and closing saves their geometry again
        box.finished.connect(lambda _r: QApplication.exit(0))
        box.open()
