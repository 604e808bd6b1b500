"""The monitoring list's model/view wiring: server-side sort, paging on scroll, stale-result guard.

The model only receives rows. Every query carries a generation number; a result that comes
back after a newer query started is dropped, so a slow search never overwrites a fast one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies
from fieldkit.formatting import format_value, format_visit_date
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.services.monitoring_types import VisitFilter, VisitPage, VisitRow
from fieldkit.services.visit_list import list_visits
from ui.ops import Op, OpHandle, show_failure
from ui.table_model import Column, RowTableModel
from ui.widgets import fit_columns

PAGE_SIZE = 200
PREFETCH_ROWS = 60  # ask for the next page while this many loaded rows are still below the viewport

(COL_DATE, COL_TITLE, COL_TYPE, COL_LOCATION, COL_CONFIDENTIALITY,
 COL_INCIDENTS, COL_FOLLOWUPS, COL_OFFICE) = range(8)  # fmt: skip
#: columns the store can sort by; the counts are computed per row and cannot be
SORT_KEYS = {
    COL_DATE: "date_start",
    COL_TITLE: "title",
    COL_TYPE: "visit_type",
    COL_LOCATION: "location",
    COL_CONFIDENTIALITY: "confidentiality",
    COL_OFFICE: "origin_office",
}
_TRAILING = Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter


def visit_columns(vocab: Callable[[], Vocabularies]) -> list[Column[VisitRow]]:
    """``vocab`` gives the vocabularies current when a cell is drawn: they may be reloaded."""
    return [
        Column(_("Date"), lambda r: format_visit_date(r.date_start, r.date_end, r.date_precision)),
        Column(_("Title"), lambda r: r.title, tooltip=lambda r: r.title),
        Column(_("Type"), lambda r: vocab().label("visit_type", r.visit_type)),
        Column(_("Location"), lambda r: r.location, tooltip=lambda r: r.location or None),
        Column(_("Confidentiality"), lambda r: vocab().label("sensitivity_level", r.confidentiality)),
        Column(_("Incidents"), lambda r: r.incident_count, alignment=_TRAILING),
        Column(_("Open follow-ups"), lambda r: r.open_followups, alignment=_TRAILING),
        Column(_("Office"), lambda r: r.origin_office),
    ]


def date_column_width(view: QTableView) -> int:
    """Room for a date range as this language writes it, the widest date a visit shows."""
    metrics = view.fontMetrics()
    # two-digit months, across a month boundary: the longest form a range takes
    sample = format_visit_date(dt.date(2026, 11, 28), dt.date(2026, 12, 22), "range")
    return metrics.horizontalAdvance(sample) + metrics.horizontalAdvance("M")


class VisitList(QObject):
    """Drives ``view`` with a RowTableModel of VisitRow pages fetched through Op."""

    loaded = Signal()  # the first page of a new query is in
    page_loaded = Signal()  # any page is in
    total_changed = Signal(int)

    def __init__(self, ctx: Context, vocab: Vocabularies, view: QTableView) -> None:
        super().__init__(view)
        self._ctx = ctx
        self._view = view
        self.vocab = vocab  # replaced when the window reloads its workspace
        self.model: RowTableModel[VisitRow] = RowTableModel(
            visit_columns(lambda: self.vocab), display=format_value, parent=self
        )
        self.filter = VisitFilter()
        self.sort = SORT_KEYS[COL_DATE]
        self.descending = True
        self.total = 0
        self._generation = 0
        self._first_pending = False
        self._more_pending = False
        self._handle: OpHandle[VisitPage] | None = None

        view.setModel(self.model)
        view.setSortingEnabled(False)  # sorting is the store's job, see _sort_changed
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        # The prefetch margin is in pixels.
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COL_DATE, Qt.SortOrder.DescendingOrder)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self._size_columns()
        header.sortIndicatorChanged.connect(self._sort_changed)
        view.verticalScrollBar().valueChanged.connect(lambda _value: self._maybe_fetch_more())
        view.verticalScrollBar().rangeChanged.connect(lambda _lo, _hi: self._maybe_fetch_more())

    def _size_columns(self) -> None:
        """Wide enough for the header and typical values in this language (dates differ most)."""
        date_width = date_column_width(self._view)
        fit_columns(
            self._view,
            {COL_DATE: 9, COL_TYPE: 15, COL_LOCATION: 12, COL_CONFIDENTIALITY: 11.5, COL_INCIDENTS: 4,
             COL_FOLLOWUPS: 4, COL_OFFICE: 5},
            extra={COL_DATE: date_width},
        )  # fmt: skip

    # -- queries --------------------------------------------------------------------------------

    def set_filter(self, flt: VisitFilter) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        """Query page 0 again with the current filter and sort; older answers will be dropped."""
        self._generation += 1
        if self._handle is not None:
            self._handle.cancel()  # a query still queued on the store lane need not run at all
        self._first_pending, self._more_pending = True, False
        self._handle = self._query(offset=0)

    def refresh(self) -> None:
        """Query the rows shown so far again, for changes made elsewhere: the scroll position and
        the selection stay where they were."""
        self._generation += 1
        if self._handle is not None:
            self._handle.cancel()
        self._first_pending, self._more_pending = True, False
        self._handle = self._query(offset=0, limit=max(PAGE_SIZE, self.model.rowCount()), in_place=True)

    def fetch_more(self) -> None:
        if self._first_pending or self._more_pending or not self.has_more():
            return
        self._more_pending = True
        self._handle = self._query(offset=self.model.rowCount())

    def has_more(self) -> bool:
        return self.model.rowCount() < self.total

    @property
    def busy(self) -> bool:
        return self._first_pending or self._more_pending

    def _query(self, offset: int, limit: int | None = None, *, in_place: bool = False) -> OpHandle[VisitPage]:
        generation = self._generation
        ctx, flt, sort, descending = self._ctx, self.filter, self.sort, self.descending
        count = limit or PAGE_SIZE

        def fn(progress: Progress) -> VisitPage:
            progress.check()
            return list_visits(
                ctx, flt, sort=sort, descending=descending, offset=offset, limit=count, progress=progress
            )

        return (
            Op(self, fn)
            .on_success(lambda page: self._arrived(generation, page, in_place=in_place))
            .on_failure(lambda exc: self._failed(generation, exc))
            .on_cancel(lambda: None)
            .run()
        )

    def _arrived(self, generation: int, page: VisitPage, *, in_place: bool = False) -> None:
        if generation != self._generation:
            return
        if page.offset == 0:
            self._first_pending = False
            if in_place:
                self._replace_rows(page.rows)
            else:
                self.model.set_rows(page.rows)
                self._view.scrollToTop()
        else:
            self._more_pending = False
            for row in page.rows:
                # Rows shift between pages when someone saves meanwhile: never show one twice.
                if not self.model.index_of(row.id).isValid():
                    self.model.add_row(row)
        if page.total != self.total or page.offset == 0:
            self.total = page.total
            self.total_changed.emit(page.total)
        if page.offset == 0:
            self.loaded.emit()
        self.page_loaded.emit()
        self.fill_viewport()  # the viewport may not be full yet

    def _replace_rows(self, rows: list[VisitRow]) -> None:
        if [r.id for r in rows] == [r.id for r in self.model.rows()]:
            for row in rows:  # the same visits in the same order: redraw them where they are
                self.model.update_row(row.id, row)
            return
        selected = [r.id for r in self.selected_rows()]
        current = self.current_row()
        bar = self._view.verticalScrollBar()
        position = bar.value()
        self.model.set_rows(rows)
        selection = self._view.selectionModel()
        if current is not None and self.model.index_of(current.id).isValid():
            self._view.setCurrentIndex(self.model.index_of(current.id))
        for visit_id in selected:
            index = self.model.index_of(visit_id)
            if index.isValid():
                selection.select(
                    index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                )
        # the scroll range follows the new rows at the next layout pass
        QTimer.singleShot(0, self, lambda: bar.setValue(position))

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._first_pending = self._more_pending = False
        show_failure(self._view, exc)

    def fill_viewport(self) -> None:
        """Fetch more if the rows do not reach the bottom of the view; for when it is shown."""
        QTimer.singleShot(0, self, self._maybe_fetch_more)

    def _maybe_fetch_more(self) -> None:
        # A hidden view has no scroll range yet: fetching "to fill it" would load every page.
        if self.busy or not self.has_more() or not self._view.isVisible():
            return
        bar = self._view.verticalScrollBar()
        margin = PREFETCH_ROWS * self._view.verticalHeader().defaultSectionSize()
        if bar.maximum() - bar.value() <= margin:
            self.fetch_more()

    def _sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        key = SORT_KEYS.get(section)
        header = self._view.horizontalHeader()
        if key is None:  # a computed column: put the indicator back where the sort really is
            current = next(c for c, k in SORT_KEYS.items() if k == self.sort)
            header.blockSignals(True)
            header.setSortIndicator(
                current, Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder
            )
            header.blockSignals(False)
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort, self.descending):
            self.sort, self.descending = key, descending
            self.reload()

    # -- changes made elsewhere -----------------------------------------------------------------

    def visit_removed(self, visit_id: str) -> None:
        """Deleted, or restored while the list shows deleted visits: it no longer belongs here."""
        if self.model.index_of(visit_id).isValid():
            self.model.remove_row(visit_id)
            self.total = max(self.total - 1, 0)
            self.total_changed.emit(self.total)

    def selected_rows(self) -> list[VisitRow]:
        rows = []
        for index in self._view.selectionModel().selectedRows():
            row = self.model.row_at(index)
            if row is not None:
                rows.append(row)
        return rows

    def current_row(self) -> VisitRow | None:
        return self.model.row_at(self._view.currentIndex())
