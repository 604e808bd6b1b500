"""Open follow-ups past their due date, the longest overdue first; double-click opens the visit.

Paged like the visit list (``ui.paged_list``): the scroll bar and the count cover every
overdue follow-up, and the rows load as the view reaches them."""

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
from fieldkit.services.monitoring_types import FollowUpRow, OverduePage
from fieldkit.services.visit_list import overdue_page
from ui.column_fit import FillColumn
from ui.paged_list import PagedLoader
from ui.paged_model import PagedRowModel
from ui.pages.visit_list import due_column_width
from ui.table_model import Column
from ui.widgets import EmptyState, fit_columns, note, page_frame, row_table

_TRAILING = Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter
PAGE_SIZE = 200
CACHED_PAGES = 20
COL_ACTION = 2


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
        self.vocab = vocab  # replaced when the window reloads its workspace
        self.model: PagedRowModel[FollowUpRow] = PagedRowModel(
            overdue_columns(lambda: self.vocab),
            display=format_value,
            page_size=PAGE_SIZE,
            max_pages=CACHED_PAGES,
            placeholder_column=COL_ACTION,
            parent=self,
        )
        self.count_label = QLabel(self)
        self.table = row_table(self, _("Overdue follow-ups"))
        self.pages = PagedLoader(self.table, self.model, self._query_for, key=lambda r: r.id)
        self.pages.loaded.connect(self.loaded)
        self.pages.total_changed.connect(self._show_total)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        fit_columns(
            self.table,
            {0: 8, 1: 4, 3: 10, 4: 16, 5: 7, 6: 5},
            extra={0: due_column_width(self.table)},
        )
        self.action_fit = FillColumn(self.table, COL_ACTION, floor_ems=14, shrinkable=(3, 4))
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

    @property
    def total(self) -> int:
        return self.pages.total

    def refresh(self) -> None:
        """Count and read the rows around the viewport again; the scroll position stays."""
        self.pages.refresh()

    def _query_for(self, offset: int, limit: int, _total: int | None) -> Callable[[Progress], OverduePage]:
        ctx = self._ctx
        return lambda _progress: overdue_page(ctx, offset=offset, limit=limit)

    def _show_total(self, total: int) -> None:
        self.empty.setVisible(not total)
        self.table.setVisible(bool(total))
        self.count_label.setText(
            ngettext("{count} overdue follow-up", "{count} overdue follow-ups", total).format(
                count=format_number(total)
            )
        )

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index)
        if row is not None:
            self.open_visit.emit(row.visit_id)
