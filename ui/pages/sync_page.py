"""Sync: partner offices, packets out and in (after a look at their manifests), the log, office cards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldkit.access import Permission, action_label, is_allowed
from fieldkit.changeset import Changed, ChangeSet, combined
from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies
from fieldkit.errors import ValidationError
from fieldkit.formatting import format_value, format_when
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.services.cards import OfficeCard, read_card, trust_card, write_card
from fieldkit.services.keys import KeyBackup, backup_keys, split_keys
from fieldkit.services.office import OfficeInfo
from fieldkit.sync.export import ExportResult, export_packet
from fieldkit.sync.importer import (
    DEFAULT_MAX_DELETE_SHARE,
    ImportSummary,
    import_files,
    interrupted_import_changes,
    refusal_log_path,
)
from fieldkit.sync.outbox import OutgoingChanges, outgoing_changes
from fieldkit.sync.packet import EXTENSION
from fieldkit.sync.state import PacketRow, PartnerStatus, packet_history, partner_status
from fieldkit.sync.wording import changes_and_attachments_text
from ui.column_fit import FillColumn
from ui.folders import documents_folder, removable_drives
from ui.key_backup import KeyBackupDialog
from ui.key_restore import RestoreKeysDialog
from ui.ops import Op, show_failure
from ui.pages.sync_dialogs import (
    ExportDialog,
    ExportOptions,
    ImportPreviewDialog,
    OwnCardDialog,
    PreviewItem,
    TrustCardDialog,
    counts_text,
    preview_import,
)
from ui.pages.sync_log import (
    LOG_ROWS,
    LogEntry,
    RefusedImport,
    import_outcome_text,
    log_entries,
    read_refusals,
)
from ui.table_model import Column, RowTableModel
from ui.widgets import EmptyState, fit_columns, message_box, note, page_frame, row_table
from ui.workspace import Workspace

_TRAILING = Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter
_REFUSED = QColor("#b00020")
MB = 1024 * 1024
_NO_BUTTONS = QMessageBox.StandardButton.NoButton


def when_width(view: QTableView) -> int:
    """Room for a date and time as this language writes it, and the sort arrow."""
    metrics = view.fontMetrics()
    return (
        metrics.horizontalAdvance(format_when(dt.datetime(2026, 12, 28, 22, 58, 58))) + 3 * metrics.height()
    )


def _box(
    parent: QWidget,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    details: str = "",
    files: Sequence[Path] = (),
) -> QMessageBox:
    box = message_box(parent, icon, title, text, details=details, files=files)
    box.open()  # not exec(): no nested event loop
    return box


def _ask(
    parent: QWidget, title: str, text: str, details: str, yes: str, on_yes: Callable[[], None]
) -> QMessageBox:
    """A warning with a Cancel default; ``on_yes`` runs only if the user chose ``yes``."""
    box = message_box(parent, QMessageBox.Icon.Warning, title, text, details=details, buttons=_NO_BUTTONS)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)

    def answered(_result: int) -> None:
        if box.clickedButton() is yes_button:
            on_yes()

    box.finished.connect(answered)
    box.open()
    return box


def _choose(
    parent: QWidget, shortcuts: list[Path], title: str, start: Path, mode: QFileDialog.FileMode,
    filters: list[str], chosen: Callable[[list[Path]], None], *, save: bool = False,
) -> QFileDialog:  # fmt: skip
    dialog = QFileDialog(parent, title, str(start))
    dialog.setSidebarUrls([QUrl.fromLocalFile(str(p)) for p in shortcuts])
    dialog.setFileMode(mode)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, mode == QFileDialog.FileMode.Directory)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
    if filters:
        dialog.setNameFilters(filters)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.filesSelected.connect(lambda names: chosen([Path(n) for n in names]) if names else None)
    dialog.open()
    return dialog


class SyncPage(QWidget):
    data_changed = Signal(object)  # ChangeSet: packets were imported or a partner trusted
    message = Signal(str)  # for the status bar
    loaded = Signal()  # partner table and log show the store's state
    preview_ready = Signal(list)  # list[PreviewItem], once the preview dialog is open
    imported = Signal(list)  # list[ImportSummary] of a real import
    exported = Signal(object)  # ExportResult

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx: Context = workspace.ctx
        self._vocab: Vocabularies = workspace.vocab
        self._office = workspace.office
        self._documents = documents_folder()
        self.default_folder = self._documents
        #: the places every file chooser lists: the documents folder and the removable drives
        self.shortcuts: list[Path] = [self._documents]
        self._generation = 0
        self._pending: dict[str, Any] = {}
        self._outgoing: dict[str, OutgoingChanges] | None = None  # None while they are counted
        self.preview_dialog: ImportPreviewDialog | None = None
        self.trust_dialog: TrustCardDialog | None = None
        self.last_box: QMessageBox | None = None  # the newest result or question shown (tests read it)
        self.restore_dialog: RestoreKeysDialog | None = None
        self.setAcceptDrops(True)

        self.export_button = QPushButton(_("&Export packet…"), self)
        self.import_button = QPushButton(_("&Import packets…"), self)
        self.import_folder_button = QPushButton(_("Import a f&older…"), self)
        self.export_button.clicked.connect(self.open_export_dialog)
        self.import_button.clicked.connect(self.choose_packets)
        self.import_folder_button.clicked.connect(self.choose_folder)
        actions = QHBoxLayout()
        for button in (self.export_button, self.import_button, self.import_folder_button):
            actions.addWidget(button)
        actions.addStretch(1)

        self.partner_model: RowTableModel[PartnerStatus] = RowTableModel(
            [
                Column(_("Code"), lambda p: p.code),
                Column(_("Name"), lambda p: p.name, tooltip=lambda p: p.name),
                Column(_("Type"), lambda p: self._vocab.label("office_type", p.office_type)),
                Column(_("Last packet in"), lambda p: format_when(p.last_in) or _("Never"),
                       sort_key=lambda p: p.last_in, tooltip=lambda p: p.last_in_file or None),
                Column(_("Last packet out"), lambda p: format_when(p.last_out) or _("Never"),
                       sort_key=lambda p: p.last_out, tooltip=lambda p: p.last_out_file or None),
                Column(_("Not yet sent"), lambda p: self._count_of(p.code, "not_sent"), alignment=_TRAILING,
                       sort_key=lambda p: self._outgoing_of(p.code).not_sent,
                       tooltip=lambda _p: _("Changes no packet to this office has carried yet")),
                Column(_("Awaiting receipt"), lambda p: self._count_of(p.code, "awaiting_ack"),
                       alignment=_TRAILING, sort_key=lambda p: self._outgoing_of(p.code).awaiting_ack,
                       tooltip=lambda _p: _(
                           "Changes already written to a packet for this office that it has not yet "
                           "confirmed receiving; the next packet carries them again"
                       )),
                Column(_("Waiting for a packet"), lambda p: p.held, alignment=_TRAILING),
            ],
            key=lambda p: p.code,
            display=format_value,
            parent=self,
        )  # fmt: skip
        partners_box = QGroupBox(_("Partner offices"), self)
        self.partner_view = row_table(partners_box, _("Partner offices"), sortable=True)
        self.partner_view.setModel(self.partner_model)
        when = when_width(self.partner_view)
        fit_columns(self.partner_view, {0: 5, 2: 8, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0}, extra={3: when, 4: when})
        # the name fills what the others leave and keeps room for a few words: the type and the
        # packet times give up width first when the window is narrow
        self.partner_name_fit = FillColumn(self.partner_view, 1, floor_ems=9, shrinkable=(2, 3, 4))
        self.partner_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.own_card_button = QPushButton(_("This office's &card…"), partners_box)
        self.add_partner_button = QPushButton(_("&Add partner office…"), partners_box)
        self.keys_button = QPushButton(_("Back up the office &keys…"), partners_box)
        self.own_card_button.clicked.connect(self.choose_card_file)
        self.add_partner_button.clicked.connect(self.choose_partner_card)
        self.keys_button.clicked.connect(self.back_up_keys)
        self.restore_keys_button = QPushButton(_("Res&tore the office keys…"), partners_box)
        self.restore_keys_button.clicked.connect(self.restore_keys)
        for button, permission in ((self.keys_button, Permission.EXPORT_KEYS),
                                   (self.restore_keys_button, Permission.MANAGE_OFFICE)):  # fmt: skip
            if not is_allowed(self._ctx.principal, permission):
                button.setEnabled(False)
                button.setToolTip(
                    _("Your role does not allow this: {action}.").format(action=action_label(permission))
                )
        card_row = QHBoxLayout()
        for button in (
            self.add_partner_button,
            self.own_card_button,
            self.keys_button,
            self.restore_keys_button,
        ):
            card_row.addWidget(button)
        card_row.addStretch(1)
        partners_layout = QVBoxLayout(partners_box)
        partners_layout.addWidget(self.partner_view, 1)
        partners_layout.addLayout(card_row)

        self.log_model: RowTableModel[LogEntry] = RowTableModel(
            [
                Column(_("When"), lambda e: format_when(e.at), sort_key=lambda e: e.at),
                Column(_("Direction"), lambda e: e.direction),
                Column(_("Office"), lambda e: e.office),
                Column(_("Result"), lambda e: e.result,
                       decoration=lambda e: _REFUSED if e.refused else None),
                Column(_("Details"), lambda e: e.details, tooltip=lambda e: e.details),
                Column(_("File"), lambda e: e.file, tooltip=lambda e: e.file),
                Column(_("By"), lambda e: e.by),
            ],
            key=lambda e: e.key,
            display=format_value,
            parent=self,
        )  # fmt: skip
        log_box = QGroupBox(_("Packets written and read"), self)
        self.log_view = row_table(log_box, _("Packets written and read"), sortable=True)
        self.log_view.setModel(self.log_model)
        self.log_view.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        fit_columns(
            self.log_view, {0: 0, 1: 5, 2: 6, 3: 7, 5: 14, 6: 6}, extra={0: when_width(self.log_view)}
        )
        self.log_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.log_empty = EmptyState(
            _("No packets yet"),
            _("Packets this office writes or reads, and files it refuses, are listed here."),
            log_box,
        )
        self.log_empty.hide()  # until the log has loaded: no false "nothing yet" meanwhile
        log_layout = QVBoxLayout(log_box)
        log_layout.addWidget(self.log_view)
        log_layout.addWidget(self.log_empty)

        layout = page_frame(self, None)  # a tab of the Sync page, which carries the heading
        layout.addWidget(
            note(
                _(
                    "Exchange records with partner offices through packet files carried on a USB stick or "
                    "sent by email. You can also drop packet files or folders on this page to import them."
                ),
                self,
            )
        )
        layout.addLayout(actions)
        layout.addWidget(partners_box, 2)
        layout.addWidget(log_box, 3)
        self._update_actions()

    # -- loading --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # packets may have been written from the command line meanwhile

    def refresh(self) -> None:
        """Partners and packets from the store, refusals and the default folder from the disk."""
        self._generation += 1
        generation, ctx = self._generation, self._ctx
        self._pending = {}
        log_path = refusal_log_path(ctx)

        def store(_p: Progress) -> tuple[list[PartnerStatus], list[PacketRow]]:
            return partner_status(ctx), packet_history(ctx, LOG_ROWS)

        def outgoing(_p: Progress) -> dict[str, OutgoingChanges]:
            return outgoing_changes(ctx)  # the slow part on a large store: shown when it comes

        def disk(_p: Progress) -> tuple[list[RefusedImport], list[Path]]:
            return read_refusals(log_path), removable_drives()

        Op(self, store).on_success(lambda state: self._part(generation, "store", state)).run()
        Op(self, outgoing).on_success(lambda counts: self._part(generation, "outgoing", counts)).run()
        Op(self, disk, lane="io").on_success(lambda found: self._part(generation, "disk", found)).run()

    def _part(self, generation: int, name: str, value: object) -> None:
        if generation != self._generation:
            return  # a newer refresh is on its way
        self._pending[name] = value
        if name == "outgoing":
            self._outgoing = cast(dict[str, OutgoingChanges], value)
            rows = self.partner_model.rowCount()
            if rows:
                first = self.partner_model.index(0, 0)
                last = self.partner_model.index(rows - 1, self.partner_model.columnCount() - 1)
                self.partner_model.dataChanged.emit(first, last)
        elif "store" in self._pending and "disk" in self._pending and name in ("store", "disk"):
            (partners, packets), (refusals, drives) = self._pending["store"], self._pending["disk"]
            self.default_folder = drives[0] if drives else self._documents
            self.shortcuts = [self._documents, *drives]
            self.partner_model.set_rows(partners)
            self.log_model.set_rows(log_entries(packets, refusals))
            self.log_empty.setVisible(self.log_model.rowCount() == 0)
            self.log_view.setVisible(self.log_model.rowCount() > 0)
            self._update_actions()
        if len(self._pending) == 3:
            self.loaded.emit()

    def _outgoing_of(self, partner: str) -> OutgoingChanges:
        return (self._outgoing or {}).get(partner) or OutgoingChanges(partner, 0, 0)

    def _count_of(self, partner: str, which: str) -> object:
        """A count to show, or an ellipsis while the changes are still being counted."""
        if self._outgoing is None:
            return "…"
        return getattr(self._outgoing_of(partner), which)

    def _update_actions(self) -> None:
        has_partners = self.partner_model.rowCount() > 0
        self.export_button.setEnabled(has_partners)
        self.export_button.setToolTip("" if has_partners else _("Add a partner office first"))

    # -- export ---------------------------------------------------------------------------------

    def open_export_dialog(self) -> ExportDialog:
        partners = [(p.code, p.name) for p in self.partner_model.rows()]
        dialog = ExportDialog(partners, self.default_folder, self, shortcuts=self.shortcuts)
        dialog.accepted.connect(
            lambda: self.export_to(dialog.chosen_partner(), dialog.chosen_folder(), dialog.options())
        )
        dialog.open()
        return dialog

    def export_to(self, partner: str, folder: Path, options: ExportOptions) -> None:
        ctx = self._ctx
        part_size = options.part_mb * MB if options.part_mb else None

        def fn(progress: Progress) -> ExportResult:
            if not folder.is_dir():  # export_packet would take a missing folder for a file name
                raise ValidationError(_("The folder {path} does not exist").format(path=folder))
            return export_packet(
                ctx, partner, folder, full=options.full, attachments=options.attachments,
                part_size=part_size, share_identities=options.share_identities, progress=progress,
            )  # fmt: skip

        Op(self, fn).with_progress(_("Writing the packet…")).on_success(self._exported).on_cancel(
            self._export_cancelled
        ).run()

    def _exported(self, result: ExportResult) -> None:
        text = _("The packet carries {what} and was written to:").format(
            what=changes_and_attachments_text(result.changes, result.attachments)
        )
        self.last_box = _box(
            self, QMessageBox.Icon.Information, _("Packet written"), text, files=result.paths
        )
        self.message.emit(_("Packet written"))
        self._changed(ChangeSet(packets=True))  # Home's "last packet out" too
        self.exported.emit(result)

    def _export_cancelled(self) -> None:
        self.message.emit(_("Export cancelled"))
        self._changed(ChangeSet(packets=True))  # parts written before the cancel are in the log

    # -- import ---------------------------------------------------------------------------------

    def choose_packets(self) -> None:
        packets = _("FieldKit packets (*{extension})").format(extension=EXTENSION)
        mode = QFileDialog.FileMode.ExistingFiles
        _choose(self, self.shortcuts, _("Packets to import"), self.default_folder, mode,
                [packets, _("All files (*)")], self.import_paths)  # fmt: skip

    def choose_folder(self) -> None:
        _choose(self, self.shortcuts, _("Folder of packets to import"), self.default_folder,
                QFileDialog.FileMode.Directory, [], self.import_paths)  # fmt: skip

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def import_paths(self, paths: list[Path]) -> None:
        """Check the packets' senders and signatures, then show what each carries; nothing changes
        before the user agrees, and the import itself is the only pass over the rows."""
        ctx = self._ctx
        Op(self, lambda p: preview_import(ctx, paths, p)).with_progress(_("Checking packets…")).on_success(
            self._show_preview
        ).on_cancel(lambda: self.message.emit(_("Import cancelled"))).run()

    def _show_preview(self, items: list[PreviewItem]) -> None:
        if not items:
            self.last_box = _box(
                self, QMessageBox.Icon.Information, _("Import packets"),
                _("No packet files (*{extension}) were found there.").format(extension=EXTENSION),
            )  # fmt: skip
            return
        dialog = ImportPreviewDialog(items, self)
        dialog.import_requested.connect(lambda: self.run_import([i.path for i in items if i.importable]))
        dialog.destroyed.connect(lambda *_args: setattr(self, "preview_dialog", None))
        self.preview_dialog = dialog
        dialog.open()
        self.preview_ready.emit(items)

    def run_import(self, paths: list[Path], *, force: bool = False) -> None:
        """Import the files; with ``force`` even those that delete a large share of an office's records."""
        ctx = self._ctx
        limit = None if force else DEFAULT_MAX_DELETE_SHARE

        def fn(progress: Progress) -> list[ImportSummary]:
            return import_files(ctx, paths, max_delete_share=limit, progress=progress) if paths else []

        Op(self, fn).with_progress(_("Importing packets…")).on_success(
            lambda results: self._imported(results, paths)
        ).on_cancel(self._import_cancelled).on_failure(self._import_failed).run()

    def set_workspace(self, workspace: Workspace) -> None:
        self._vocab, self._office = workspace.vocab, workspace.office

    def apply_changes(self, changes: ChangeSet) -> None:
        """Partners, their packets and the log; the office types' labels."""
        if changes.packets or changes.offices or changes.vocab:
            self.refresh()

    def _imported(self, results: list[ImportSummary], paths: list[Path]) -> None:
        lines = [
            _("{file}: refused: {reason}").format(file=r.file, reason=r.reason)
            if r.status == "refused"
            else _("{file}: nothing to do: {reason}").format(file=r.file, reason=r.reason)
            if r.status == "already-imported"
            else _("{file}: {counts}").format(file=r.file, counts=counts_text(r))
            for r in results
        ]
        text = import_outcome_text(results)
        refused = any(r.status == "refused" for r in results)
        icon = QMessageBox.Icon.Warning if refused else QMessageBox.Icon.Information
        self.last_box = _box(self, icon, _("Import finished"), text, "\n".join(lines))
        self.message.emit(text)
        self._changed(combined(r.changes for r in results))
        self.imported.emit(results)
        heavy = [r for r in results if r.refusal == "mass-deletion"]
        if heavy:
            self._ask_to_force(heavy, paths)

    def _ask_to_force(self, refused: list[ImportSummary], paths: list[Path]) -> None:
        """Packets refused only for deleting much: the user may import them anyway, knowing why."""
        by_name = {path.name: path for path in paths}
        reasons = "\n\n".join(_("{file}: {reason}").format(file=r.file, reason=r.reason) for r in refused)
        text = _(
            "These packets delete a large share of an office's records. Import them only if the sender "
            "confirmed that the deletions are intended."
        )
        again = [by_name[r.file] for r in refused if r.file in by_name]
        self.last_box = _ask(self, _("Import anyway?"), text, reasons, _("Import anyway"),
                             lambda: self.run_import(again, force=True))  # fmt: skip

    def _import_cancelled(self) -> None:
        self.message.emit(_("Import cancelled; packets imported before the cancel stay imported"))
        self._changed(interrupted_import_changes())

    def _import_failed(self, exc: BaseException) -> None:
        show_failure(self, exc)
        self._changed(interrupted_import_changes())

    def _changed(self, changes: ChangeSet) -> None:
        self.refresh()
        self.data_changed.emit(changes)

    # -- office cards and keys ------------------------------------------------------------------

    def choose_card_file(self) -> None:
        start = self.default_folder / f"{self._office.code if self._office else 'office'}.card.json"
        _choose(self, self.shortcuts, _("Save this office's card"), start, QFileDialog.FileMode.AnyFile,
                [_("Office cards (*.json)")], lambda paths: self.save_card(paths[0]), save=True)  # fmt: skip

    def save_card(self, path: Path) -> None:
        ctx = self._ctx
        Op(self, lambda _p: write_card(ctx, path)).on_success(lambda card: self._card_saved(card, path)).run()

    def _card_saved(self, card: OfficeCard, path: Path) -> None:
        OwnCardDialog(card, path, self._vocab.label("office_type", card.office_type), self).open()

    def choose_partner_card(self) -> None:
        filters = [_("Office cards (*.json)"), _("All files (*)")]
        title, mode = _("Open a partner office's card"), QFileDialog.FileMode.ExistingFile
        _choose(
            self,
            self.shortcuts,
            title,
            self.default_folder,
            mode,
            filters,
            lambda paths: self.open_card(paths[0]),
        )

    def open_card(self, path: Path) -> None:
        ctx = self._ctx
        Op(self, lambda _p: read_card(ctx, path)).on_success(self.ask_trust).run()

    def ask_trust(self, card: OfficeCard) -> None:
        known = {p.code: p.fingerprint for p in self.partner_model.rows()}.get(card.code)
        dialog = TrustCardDialog(card, self._vocab.label("office_type", card.office_type), known, self)
        dialog.accepted.connect(lambda: self.trust(card))
        self.trust_dialog = dialog
        dialog.open()

    def trust(self, card: OfficeCard) -> None:
        ctx = self._ctx
        Op(self, lambda _p: trust_card(ctx, card)).on_success(
            lambda result: self._trusted(card, result)
        ).run()

    def _trusted(self, card: OfficeCard, result: Changed[OfficeInfo]) -> None:
        self.message.emit(_("Office {code} is now a trusted partner").format(code=card.code))
        self._changed(result.changes)

    def back_up_keys(self) -> None:
        dialog = KeyBackupDialog(self.default_folder, self)
        self.key_dialog = dialog
        dialog.accepted.connect(lambda: self._back_up_keys_as(dialog))
        dialog.open()

    def restore_keys(self) -> None:
        dialog = RestoreKeysDialog(self._ctx, self)
        self.restore_dialog = dialog
        dialog.open()

    def _back_up_keys_as(self, dialog: KeyBackupDialog) -> None:
        choice = dialog.choice
        if choice is None:
            return
        if choice.passphrase is not None:
            self.back_up_keys_to(choice.folder, choice.passphrase)
        else:
            self.split_keys_to(choice.folder, choice.threshold, choice.count)

    def back_up_keys_to(self, folder: Path, passphrase: str) -> None:
        ctx = self._ctx
        Op(self, lambda _p: backup_keys(ctx, folder, passphrase)).on_success(self._keys_written).run()

    def split_keys_to(self, folder: Path, threshold: int, count: int) -> None:
        ctx = self._ctx
        Op(self, lambda _p: split_keys(ctx, folder, threshold, count)).on_success(self._keys_written).run()

    def _keys_written(self, result: KeyBackup) -> None:
        text = _("The office keys were written, encrypted, to these files. Keep them locked away.")
        self.last_box = _box(
            self, QMessageBox.Icon.Information, _("Keys saved"), text, files=list(result.files)
        )
