"""A store-free table model over a result too large to hold: it reports the whole result's row
count, keeps a bounded cache of the pages handed to it, and says which pages a view needs.

    model = PagedRowModel(columns, page_size=200, max_pages=20)
    model.pages_wanted.connect(controller.fetch_pages)   # the controller loads them through ui.ops
    model.reset(page.total, page.rows)                    # page 0 of a new query
    model.put_rows(offset, rows, total)                   # any rows that came back later

Rows not held yet show a light "Loading…" placeholder. The scroll bar covers the whole result,
so the end of 100,000 rows is one Ctrl+End away; memory stays at ``max_pages`` pages.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from operator import attrgetter
from typing import Any, Generic

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette

from fieldkit.i18n import _
from ui.table_model import Column, Index, RowT, cell_data, source_index

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ROOT = QModelIndex()


class PagedRowModel(QAbstractTableModel, Generic[RowT]):
    """Rows addressed by position in the whole result, and by ``key(row)`` once held."""

    #: sorted page numbers that a view asked for and the model does not hold
    pages_wanted = Signal(object)

    def __init__(
        self,
        columns: Sequence[Column[RowT]],
        *,
        key: Callable[[RowT], Hashable] = attrgetter("id"),
        display: Callable[[object], str] = str,
        page_size: int = 200,
        max_pages: int = 20,
        placeholder_column: int = 0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._aligns = tuple(c.alignment for c in self._columns)
        self._key = key
        self._display = display
        self.page_size = page_size
        self.max_pages = max_pages
        self._placeholder_column = placeholder_column
        self._total = 0
        self._rows: dict[int, RowT] = {}  # position in the result -> row
        self._pos: dict[Hashable, int] = {}
        self._pages: OrderedDict[int, None] = OrderedDict()  # held pages, least recently used first
        self._missing: set[int] = set()
        self._report = QTimer(self, singleShot=True, interval=0)  # one signal per paint, not per cell
        self._report.timeout.connect(self._report_missing)

    # -- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        r = index.row()
        if r < 0:
            return None
        row = self._rows.get(r)
        if row is None:
            return self._placeholder(r, index.column(), role)
        return cell_data(self._columns, self._aligns, self._display, row, index.column(), role)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == _DISPLAY:
                return self._columns[section].header
            if role == _ALIGN:
                return self._aligns[section]
        return None

    def _placeholder(self, r: int, column: int, role: int) -> Any:
        if role == _DISPLAY:
            page = r // self.page_size
            if page not in self._missing:
                self._missing.add(page)
                self._report.start()
            return _("Loading…") if column == self._placeholder_column else None
        if role == _FOREGROUND:
            return QGuiApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        if role == _ALIGN:
            return self._aligns[column]
        return None

    def _report_missing(self) -> None:
        pages = sorted(p for p in self._missing if p * self.page_size < self._total)
        self._missing.clear()
        if pages:
            self.pages_wanted.emit(pages)

    # -- rows -----------------------------------------------------------------------------------

    def reset(self, total: int, rows: Sequence[RowT] = (), offset: int = 0) -> None:
        """A new result: forget every row held (a model reset, so selections are cleared)."""
        self.beginResetModel()
        self._total = total
        self._rows.clear()
        self._pos.clear()
        self._pages.clear()
        self._missing.clear()
        self._store(offset, rows)
        self.endResetModel()

    def put_rows(self, offset: int, rows: Sequence[RowT], total: int, *, forget_others: bool = False) -> None:
        """Rows of the current result from ``offset`` on, as the store gave them with its
        ``total``; the rows around them keep their positions, so selection and scroll stay put.
        ``forget_others`` drops every other row held: they may be out of date."""
        self.set_total(total)
        if forget_others:
            self._rows.clear()
            self._pos.clear()
            self._pages.clear()
        self._store(offset, rows[: max(self._total - offset, 0)])
        if forget_others and self._total:
            self.dataChanged.emit(self.index(0, 0), self.index(self._total - 1, len(self._columns) - 1), [])
        elif rows and offset < self._total:
            last = min(offset + len(rows), self._total) - 1
            self.dataChanged.emit(self.index(offset, 0), self.index(last, len(self._columns) - 1), [])

    def set_total(self, total: int) -> None:
        """The result grew or shrank at its end (rows elsewhere keep their places)."""
        if total > self._total:
            self.beginInsertRows(_ROOT, self._total, total - 1)
            self._total = total
            self.endInsertRows()
        elif total < self._total:
            self.beginRemoveRows(_ROOT, total, self._total - 1)
            for position in [p for p in self._rows if p >= total]:
                self._pos.pop(self._key(self._rows.pop(position)), None)
            self._total = total
            self.endRemoveRows()

    def update_row(self, key: Hashable, row: RowT) -> None:
        """Replace the held row with ``key`` in place; KeyError if it is not held."""
        position = self._pos[key]
        self._store(position, [row])
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(self._columns) - 1), [])

    def remove_row(self, key: Hashable) -> None:
        """Remove the held row with ``key``: the rows after it move up one place."""
        position = self._pos.pop(key)
        self.beginRemoveRows(_ROOT, position, position)
        shifted = {(p - 1 if p > position else p): row for p, row in self._rows.items() if p != position}
        self._rows = shifted
        self._pos = {self._key(row): p for p, row in shifted.items()}
        self._total -= 1
        self.endRemoveRows()

    def _store(self, offset: int, rows: Sequence[RowT]) -> None:
        for i, row in enumerate(rows):
            position, key = offset + i, self._key(row)
            before = self._rows.get(position)
            if before is not None:
                self._pos.pop(self._key(before), None)
            elsewhere = self._pos.get(key)
            if elsewhere is not None and elsewhere != position:
                del self._rows[elsewhere]  # rows moved since that page came: never show one twice
            self._rows[position] = row
            self._pos[key] = position
        size = self.page_size
        for page in range(offset // size, (offset + len(rows) - 1) // size + 1 if rows else offset // size):
            self._pages[page] = None
            self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._forget_page(self._pages.popitem(last=False)[0])

    def _forget_page(self, page: int) -> None:
        for position in range(page * self.page_size, (page + 1) * self.page_size):
            row = self._rows.pop(position, None)
            if row is not None:
                self._pos.pop(self._key(row), None)

    def touch_pages(self, pages: Sequence[int]) -> None:
        """Mark pages as just used, so that the cache forgets others first."""
        for page in pages:
            if page in self._pages:
                self._pages.move_to_end(page)

    # -- what the model holds -------------------------------------------------------------------

    def page_complete(self, page: int) -> bool:
        """Every row of ``page`` is held (rows that moved up after a removal leave gaps)."""
        start = page * self.page_size
        end = min(start + self.page_size, self._total)
        return page in self._pages and all(p in self._rows for p in range(start, end))

    def held_pages(self) -> list[int]:
        return sorted(self._pages)

    def has_row(self, position: int) -> bool:
        return position in self._rows

    def rows(self) -> tuple[RowT, ...]:
        """The rows held, in result order."""
        return tuple(self._rows[p] for p in sorted(self._rows))

    def row_at(self, index: Index) -> RowT | None:
        """The row behind ``index`` (which may come from a proxy), or None while it loads."""
        index = source_index(index)
        if index.model() is not self or not index.isValid():
            return None
        return self._rows.get(index.row())

    def index_of(self, key: Hashable, column: int = 0) -> QModelIndex:
        """Index of the held row with ``key`` (invalid if it is not held)."""
        position = self._pos.get(key)
        return _ROOT if position is None else self.index(position, column)
