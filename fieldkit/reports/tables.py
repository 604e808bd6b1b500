"""Tables: rows under a heading row that is repeated on every page the table reaches.

A table of a few thousand rows is the bulk of a long report, so rows are laid out once
(each cell through the text engine, in its own direction) and drawn directly; reportlab's
own Table, which measures every cell flowable several times, took most of a report's time.
Columns run from the right in a right-to-left report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable

from fieldkit.reports.textdraw import baseline_offset, draw_line, line_x
from fieldkit.reports.textlayout import Line, TextStyle, layout

PAD_X = 4.0
PAD_Y = 2.5
HEAD_FILL = colors.HexColor("#EDF2F7")
ZEBRA = colors.HexColor("#F7FAFC")
RULE = colors.HexColor("#CBD5E0")
ACCENT = colors.HexColor("#2B6CB0")


@dataclass(frozen=True)
class Cell:
    text: str
    style: TextStyle


@dataclass
class _Row:
    cells: list[list[Line]]
    styles: list[TextStyle]
    height: float
    index: int  # in the whole table, for the zebra stripes


def _lay_row(cells: list[Cell], widths: list[float], index: int) -> _Row:
    laid = [layout(c.text, c.style, max(1.0, w - 2 * PAD_X)) for c, w in zip(cells, widths, strict=True)]
    height = max(
        (len(lines) * c.style.line_height for lines, c in zip(laid, cells, strict=True)), default=0.0
    )
    return _Row(laid, [c.style for c in cells], height + 2 * PAD_Y, index)


def _cut_row(row: _Row, room: float) -> tuple[_Row, _Row] | None:
    """``row`` cut into the lines that fit in ``room`` and the rest, or None when fewer
    than three lines of each cell fit (the row then waits for the next page)."""
    counts = [int((room - 2 * PAD_Y) // style.line_height) for style in row.styles]
    if min(counts, default=0) < 3 or all(len(lines) <= n for lines, n in zip(row.cells, counts, strict=True)):
        return None
    first = [lines[:n] for lines, n in zip(row.cells, counts, strict=True)]
    rest = [lines[n:] for lines, n in zip(row.cells, counts, strict=True)]

    def height(cells: list[list[Line]]) -> float:
        tallest = max(
            (len(lines) * st.line_height for lines, st in zip(cells, row.styles, strict=True)), default=0
        )
        return tallest + 2 * PAD_Y

    return _Row(first, row.styles, height(first), row.index), _Row(rest, row.styles, height(rest), row.index)


class GridTable(Flowable):
    """``header`` and ``rows`` of cells, in left-to-right drawing order, ``widths`` in points."""

    def __init__(
        self,
        header: list[Cell],
        rows: list[list[Cell]],
        widths: list[float],
        _laid: tuple[_Row, list[_Row]] | None = None,
    ) -> None:
        super().__init__()
        self.header_cells = header
        self.row_cells = rows
        self.widths = widths
        if _laid is None:
            self._header = _lay_row(header, widths, -1)
            self._rows = [_lay_row(row, widths, i) for i, row in enumerate(rows)]
        else:
            self._header, self._rows = _laid
        self.width = sum(widths)
        self.height = self._header.height + sum(r.height for r in self._rows)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        room = avail_height - self._header.height
        used, fit = 0.0, 0
        for row in self._rows:
            if used + row.height > room:
                break
            used += row.height
            fit += 1
        rows = self._rows
        if fit == 0 and rows:  # a row taller than the room left: its cells go on by lines
            parts = _cut_row(rows[0], room)
            if parts is None:
                return []
            rows, fit = [*parts, *rows[1:]], 1
        if fit == 0 or fit >= len(rows):
            return []
        head = GridTable(self.header_cells, [], self.widths, (self._header, rows[:fit]))
        tail = GridTable(self.header_cells, [], self.widths, (self._header, rows[fit:]))
        tail.spaceAfter = self.spaceAfter
        return [head, tail]

    def draw(self) -> None:
        canv = self.canv
        top = self.height
        canv.saveState()
        canv.setFillColor(HEAD_FILL)
        canv.rect(0, top - self._header.height, self.width, self._header.height, stroke=0, fill=1)
        y = top - self._header.height
        canv.setFillColor(ZEBRA)
        for row in self._rows:
            if row.index % 2:
                canv.rect(0, y - row.height, self.width, row.height, stroke=0, fill=1)
            y -= row.height
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.25)
        y = top - self._header.height
        for row in self._rows:
            y -= row.height
            canv.line(0, y, self.width, y)
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(0.8)
        canv.line(0, top - self._header.height, self.width, top - self._header.height)
        canv.restoreState()
        y = top
        for row in [self._header, *self._rows]:
            x = 0.0
            for lines, style, width in zip(row.cells, row.styles, self.widths, strict=True):
                baseline = y - PAD_Y - baseline_offset(style)
                for line in lines:
                    draw_line(canv, line, line_x(line, x + PAD_X, width - 2 * PAD_X, style), baseline, style)
                    baseline -= style.line_height
                x += width
            y -= row.height
