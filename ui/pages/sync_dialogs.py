"""Dialogs of the Sync page: export options, the import preview, and office cards with fingerprints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldkit.context import Context
from fieldkit.formatting import format_number, format_value
from fieldkit.i18n import _, ngettext, pgettext
from fieldkit.progress import Progress
from fieldkit.services.cards import OfficeCard
from fieldkit.sync.importer import ImportSummary, packet_files
from fieldkit.sync.preview import preview_files
from fieldkit.sync.wording import change_counts_text
from ui.bidi import beside_label
from ui.pages.conflicts_page import record_type_label
from ui.table_model import Column, RowTableModel
from ui.widgets import error_label, fit_columns, heading, note, row_table

_TRAILING = Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter
_OK, _REFUSED, _INFO = QColor("#2e7d32"), QColor("#b00020"), QColor("#1565c0")


@dataclass(frozen=True)
class ExportOptions:
    full: bool = False
    attachments: bool = True
    part_mb: int | None = None  # None: one file
    share_identities: bool = False


@dataclass(frozen=True)
class PreviewItem:
    """One packet file as its signed manifest describes it; nothing read beyond that."""

    index: int
    path: Path
    summary: ImportSummary

    @property
    def importable(self) -> bool:
        return self.summary.status not in ("refused", "already-imported")


def preview_import(ctx: Context, paths: list[Path], progress: Progress) -> list[PreviewItem]:
    """Check every packet's sender, signature and address, and read its counts (store work: call
    from an Op). The rows themselves are checked once, by the import."""
    files = packet_files(paths)
    summaries = preview_files(ctx, files, progress=progress)
    return [
        PreviewItem(index, path, summary)
        for index, (path, summary) in enumerate(zip(files, summaries, strict=True))
    ]


def counts_text(s: ImportSummary) -> str:
    return change_counts_text(s)


def _buttons(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox(dialog)
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(QDialogButtonBox.StandardButton.Cancel)
    ok.setDefault(True)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box, ok


class ExportDialog(QDialog):
    """Which partner, where, and how; the page runs the export once this is accepted."""

    def __init__(
        self,
        partners: list[tuple[str, str]],
        folder: Path,
        parent: QWidget | None = None,
        *,
        shortcuts: list[Path] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Export a packet"))
        self.shortcuts = shortcuts or []
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.partner = QComboBox(self)
        for code, name in partners:
            self.partner.addItem(_("{code} · {name}").format(code=code, name=name), code)
        self.folder = QLineEdit(str(folder), self)
        self.folder.setMinimumWidth(320)
        choose = QPushButton(_("C&hoose…"), self)
        choose.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)

        self.full = QCheckBox(_("Send e&verything again, not only what the partner has not received"), self)
        self.no_attachments = QCheckBox(_("Leave out &attachments (photos and documents)"), self)
        self.split = QCheckBox(_("&Split into parts of at most"), self)
        self.part_mb = QSpinBox(self)
        self.part_mb.setRange(1, 4096)
        self.part_mb.setValue(10)
        self.part_mb.setSuffix(_(" MB"))
        self.part_mb.setEnabled(False)
        self.split.toggled.connect(self.part_mb.setEnabled)
        split_row = QHBoxLayout()
        split_row.addWidget(self.split)
        split_row.addWidget(self.part_mb)
        split_row.addStretch(1)
        self.share = QCheckBox(_("Share &identifying details of people (names, contacts)"), self)
        self.share_warning = error_label(self)
        self.share_warning.setText(
            _(
                "The packet will hold names and contact details of victims and witnesses. Share them only "
                "if the partner needs them, and carry the packet safely."
            )
        )
        self.share.toggled.connect(self.share_warning.setVisible)

        form = QFormLayout()
        form.addRow(_("&Partner office:"), self.partner)
        folder_label = QLabel(_("&Folder:"), self)
        folder_label.setBuddy(self.folder)  # a row holding a layout gets no buddy by itself
        form.addRow(folder_label, folder_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for widget in (self.full, self.no_attachments):
            layout.addWidget(widget)
        layout.addLayout(split_row)
        layout.addWidget(self.share)
        layout.addWidget(self.share_warning)
        buttons, self.export_button = _buttons(self, _("&Export"))
        layout.addWidget(buttons)
        self.file_dialog: QFileDialog | None = None

    def _choose_folder(self) -> None:
        dialog = QFileDialog(self, _("Folder for the packet"), self.folder.text())
        dialog.setSidebarUrls([QUrl.fromLocalFile(str(p)) for p in self.shortcuts])
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.folder.setText)
        self.file_dialog = dialog
        dialog.open()

    def chosen_partner(self) -> str:
        return str(self.partner.currentData() or "")

    def chosen_folder(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()

    def options(self) -> ExportOptions:
        return ExportOptions(
            full=self.full.isChecked(),
            attachments=not self.no_attachments.isChecked(),
            part_mb=self.part_mb.value() if self.split.isChecked() else None,
            share_identities=self.share.isChecked(),
        )


class ImportPreviewDialog(QDialog):
    """What each packet carries; nothing has changed yet. ``import_requested`` when the user agrees."""

    import_requested = Signal()

    def __init__(self, items: list[PreviewItem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Import packets: preview"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(940, 460)
        self.items = items

        columns: list[Column[PreviewItem]] = [
            Column(_("File"), lambda r: r.path.name, tooltip=lambda r: str(r.path)),
            Column(_("From"), lambda r: r.summary.sender),
            Column(_("Result"), _result, tooltip=lambda r: r.summary.reason or None, decoration=_colour),
            # a refused packet has no counts: empty cells, not zeros
            Column(_("Changes"), lambda r: r.summary.new if r.importable else None, alignment=_TRAILING),
            Column(
                _("Attachments"),
                lambda r: r.summary.attachments if r.importable else None,
                alignment=_TRAILING,
            ),
        ]
        self.model: RowTableModel[PreviewItem] = RowTableModel(
            columns, key=lambda r: r.index, display=format_value, parent=self
        )
        self.model.set_rows(items)
        self.table = row_table(self, _("Packets to import"), self.model, stretch=0)
        fit_columns(self.table, {1: 5, 2: 12, 3: 6, 4: 6})
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(_("Details of the chosen packet"))
        self.details.setMaximumHeight(140)

        ready = [i for i in items if i.importable]
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton(_("&Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(bool(ready))
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setDefault(not ready)
        self.import_button.setDefault(bool(ready))
        self.import_button.clicked.connect(self._chosen)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Nothing has been imported yet"), self, scale=1.2))
        layout.addWidget(note(_summary_line(items), self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.buttons)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._show(current.row())
        )
        first = next((i.index for i in items if not i.importable), items[0].index if items else None)
        if first is not None:
            self.table.setCurrentIndex(self.model.index_of(first))
        self.table.setFocus()

    def _show(self, row: int) -> None:
        item = self.model.row_at(self.model.index(row, 0))
        self.details.setPlainText("" if item is None else details_text(item))

    def _chosen(self) -> None:
        self.import_requested.emit()
        self.accept()


def _attachments(item: PreviewItem) -> int | None:
    return item.summary.attachments if item.importable else None


def _result(item: PreviewItem) -> str:
    if item.importable:
        return _("Ready to import")
    if item.summary.status == "already-imported":
        return _("Already imported")
    return _("Refused")


def _colour(item: PreviewItem) -> QColor:
    if item.summary.status == "already-imported":
        return _INFO  # nothing to do is not a failure
    return _OK if item.importable else _REFUSED


def _summary_line(items: list[PreviewItem]) -> str:
    ready = sum(1 for i in items if i.importable)
    before = sum(1 for i in items if i.summary.status == "already-imported")
    total = len(items)
    if ready == 0 and before == total:
        return ngettext(
            "This packet was imported before: there is nothing to do.",
            "These {count} packets were imported before: there is nothing to do.",
            total,
        ).format(count=format_number(total))
    if ready == 0:
        return ngettext(
            "This packet cannot be imported; the details say why.",
            "None of these {count} packets can be imported; the details say why.",
            total,
        ).format(count=format_number(total))
    line = ngettext(
        "{ready} of {total} packet file can be imported.",
        "{ready} of {total} packet files can be imported.",
        total,
    ).format(ready=format_number(ready), total=format_number(total))
    return _("{figures} Choose “Import” to apply them.").format(figures=line)


def details_text(item: PreviewItem) -> str:
    s, lines = item.summary, [str(item.path)]
    if s.status == "already-imported":
        lines.append(s.reason)  # an explanation, not a reason for refusing
    elif s.reason:
        lines.append(_("Reason: {reason}").format(reason=s.reason))
    if item.importable:
        lines.append(ngettext("{count} change", "{count} changes", s.new).format(count=format_number(s.new)))
        kinds = ", ".join(
            _("{type}: {count}").format(type=record_type_label(kind), count=format_number(n))
            for kind, n in s.by_type.items()
        )
        if kinds:  # the manifest counts changes per record type; several may touch one record
            lines.append(_("Changes by record type: {counts}").format(counts=kinds))
    return "\n".join(lines)


class FingerprintView(QWidget):
    """The fingerprint in numbered groups, large, for two people to read to each other."""

    def __init__(self, fingerprint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Groups are Latin letters read left to right in every interface language.
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        big = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        big.setPointSizeF(max(big.pointSizeF(), 10.0) * 2.2)
        big.setBold(True)
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(18)
        self.groups = [g for g in fingerprint.split("-") if g]
        for column, group in enumerate(self.groups):
            number = QLabel(format_number(column + 1), self)
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label = QLabel(group, self)
            label.setFont(big)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(number, 0, column)
            grid.addWidget(label, 1, column)
        grid.setColumnStretch(len(self.groups), 1)
        self.setAccessibleName(_("Fingerprint"))
        self.setAccessibleDescription(" ".join(self.groups))


def _card_form(card: OfficeCard, type_label: str, parent: QWidget) -> QFormLayout:
    form = QFormLayout()
    for caption, value in (
        (_("Code"), card.code),
        (_("Name"), card.name),
        (_("Type"), type_label),
        (_("Parent office"), card.parent_code or pgettext("no parent office", "None")),
    ):
        label = QLabel(value, parent)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAlignment(beside_label())
        form.addRow(caption, label)
    return form


class OwnCardDialog(QDialog):
    """After saving this office's card: where it went, and the fingerprint to read out."""

    def __init__(self, card: OfficeCard, path: Path, type_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("This office's card"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.addWidget(note(_("The card was saved to {path}").format(path=path), self))
        layout.addLayout(_card_form(card, type_label, self))
        layout.addWidget(heading(_("Fingerprint"), self, scale=1.2))
        self.fingerprint = FingerprintView(card.fingerprint, self)
        layout.addWidget(self.fingerprint)
        layout.addWidget(
            note(
                _(
                    "Give the card file to the partner office, then call them and read these groups aloud. "
                    "They must see exactly the same groups before they trust the card."
                ),
                self,
            )
        )
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.reject)
        layout.addWidget(box)


class TrustCardDialog(QDialog):
    """A partner's card: trusted only once the user confirms the fingerprint they were read."""

    def __init__(
        self, card: OfficeCard, type_label: str, known_fingerprint: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.card = card
        self.setWindowTitle(_("Add partner office"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.addLayout(_card_form(card, type_label, self))
        layout.addWidget(heading(_("Fingerprint"), self, scale=1.2))
        self.fingerprint = FingerprintView(card.fingerprint, self)
        layout.addWidget(self.fingerprint)
        layout.addWidget(
            note(
                _(
                    "Call the partner office on a number you already know, and ask them to read their "
                    "fingerprint from their Sync page. Trust the card only if every group matches."
                ),
                self,
            )
        )
        self.rekey_warning = error_label(self)
        if known_fingerprint is not None and known_fingerprint != card.fingerprint:
            self.rekey_warning.setText(
                _(
                    "This office already trusts {code} with other keys. Continue only if the partner told "
                    "you they changed their keys: someone may be trying to pass as them."
                ).format(code=card.code)
            )
            self.rekey_warning.show()
        layout.addWidget(self.rekey_warning)
        self.confirm = QCheckBox(_("The partner read me the &same fingerprint"), self)
        layout.addWidget(self.confirm)
        buttons, self.trust_button = _buttons(self, _("&Trust this office"))
        self.trust_button.setEnabled(False)
        self.confirm.toggled.connect(self.trust_button.setEnabled)
        layout.addWidget(buttons)
