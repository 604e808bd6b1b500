"""Duplicates: the same person or organisation entered at two offices, often in two scripts.

The matching is done by the core (``find_duplicates``); this page lists likely pairs and merges the
one the user picks. A merge is an ordinary change, so partner offices learn of it with the next packets.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.changeset import ChangeSet
from fieldkit.context import Context
from fieldkit.formatting import format_number, format_value
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.people import Candidate, DuplicatePair, find_duplicates, merge
from fieldkit.store.registry import mergeable_types, type_label
from ui.ops import Op, show_failure
from ui.table_model import Column, RowTableModel
from ui.widgets import EmptyState, fit_columns, note, page_frame, row_table
from ui.workspace import Workspace

_TRAILING = Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter


def _pair_key(pair: DuplicatePair) -> tuple[str, str]:
    return (pair.first.id, pair.second.id)


def describe(candidate: Candidate) -> str:
    """A line that tells two records apart: name, office, and birth year when known."""
    if candidate.birth_year:
        return _("{name} (entered by {office}, born {year})").format(
            name=candidate.name, office=candidate.origin_office, year=candidate.birth_year
        )
    return _("{name} (entered by {office})").format(name=candidate.name, office=candidate.origin_office)


class MergeDialog(QDialog):
    """Which of the two records stays; the other is merged into it."""

    def __init__(self, pair: DuplicatePair, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pair = pair
        self.setWindowTitle(_("Merge duplicates"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Which record should stay?"), self))
        self.group = QButtonGroup(self)
        self.keep_first = QRadioButton(describe(pair.first), self)
        self.keep_second = QRadioButton(describe(pair.second), self)
        for button in (self.keep_first, self.keep_second):
            self.group.addButton(button)
            layout.addWidget(button)
        self.keep_first.setChecked(True)
        layout.addWidget(
            note(
                _(
                    "Everything that points at the other record (attendance, members) moves to the one "
                    "that stays; the other is then deleted. Partner offices learn of it with the next "
                    "packets."
                ),
                self,
            )
        )
        box = QDialogButtonBox(self)
        self.merge_button = box.addButton(_("&Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

    def keep_and_merge(self) -> tuple[str, str]:
        """(id kept, id merged away)."""
        first, second = self.pair.first.id, self.pair.second.id
        return (first, second) if self.keep_first.isChecked() else (second, first)


class DuplicatesPage(QWidget):
    data_changed = Signal(object)  # ChangeSet: two records were merged
    loaded = Signal()  # a search finished and the table shows its pairs
    message = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx: Context = workspace.ctx
        self._generation = 0
        self.merge_dialog: MergeDialog | None = None

        # one entry per type whose declaration says its duplicates may be merged
        self.kind = QComboBox(self)
        for record_type in mergeable_types():
            self.kind.addItem(type_label(record_type), record_type)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        kind_label = QLabel(_("Record &type:"), self)
        kind_label.setBuddy(self.kind)
        self.find_button = QPushButton(_("Find likely &duplicates"), self)
        self.find_button.clicked.connect(self.find_pairs)
        self.merge_button = QPushButton(_("&Merge…"), self)
        self.merge_button.clicked.connect(self.merge_current)
        self.count_label = QLabel(self)
        top = QHBoxLayout()
        for widget in (kind_label, self.kind, self.find_button, self.merge_button):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.count_label)

        self.model: RowTableModel[DuplicatePair] = RowTableModel(
            [
                Column(_("Record A"), lambda p: p.first.name, tooltip=lambda p: describe(p.first)),
                Column(_("Office A"), lambda p: p.first.origin_office),
                Column(_("Record B"), lambda p: p.second.name, tooltip=lambda p: describe(p.second)),
                Column(_("Office B"), lambda p: p.second.origin_office),
                Column(_("Score"), lambda p: round(p.score), alignment=_TRAILING),
                Column(_("Why"), lambda p: "; ".join(p.reasons), tooltip=lambda p: "\n".join(p.reasons)),
            ],
            key=_pair_key,
            display=format_value,
            parent=self,
        )
        self.table = row_table(self, _("Likely duplicates"), self.model, stretch=5, sortable=True)
        fit_columns(self.table, {0: 14, 1: 6, 2: 14, 3: 6, 4: 4})
        self.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # best first, as the core returns them
        self.table.activated.connect(lambda _index: self.merge_current())
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_actions())

        layout = page_frame(self, None)  # a tab of the Sync page, which carries the heading
        layout.addWidget(
            note(
                _(
                    "The same person is often entered at two offices, in different scripts or spellings. "
                    "Check each pair before merging it: a merge cannot be undone from here."
                ),
                self,
            )
        )
        layout.addLayout(top)
        self.empty = EmptyState(
            _("No search yet"), _("Choose a record type, then “Find likely duplicates”."), self
        )
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.table, 1)
        self.table.hide()
        self._update_actions()

    def record_type(self) -> str:
        return str(self.kind.currentData())

    def set_record_type(self, record_type: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(record_type))

    def _kind_changed(self, _index: int) -> None:
        self._generation += 1  # a search still running for the other kind is no longer wanted
        self.model.set_rows([])
        self.count_label.clear()
        self._show_empty(_("No search yet"), _("Choose a record type, then “Find likely duplicates”."))
        self._update_actions()

    def _show_empty(self, title: str | None, sentence: str = "") -> None:
        """The empty state in place of the table, or the table again when ``title`` is None."""
        if title is not None:
            self.empty.set_text(title, sentence)
        self.empty.setVisible(title is not None)
        self.table.setVisible(title is None)

    def _update_actions(self) -> None:
        self.merge_button.setEnabled(self.current_pair() is not None)

    def current_pair(self) -> DuplicatePair | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0]) if rows else None

    # -- finding --------------------------------------------------------------------------------

    def find_pairs(self) -> None:
        self._generation += 1
        generation, ctx, kind = self._generation, self._ctx, self.record_type()

        def fn(progress: Progress) -> list[DuplicatePair]:
            progress.set_total(0, _("Comparing names…"))  # no steps to count: a busy bar
            return find_duplicates(ctx, kind)

        self.find_button.setEnabled(False)
        Op(self, fn).with_progress(_("Looking for duplicates…")).on_success(
            lambda pairs: self._found(generation, pairs)
        ).on_failure(self._find_failed).on_cancel(lambda: self.find_button.setEnabled(True)).run()

    def _find_failed(self, exc: BaseException) -> None:
        self.find_button.setEnabled(True)
        show_failure(self, exc)

    def _found(self, generation: int, pairs: list[DuplicatePair]) -> None:
        self.find_button.setEnabled(True)
        if generation != self._generation:
            return
        self.model.set_rows(pairs)
        self.count_label.setText(
            ngettext("{count} likely pair", "{count} likely pairs", len(pairs)).format(
                count=format_number(len(pairs))
            )
        )
        if pairs:
            self._show_empty(None)
            self.table.setCurrentIndex(self.model.index(0, 0))  # selectRow() misses in right-to-left
        else:
            self._show_empty(
                _("No likely duplicates"),
                _("No two records of this type look alike. Look again after the next packets arrive."),
            )
        self._update_actions()
        self.loaded.emit()

    # -- merging --------------------------------------------------------------------------------

    def merge_current(self) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        dialog = MergeDialog(pair, self)
        dialog.accepted.connect(lambda: self.merge_pair(pair.first.record_type, *dialog.keep_and_merge()))
        dialog.destroyed.connect(lambda *_args: setattr(self, "merge_dialog", None))
        self.merge_dialog = dialog
        dialog.open()

    def merge_pair(self, record_type: str, keep_id: str, merge_id: str) -> None:
        ctx = self._ctx
        Op(self, lambda _p: merge(ctx, record_type, keep_id, merge_id)).with_progress(
            _("Merging…"), cancellable=False
        ).on_success(self._merged).run()

    def apply_changes(self, changes: ChangeSet) -> None:
        """Pairs on show may have been merged or edited elsewhere, e.g. by an import."""
        if changes.touches(*mergeable_types()) and self.model.rowCount():
            self.find_pairs()

    def _merged(self, changes: ChangeSet) -> None:
        self.message.emit(_("The records were merged"))
        self.data_changed.emit(changes)
        self.find_pairs()  # pairs that held the merged record are gone; others may have changed
