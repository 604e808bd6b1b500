"""Open follow-ups past their due date, the longest overdue first; double-click opens the visit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies
from fieldkit.formatting import format_day, format_number, format_value
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.monitoring_types import FollowUpRow, OverduePage
from fieldkit.services.visit_list import overdue_page
from ui.ops import Op
from ui.table_model import Column, RowTableModel
from ui.widgets import fit_columns, note, row_table

_TRAILING = Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter
PAGE_SIZE = 500


def overdue_columns(vocab: Callable[[], Vocabularies]) -> list[Column[FollowUpRow]]:
    return [
        Column(_("Due"), lambda r: format_day(r.due_date), sort_key=lambda r: r.due_date),
        Column(_("Days overdue"), lambda r: r.days_overdue, alignment=_TRAILING),
        Column(_("Action"), lambda r: r.action, tooltip=lambda r: r.action),
        Column(_("Responsible"), lambda r: r.responsible),
        Column(_("Visit"), lambda r: r.visit_title, tooltip=lambda r: r.visit_title),
        Column(_("Status"), lambda r: vocab().label("followup_status", r.status)),
        Column(_("Office"), lambda r: r.origin_office),
    ]


class OverdueView(QWidget):
    open_visit = Signal(str)  # visit id
    loaded = Signal()

    def __init__(self, ctx: Context, vocab: Vocabularies, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._generation = 0
        self._fetching = False
        self.total = 0
        self.vocab = vocab  # replaced when the window reloads its workspace
        self.model: RowTableModel[FollowUpRow] = RowTableModel(
            overdue_columns(lambda: self.vocab), display=format_value, parent=self
        )
        self.count_label = QLabel(self)
        self.table = row_table(self, _("Overdue follow-ups"), self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        fit_columns(self.table, {0: 8, 1: 4, 3: 10, 4: 16, 5: 7, 6: 5})
        self.table.activated.connect(self._activated)
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)

        top = QHBoxLayout()
        top.addWidget(
            note(
                _("Open follow-up actions whose due date has passed. Double-click one to open its visit."),
                self,
            ),
            1,
        )
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        self._generation += 1
        self._fetching = True
        self._query(0, max(PAGE_SIZE, self.model.rowCount()))

    def fetch_more(self) -> None:
        """The next page, when the user scrolls to the end of the rows loaded so far."""
        if not self._fetching and self.model.rowCount() < self.total:
            self._fetching = True
            self._query(self.model.rowCount(), PAGE_SIZE)

    def _scrolled(self, value: int) -> None:
        if value >= self.table.verticalScrollBar().maximum():
            self.fetch_more()

    def _query(self, offset: int, limit: int) -> None:
        generation, ctx = self._generation, self._ctx

        def fn(progress: Progress) -> OverduePage:
            return overdue_page(ctx, offset=offset, limit=limit)

        Op(self, fn).on_success(lambda page: self._show(generation, page)).run()

    def _show(self, generation: int, page: OverduePage) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if page.offset == 0:
            self.model.set_rows(page.rows)
        else:
            for row in page.rows:
                if not self.model.index_of(row.id).isValid():
                    self.model.add_row(row)
        self.total = page.total
        self.count_label.setText(
            ngettext("{count} overdue follow-up", "{count} overdue follow-ups", page.total).format(
                count=format_number(page.total)
            )
        )
        if page.offset == 0:
            self.loaded.emit()

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index)
        if row is not None:
            self.open_visit.emit(row.visit_id)
