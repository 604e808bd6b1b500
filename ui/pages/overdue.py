"""Open follow-ups past their due date, the longest overdue first; double-click opens the visit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QWidget,
)

from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies
from fieldkit.formatting import format_day, format_number, format_value
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.monitoring_types import FollowUpRow
from fieldkit.services.visit_list import overdue_followups
from ui.ops import Op
from ui.table_model import Column, RowTableModel
from ui.widgets import EmptyState, fit_columns, note, page_frame, row_table

_TRAILING = Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter


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

        top = QHBoxLayout()
        top.addWidget(
            note(
                _("Open follow-up actions whose due date has passed. Double-click one to open its visit."),
                self,
            ),
            1,
        )
        top.addWidget(self.count_label)
        layout = page_frame(self, None)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.empty = EmptyState(
            _("No overdue follow-ups"), _("Every open follow-up action is still within its due date."), self
        )
        self.empty.hide()  # until the first load says so
        layout.addWidget(self.empty, 1)

    def refresh(self) -> None:
        self._generation += 1
        generation, ctx = self._generation, self._ctx

        def fn(progress: Progress) -> list[FollowUpRow]:
            return overdue_followups(ctx)

        Op(self, fn).on_success(lambda rows: self._show(generation, rows)).run()

    def _show(self, generation: int, rows: list[FollowUpRow]) -> None:
        if generation != self._generation:
            return
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        self.count_label.setText(
            ngettext("{count} overdue follow-up", "{count} overdue follow-ups", len(rows)).format(
                count=format_number(len(rows))
            )
        )
        self.loaded.emit()

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index)
        if row is not None:
            self.open_visit.emit(row.visit_id)
