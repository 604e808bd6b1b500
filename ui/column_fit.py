"""One column of a table takes the width the others leave, never less than a sensible floor.

Qt's ``Stretch`` mode gives a column what is left, which is nothing once the other columns
fill the view (at 1024x600 the visit list's Title column was 38 px): here, when the view is
too narrow, the columns named ``shrinkable`` give up part of their width first, and only
then does a horizontal scroll bar appear. Widths set any other way (a user dragging a
divider, a restored header state) become the other columns' preferred widths, and the
filling column is fitted again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView

#: how much of its preferred width a shrinkable column may give up
SHRINK_SHARE = 0.5


class FillColumn(QObject):
    def __init__(
        self,
        view: QTableView,
        column: int,
        *,
        floor_ems: float,
        shrinkable: Iterable[int] = (),
        last_resort: Iterable[int] = (),
    ) -> None:
        """``shrinkable`` columns give up width first, ``last_resort`` ones only if that was not enough."""
        super().__init__(view)
        self._view = view
        self._column = column
        self._floor_ems = floor_ems
        self._groups = [tuple(c for c in group if c != column) for group in (shrinkable, last_resort)]
        self._fitting = False
        header = view.horizontalHeader()
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self._preferred = {c: header.sectionSize(c) for c in range(header.count())}
        header.sectionResized.connect(self._resized)
        header.sectionCountChanged.connect(lambda _old, _new: self._remember_all())
        view.viewport().installEventFilter(self)
        self.fit()

    @property
    def floor(self) -> int:
        return int(self._floor_ems * self._view.fontMetrics().horizontalAdvance("M"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _remember_all(self) -> None:
        header = self._view.horizontalHeader()
        self._preferred = {c: self._preferred.get(c, header.sectionSize(c)) for c in range(header.count())}
        self.fit()

    def _resized(self, section: int, _old: int, new: int) -> None:
        if self._fitting:
            return
        if section != self._column:
            self._preferred[section] = new
        self.fit()

    def fit(self) -> None:
        """Size the filling column (and, when space is short, the shrinkable ones)."""
        header = self._view.horizontalHeader()
        others = [c for c in range(header.count()) if c != self._column and not header.isSectionHidden(c)]
        widths = {c: self._preferred.get(c, header.sectionSize(c)) for c in others}
        available = self._view.viewport().width()
        for group in self._groups:
            short = sum(widths.values()) + self.floor - available
            pool = sum(widths[c] * SHRINK_SHARE for c in group if c in widths)
            if short <= 0 or pool <= 0:
                continue
            given = min(short, pool) / pool
            for c in group:
                if c in widths:
                    widths[c] -= math.ceil(widths[c] * SHRINK_SHARE * given)
        fill = max(self.floor, available - sum(widths.values()))
        self._fitting = True
        try:
            for c, width in widths.items():
                if header.sectionSize(c) != width:
                    header.resizeSection(c, width)
            if header.sectionSize(self._column) != fill:
                header.resizeSection(self._column, fill)
        finally:
            self._fitting = False
