"""Drawing laid-out lines into a PDF page, and the flowable that holds a paragraph.

Glyphs are written as PDF text operators directly: each glyph at the position HarfBuzz
gave it (``TJ`` adjustments, ``Ts`` for marks raised or lowered). A line whose glyphs do
not read as its text (shaped, or reordered right to left) is wrapped in a marked-content
span whose ``/ActualText`` carries the line's characters (letters and diacritics, never
presentation forms), so that search and copy see the logical text.
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from fieldkit.reports.bidi import reader_order
from fieldkit.reports.textlayout import Line, TextStyle, layout


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _pdf_text_string(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _flush(code: list[str], items: list[str]) -> None:
    if items:
        code.append("[" + " ".join(items) + "] TJ")
        items.clear()


def draw_line(canv: Canvas, line: Line, x: float, y: float, style: TextStyle) -> None:
    """Draw ``line`` with its left edge at ``x`` and its baseline at ``y``."""
    if not line.runs:
        return
    code: list[str] = []
    doc = canv._doc
    if line.needs_actual_text:
        code.append(f"/Span <</ActualText {_pdf_text_string(reader_order(line.text, style.is_rtl))}>> BDC")
    r, g, b = style.color
    code.append(f"{_num(r)} {_num(g)} {_num(b)} rg BT")
    pen_x = x
    for run in line.runs:
        if not run.codes:
            pen_x += run.width
            continue
        ttf = run.face.ttf
        size = run.size
        chunks = ttf.splitString("".join(map(chr, run.codes)), doc)
        code.append(f"1 0 0 1 {_num(pen_x)} {_num(y)} Tm")
        # the Chinese font has no bold face: bold is its outline stroked as well as filled
        fake_bold = style.bold and not run.face.name.endswith("-Bold")
        code.append(f"2 Tr {_num(size * 0.035)} w {_num(r)} {_num(g)} {_num(b)} RG" if fake_bold else "0 Tr")
        if run.simple:  # the font's own advances: one string per subset
            for subset, data in chunks:
                code.append(
                    f"{ttf.getSubsetInternalName(subset, doc)} {_num(size)} Tf ({canv._escape(data)}) Tj"
                )
            pen_x += run.width
            continue
        glyphs: list[tuple[int, int]] = []
        for subset, data in chunks:
            glyphs.extend((subset, byte) for byte in data)
        current_subset = -1
        rise = 0.0
        items: list[str] = []
        cursor = 0.0  # where the text position is, from the run's left edge
        for k, (subset, byte) in enumerate(glyphs):
            if subset != current_subset:
                _flush(code, items)
                code.append(f"{ttf.getSubsetInternalName(subset, doc)} {_num(size)} Tf")
                current_subset = subset
            if run.ys[k] != rise:
                _flush(code, items)
                rise = run.ys[k]
                code.append(f"{_num(rise)} Ts")
            shift = run.xs[k] - cursor
            if abs(shift) > 1e-3:
                items.append(_num(-shift * 1000 / size))
            items.append("(" + canv._escape(bytes([byte])) + ")")
            cursor = run.xs[k] + run.face.width_1000(run.codes[k]) * size / 1000
        _flush(code, items)
        if rise:
            code.append("0 Ts")
        pen_x += run.width
    code.append("0 Tr ET")
    if line.needs_actual_text:
        code.append("EMC")
    canv._code.append(" ".join(code))


def line_x(line: Line, left: float, width: float, style: TextStyle, align: str | None = None) -> float:
    """The left edge of ``line`` set in a box from ``left`` of ``width`` points."""
    align = align or style.align
    if align == "center":
        return left + (width - line.width) / 2
    at_right = (align == "start") == style.is_rtl
    return left + width - line.width if at_right else left


def draw_text(
    canv: Canvas,
    text: str,
    left: float,
    baseline: float,
    width: float,
    style: TextStyle,
    align: str | None = None,
) -> float:
    """Draw ``text`` in a box ``width`` wide, first baseline at ``baseline``; returns the
    baseline after the last line."""
    for line in layout(text, style, width):
        draw_line(canv, line, line_x(line, left, width, style, align), baseline, style)
        baseline -= style.line_height
    return baseline


def baseline_offset(style: TextStyle) -> float:
    """Distance from the top of a line box to its baseline."""
    first = style.fonts()[0]
    glyph_height = (first.ascent - first.descent) * style.size
    return (style.line_height - glyph_height) / 2 + first.ascent * style.size


class TextBlock(Flowable):
    """A paragraph in any script and direction, split across frames and pages by lines."""

    def __init__(
        self,
        text: str,
        style: TextStyle,
        space_before: float = 0.0,
        space_after: float = 0.0,
        lines: list[Line] | None = None,
        keep_with_next: bool = False,
    ) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.keepWithNext = keep_with_next
        self._lines = lines
        self._laid_width: float | None = None
        self.width = 0.0
        self.height = 0.0

    def _layout(self, avail_width: float) -> list[Line]:
        if self._lines is None or (self._laid_width is not None and self._laid_width != avail_width):
            self._lines = layout(self.text, self.style, avail_width)
            self._laid_width = avail_width
        return self._lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        lines = self._layout(avail_width)
        self.width = avail_width
        self.height = len(lines) * self.style.line_height
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        lines = self._layout(avail_width)
        fit = int((avail_height + 1e-6) // self.style.line_height)
        if fit <= 0 or fit >= len(lines) or len(lines) < 2:
            return []
        fit = max(fit, 1)
        head = TextBlock(self.text, self.style, self.spaceBefore, 0.0, lines[:fit])
        tail = TextBlock(self.text, self.style, 0.0, self.spaceAfter, lines[fit:])
        head._laid_width = tail._laid_width = avail_width
        return [head, tail]

    def draw(self) -> None:
        lines = self._lines or []
        top = self.height
        offset = baseline_offset(self.style)
        for i, line in enumerate(lines):
            y = top - i * self.style.line_height - offset
            draw_line(self.canv, line, line_x(line, 0.0, self.width, self.style), y, self.style)
