"""Loads the pages a view shows of a long store result, off the GUI thread.

A ``PagedLoader`` drives a ``PagedRowModel`` on one ``QTableView``: a new query loads its
first page and resets the model; scrolling, dragging the bar, Ctrl+End or a paint of rows not
held yet asks for the pages around the viewport. Every store call runs through ``ui.ops``.
The newest request wins: a request not started yet is cancelled when a newer one replaces it,
and an answer to an older query (another filter or sort) is dropped by its generation number.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QObject, QTimer, Signal
from PySide6.QtWidgets import QTableView

from fieldkit.progress import Progress
from ui.ops import Op, OpHandle, show_failure
from ui.paged_model import PagedRowModel

RowT = TypeVar("RowT")
RowT_co = TypeVar("RowT_co", covariant=True)

#: rows beyond either edge of the viewport that are loaded before the user reaches them
PREFETCH_ROWS = 60


class PageOf(Protocol[RowT_co]):
    """What a paged store service returns: some rows from ``offset`` on, and the exact total."""

    @property
    def rows(self) -> Sequence[RowT_co]: ...

    @property
    def total(self) -> int: ...

    @property
    def offset(self) -> int: ...


#: given (offset, limit, total) on the GUI thread, the store call to run on the store lane; it
#: captures the filter and sort of the moment it was made. ``total`` is the count the result
#: had when it was queried, None when the store must count it (a new query, a refresh). The
#: store call gets the op's progress, so a newer request can stop it mid-query.
QueryMaker = Callable[[int, int, "int | None"], Callable[[Progress], PageOf[RowT]]]


class PagedLoader(QObject, Generic[RowT]):
    loaded = Signal()  # the answer to a new query or to a refresh is in
    page_loaded = Signal()  # any rows are in
    total_changed = Signal(int)

    def __init__(
        self,
        view: QTableView,
        model: PagedRowModel[RowT],
        make_query: QueryMaker[RowT],
        *,
        key: Callable[[RowT], Hashable],
    ) -> None:
        super().__init__(view)
        self._view = view
        self.model = model
        self._make_query = make_query
        self._key = key
        self.total = 0
        self._generation = 0
        self._query: OpHandle[PageOf[RowT]] | None = None
        self._query_resets = False  # the pending query is a new one, not a refresh
        self._pages: OpHandle[PageOf[RowT]] | None = None
        self._in_flight = range(0)
        view.setModel(model)
        model.pages_wanted.connect(lambda _pages: self.load_visible())
        bar = view.verticalScrollBar()
        bar.valueChanged.connect(lambda _value: self.load_visible())
        bar.rangeChanged.connect(lambda _lo, _hi: self.load_visible())

    @property
    def busy(self) -> bool:
        """A query or a page is on its way."""
        return self._query is not None or (self._pages is not None and not self._pages.finished)

    # -- queries --------------------------------------------------------------------------------

    def reload(self) -> None:
        """Run the query afresh from its first row; answers to older queries will be dropped."""
        self._start_query(0, self.model.page_size, resets=True)

    def refresh(self) -> None:
        """Query the rows around the viewport again, for changes made elsewhere; every other row
        held is forgotten (it may be out of date). Scroll position and selection stay."""
        if self._query is not None and self._query_resets:
            self.reload()  # the model still shows the query before: nothing of it to keep
            return
        pages = self._pages_around_viewport() or range(1)
        size = self.model.page_size
        self._start_query(pages.start * size, len(pages) * size, resets=False)

    def _start_query(self, offset: int, limit: int, *, resets: bool) -> None:
        self._generation += 1
        generation = self._generation
        for handle in (self._query, self._pages):
            if handle is not None:
                handle.cancel()  # one still queued on the store lane need not run at all
        self._pages, self._in_flight = None, range(0)
        self._query_resets = resets
        self._query = self._run(
            self._make_query(offset, limit, None), lambda page: self._query_arrived(generation, page)
        )

    def _query_arrived(self, generation: int, page: PageOf[RowT]) -> None:
        if generation != self._generation:
            return
        self._query = None
        if self._query_resets:
            self.model.reset(page.total, page.rows, page.offset)
            self._view.scrollToTop()
        else:
            self._keep_selection(
                lambda: self.model.put_rows(page.offset, page.rows, page.total, forget_others=True)
            )
        self.total = page.total
        self.total_changed.emit(page.total)
        self.loaded.emit()
        self.page_loaded.emit()
        self.fill_viewport()

    def _keep_selection(self, change: Callable[[], None]) -> None:
        """Apply ``change``; held rows that moved meanwhile stay selected and current where they
        are now. Rows selected but not held keep their place."""
        selection = self._view.selectionModel()
        current = self.model.row_at(self._view.currentIndex())
        chosen = [self.model.row_at(i) for i in selection.selectedRows()]
        keys = [self._key(r) for r in chosen if r is not None]
        before = [self.model.index_of(k).row() for k in keys]
        change()
        after = [self.model.index_of(k) for k in keys]
        moved = [
            (old, new) for old, new in zip(before, after, strict=True) if new.isValid() and new.row() != old
        ]
        flags = QItemSelectionModel.SelectionFlag
        if current is not None:
            index = self.model.index_of(self._key(current), self._view.currentIndex().column())
            if index.isValid() and index != self._view.currentIndex():
                selection.setCurrentIndex(index, flags.NoUpdate)
        if not moved:
            return
        left, arrived = QItemSelection(), QItemSelection()
        for old, new in moved:
            left.select(self.model.index(old, 0), self.model.index(old, 0))
            arrived.select(new, new)
        selection.select(left, flags.Deselect | flags.Rows)
        selection.select(arrived, flags.Select | flags.Rows)

    # -- pages ----------------------------------------------------------------------------------

    def fill_viewport(self) -> None:
        """Load what the viewport shows once the event loop has laid it out (e.g. when shown)."""
        QTimer.singleShot(0, self, self.load_visible)

    def load_visible(self) -> None:
        """Ask for the pages around the viewport that the model does not hold yet."""
        if self._query is not None or not self._view.isVisible():
            return
        around = self._pages_around_viewport()
        self.model.touch_pages(list(around))
        missing = [p for p in around if not self.model.page_complete(p)]
        if not missing:
            return
        wanted = range(missing[0], missing[-1] + 1)
        if self._pages is not None and not self._pages.finished:
            if wanted.start >= self._in_flight.start and wanted.stop <= self._in_flight.stop:
                return  # already on its way
            self._pages.cancel()
        generation, size = self._generation, self.model.page_size
        self._in_flight = wanted
        self._pages = self._run(
            self._make_query(wanted.start * size, len(wanted) * size, self.total),
            lambda page: self._page_arrived(generation, page),
        )

    def _page_arrived(self, generation: int, page: PageOf[RowT]) -> None:
        if generation != self._generation:
            return
        self.model.put_rows(page.offset, page.rows, page.total)
        if page.total != self.total:
            self.total = page.total
            self.total_changed.emit(page.total)
        self.page_loaded.emit()
        self.fill_viewport()  # the user may have moved on while this page came

    def _pages_around_viewport(self) -> range:
        total = self.model.rowCount()
        if total == 0:
            return range(0)
        view = self._view
        first = view.rowAt(0)
        last = view.rowAt(view.viewport().height() - 1)
        first = 0 if first < 0 else first
        last = total - 1 if last < 0 else last
        size = self.model.page_size
        first, last = max(first - PREFETCH_ROWS, 0), min(last + PREFETCH_ROWS, total - 1)
        return range(first // size, last // size + 1)

    def _run(
        self, query: Callable[[Progress], PageOf[RowT]], arrived: Callable[[PageOf[RowT]], None]
    ) -> OpHandle[PageOf[RowT]]:
        generation = self._generation

        def fn(progress: Progress) -> PageOf[RowT]:
            progress.check()  # replaced by a newer request before it began: skip the query
            return query(progress)

        op = Op(self, fn).on_success(arrived).on_failure(lambda exc: self._failed(generation, exc))
        return op.on_cancel(lambda: None).run()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._query = None
        self._pages, self._in_flight = None, range(0)
        show_failure(self._view, exc)

    # -- rows -----------------------------------------------------------------------------------

    def row_removed(self, key: Hashable) -> None:
        """The row with ``key`` left the result (deleted, say): the rows after it move up."""
        if self._query is not None or not self.model.index_of(key).isValid():
            return
        self._generation += 1  # a page on its way was counted before the removal
        if self._pages is not None:
            self._pages.cancel()
        self._pages, self._in_flight = None, range(0)
        self.model.remove_row(key)
        self.total = self.model.rowCount()
        self.total_changed.emit(self.total)
        self.fill_viewport()

    def selected_rows(self) -> list[RowT]:
        """The selected rows that are held (a row still loading cannot be acted on)."""
        rows = []
        for index in self._view.selectionModel().selectedRows():
            row = self.model.row_at(index)
            if row is not None:
                rows.append(row)
        return rows

    def current_row(self) -> RowT | None:
        return self.model.row_at(self._view.currentIndex())
