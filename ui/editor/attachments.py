"""The "Attachments" page: files kept inside the store with the visit.

Adding a file writes it to the store at once (it needs the visit's id, so an unsaved visit is
saved first); removing one only takes it off the list, and the next save retires it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldkit.changeset import Changed
from fieldkit.context import Context
from fieldkit.i18n import _
from fieldkit.services.monitoring import add_attachment, attachment_bytes
from fieldkit.services.monitoring_types import AttachmentData
from ui.ops import Op

#: the editor saves the visit, then calls the continuation (only if the save worked)
SaveFirst = Callable[[Callable[[], None]], None]


class AttachmentsPage(QWidget):
    edited = Signal(str)  # "attachments": one was taken off the list
    attached = Signal(object)  # AttachmentData, already stored: not an unsaved change
    changes_applied = Signal(object)  # ChangeSet of storing it, just before ``attached``
    status = Signal(str)

    def __init__(self, ctx: Context, save_first: SaveFirst, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._save_first = save_first
        self._visit_id: str | None = None
        self._items: list[AttachmentData] = []
        self.file_dialog: QFileDialog | None = None  # the open chooser, if any (tests drive it)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("File"), _("Type"), _("Size"), _("Caption")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 320)
        self.table.setAccessibleName(_("Attached files"))
        self.caption = QLineEdit()
        self.caption.setMaxLength(400)
        self.caption.setPlaceholderText(_("Optional: what the file shows"))
        caption_label = QLabel(_("Capti&on for the next file:"))
        caption_label.setBuddy(self.caption)
        self.add_button = QPushButton(_("Add &file…"))
        self.remove_button = QPushButton(_("&Remove"))
        self.save_as_button = QPushButton(_("Save &copy as…"))
        self.note = QLabel()
        self.note.setWordWrap(True)

        adding = QHBoxLayout()
        adding.addWidget(caption_label)
        adding.addWidget(self.caption, 1)
        adding.addWidget(self.add_button)
        actions = QHBoxLayout()
        actions.addWidget(self.remove_button)
        actions.addWidget(self.save_as_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(adding)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.note)

        self.add_button.clicked.connect(self.add_file)
        self.remove_button.clicked.connect(self.remove_current)
        self.save_as_button.clicked.connect(self.save_copy)
        self.table.itemSelectionChanged.connect(self._sync_buttons)
        self._sync_buttons()

    def set_visit(self, visit_id: str | None, attachments: tuple[AttachmentData, ...]) -> None:
        self._visit_id = visit_id
        self._items = list(attachments)
        self._refill()
        self.note.setText(
            _("Files you remove are taken off the visit when you save it.")
            if visit_id
            else _("Files can be attached once the visit has been saved; adding one saves it first.")
        )

    def attachments(self) -> tuple[AttachmentData, ...]:
        return tuple(self._items)

    def _refill(self) -> None:
        locale = QLocale()
        self.table.setRowCount(len(self._items))
        for row, item in enumerate(self._items):
            texts = [item.filename, item.media_type, locale.formattedDataSize(item.size), item.caption]
            for column, text in enumerate(texts):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self._sync_buttons()

    def _current(self) -> AttachmentData | None:
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection()
        return self._items[row] if selected and 0 <= row < len(self._items) else None

    def _sync_buttons(self) -> None:
        has = self._current() is not None
        self.remove_button.setEnabled(has)
        self.save_as_button.setEnabled(has)

    # -- add ------------------------------------------------------------------------------

    def add_file(self) -> None:
        if self._visit_id is None:
            box = QMessageBox(
                QMessageBox.Icon.Question,
                _("Save the visit first"),
                _("Files can only be attached to a saved visit. Save the visit now?"),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                self,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.accepted.connect(lambda: self._save_first(self._choose_file))
            box.open()  # not exec(): no nested event loop
            return
        self._choose_file()

    def _choose_file(self) -> None:
        dialog = QFileDialog(self, _("Attach a file"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self._attach)
        self.file_dialog = dialog
        dialog.destroyed.connect(lambda *_: setattr(self, "file_dialog", None))
        dialog.open()

    def _attach(self, chosen: str) -> None:
        visit_id, ctx, path, caption = self._visit_id, self._ctx, Path(chosen), self.caption.text().strip()
        if visit_id is None or not chosen:
            return
        op = Op(self, lambda _p: add_attachment(ctx, visit_id, path, caption))
        (
            op.with_progress(_("Attaching {name}…").format(name=path.name), cancellable=False).on_success(
                self._attached
            )
        ).run()

    def _attached(self, result: Changed[AttachmentData]) -> None:
        item = result.value
        self._items.append(item)
        self._refill()
        self.caption.clear()
        self.table.setCurrentCell(len(self._items) - 1, 0)
        self.changes_applied.emit(result.changes)
        self.attached.emit(item)
        self.status.emit(_("Attached {name}").format(name=item.filename))

    # -- remove and save a copy -----------------------------------------------------------------

    def remove_current(self) -> None:
        item = self._current()
        if item is None:
            return
        self._items.remove(item)
        self._refill()
        self.edited.emit("attachments")

    def save_copy(self) -> None:
        item = self._current()
        if item is None:
            return
        dialog = QFileDialog(self, _("Save a copy of the attachment"))  # a file name can name a person
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.selectFile(item.filename)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda target: self._write_copy(item, target))
        self.file_dialog = dialog
        dialog.destroyed.connect(lambda *_: setattr(self, "file_dialog", None))
        dialog.open()

    def _write_copy(self, item: AttachmentData, target: str) -> None:
        if not target:
            return
        ctx, path = self._ctx, Path(target)

        def write(_progress: object) -> Path:
            path.write_bytes(attachment_bytes(ctx, item.sha256))
            return path

        op = Op(self, write).with_progress(_("Saving {name}…").format(name=path.name), cancellable=False)
        op.on_success(lambda saved: self.status.emit(_("Saved a copy as {path}").format(path=saved))).run()
