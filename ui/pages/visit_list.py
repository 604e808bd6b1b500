"""The monitoring list: its columns, sorted by the store, loaded a page at a time as the view
needs them (``ui.paged_list``); the scroll bar covers the whole result.

The model only receives rows. Every query carries a generation number; a result that comes
back after a newer query started is dropped, so a slow search never overwrites a fast one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies
from fieldkit.formatting import format_day, format_value, format_visit_date
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.services.monitoring_types import AreaRow, VisitFilter, VisitPage, VisitRow
from fieldkit.services.visit_list import list_visits
from ui.column_fit import FillColumn
from ui.paged_list import PagedLoader
from ui.paged_model import PagedRowModel
from ui.table_model import Column
from ui.widgets import fit_columns

PAGE_SIZE = 200
CACHED_PAGES = 20  # 4,000 rows at most, whatever the size of the result
TITLE_FLOOR_EMS = 16  # the title is what tells visits apart: never narrower than this

(COL_DATE, COL_TITLE, COL_TYPE, COL_LOCATION, COL_CONFIDENTIALITY,
 COL_INCIDENTS, COL_FOLLOWUPS, COL_OFFICE) = range(8)  # fmt: skip
#: what the store sorts by for each column (``fieldkit.services.visit_list.VISIT_SORTS``)
SORT_KEYS = {
    COL_DATE: "date_start",
    COL_TITLE: "title",
    COL_TYPE: "visit_type",
    COL_LOCATION: "location",
    COL_CONFIDENTIALITY: "confidentiality",
    COL_INCIDENTS: "incidents",
    COL_FOLLOWUPS: "open_followups",
    COL_OFFICE: "origin_office",
}
_TRAILING = Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter


_WORD = re.compile(r"\w+")


def _area_path(row: VisitRow, areas: Mapping[str, AreaRow]) -> str:
    area = areas.get(row.admin_area_id or "")
    return area.path if area is not None else row.area_name


def place_text(row: VisitRow, areas: Mapping[str, AreaRow]) -> str:
    """Where a visit took place as the list shows it: the area it is filed under with the one
    above it ("Kibera, Nairobi"), then the free-text location when it says more than that."""
    area = areas.get(row.admin_area_id or "")
    place = row.area_name
    if area is not None:
        parent = areas.get(area.parent_id or "")
        place = _("{area}, {parent}").format(area=area.name, parent=parent.name) if parent else area.name
    detail = row.location.strip()
    path_words = {w.casefold() for w in _WORD.findall(_area_path(row, areas))}
    if not detail or {w.casefold() for w in _WORD.findall(detail)} <= path_words:
        return place
    return _("{place} · {detail}").format(place=place, detail=detail) if place else detail


def place_tooltip(row: VisitRow, areas: Mapping[str, AreaRow]) -> str | None:
    """The whole path of the area, and the free-text location on a line of its own."""
    lines = [text for text in (_area_path(row, areas), row.location.strip()) if text]
    return "\n".join(lines) or None


def visit_columns(
    vocab: Callable[[], Vocabularies], areas: Callable[[], Mapping[str, AreaRow]]
) -> list[Column[VisitRow]]:
    """``vocab`` and ``areas`` give those current when a cell is drawn: they may be reloaded."""
    return [
        Column(_("Date"), lambda r: format_visit_date(r.date_start, r.date_end, r.date_precision)),
        Column(_("Title"), lambda r: r.title, tooltip=lambda r: r.title),
        Column(_("Type"), lambda r: vocab().label("visit_type", r.visit_type)),
        Column(_("Location"), lambda r: place_text(r, areas()), tooltip=lambda r: place_tooltip(r, areas())),
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


def due_column_width(view: QTableView) -> int:
    """Room for a due date as this language writes it (Chinese dates are wider than 8 em)."""
    metrics = view.fontMetrics()
    return metrics.horizontalAdvance(format_day(dt.date(2026, 12, 28))) + 2 * metrics.horizontalAdvance("M")


class VisitList(PagedLoader[VisitRow]):
    """Drives ``view`` with a PagedRowModel of VisitRow pages fetched through Op."""

    def __init__(
        self, ctx: Context, vocab: Vocabularies, view: QTableView, *, areas: Sequence[AreaRow] = ()
    ) -> None:
        self._ctx = ctx
        self.vocab = vocab  # replaced when the window reloads its workspace
        self.areas: dict[str, AreaRow] = {a.id: a for a in areas}
        self.filter = VisitFilter()
        self.sort = SORT_KEYS[COL_DATE]
        self.descending = True
        model: PagedRowModel[VisitRow] = PagedRowModel(
            visit_columns(lambda: self.vocab, lambda: self.areas),
            display=format_value,
            page_size=PAGE_SIZE,
            max_pages=CACHED_PAGES,
            placeholder_column=COL_TITLE,
        )
        super().__init__(view, model, self._query_for, key=lambda r: r.id)
        model.setParent(self)

        view.setSortingEnabled(False)  # sorting is the store's job, see _sort_changed
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COL_DATE, Qt.SortOrder.DescendingOrder)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._size_columns()
        self.title_fit = FillColumn(
            view,
            COL_TITLE,
            floor_ems=TITLE_FLOOR_EMS,
            shrinkable=(COL_TYPE, COL_LOCATION, COL_CONFIDENTIALITY),
            last_resort=(COL_INCIDENTS, COL_FOLLOWUPS),  # their headers are far wider than their figures
        )
        header.sortIndicatorChanged.connect(self._sort_changed)

    def _size_columns(self) -> None:
        """Wide enough for the header and typical values in this language (dates differ most)."""
        date_width = date_column_width(self._view)
        fit_columns(
            self._view,
            {COL_DATE: 9, COL_TYPE: 15, COL_LOCATION: 12, COL_CONFIDENTIALITY: 11.5, COL_INCIDENTS: 4,
             COL_FOLLOWUPS: 4, COL_OFFICE: 5},
            extra={COL_DATE: date_width},
        )  # fmt: skip

    def set_areas(self, areas: Sequence[AreaRow]) -> None:
        self.areas = {a.id: a for a in areas}

    # -- queries --------------------------------------------------------------------------------

    def set_filter(self, flt: VisitFilter) -> None:
        self.filter = flt
        self.reload()

    def _query_for(self, offset: int, limit: int, total: int | None) -> Callable[[Progress], VisitPage]:
        ctx, flt, sort, descending = self._ctx, self.filter, self.sort, self.descending
        return lambda progress: list_visits(
            ctx,
            flt,
            sort=sort,
            descending=descending,
            offset=offset,
            limit=limit,
            total=total,
            progress=progress,
        )

    def _sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        key = SORT_KEYS.get(section)
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort, self.descending):
            self.sort, self.descending = key, descending
            self.reload()

    # -- changes made elsewhere -----------------------------------------------------------------

    def visit_removed(self, visit_id: str) -> None:
        """Deleted, or restored while the list shows deleted visits: it no longer belongs here."""
        self.row_removed(visit_id)
