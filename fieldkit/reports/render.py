"""Printing a :class:`~fieldkit.reports.model.Document`: one look for every report.

Every page has a header (the office at the start side, the confidentiality banner at the
other) and a footer (when and by whom it was generated, and "page x of y"); a right-to-left
report mirrors them, and its tables run their columns from the right. Long reports can open
with a table of contents. The PDF is written to a temporary file beside the target and
renamed into place, so a failure leaves no partial file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Table as RLTable

from fieldkit.formatting import format_day
from fieldkit.reports import model as m
from fieldkit.reports.charts import ChartFlowable
from fieldkit.reports.tables import Cell, GridTable
from fieldkit.reports.textdraw import TextBlock, draw_text
from fieldkit.reports.textlayout import TextStyle, is_rtl_language, natural_width
from fieldkit.reports.values import format_value

T = TypeVar("T")

MARGIN = 18 * mm
HEADER_H = 14 * mm
ACCENT = colors.HexColor("#2B6CB0")
BANNER = colors.HexColor("#C53030")
RULE = colors.HexColor("#CBD5E0")


class _Styles:
    def __init__(self, lang: str) -> None:
        rtl = is_rtl_language(lang)
        self.rtl = rtl
        self.title = TextStyle(lang=lang, size=20, bold=True, rtl=rtl, leading=1.35)
        self.subtitle = TextStyle(lang=lang, size=12, rtl=rtl, color=(0.3, 0.3, 0.3))
        self.h1 = TextStyle(lang=lang, size=15, bold=True, rtl=rtl, color=(0.17, 0.42, 0.69))
        self.h2 = TextStyle(lang=lang, size=12, bold=True, rtl=rtl)
        self.body = TextStyle(lang=lang, size=10, rtl=rtl, leading=1.6 if rtl else 1.45)
        self.lead = TextStyle(lang=lang, size=11.5, rtl=rtl, leading=1.55)
        self.note = TextStyle(lang=lang, size=8.5, rtl=rtl, color=(0.35, 0.35, 0.35))
        self.cell = TextStyle(lang=lang, size=8.5, rtl=rtl, leading=1.35)
        self.cell_bold = TextStyle(lang=lang, size=8.5, rtl=rtl, bold=True, leading=1.35)
        self.cell_number = TextStyle(lang=lang, size=8.5, rtl=rtl, leading=1.35, align="end")
        self.cell_number_bold = TextStyle(lang=lang, size=8.5, rtl=rtl, bold=True, leading=1.35, align="end")
        self.furniture = TextStyle(lang=lang, size=8, rtl=rtl, color=(0.3, 0.3, 0.3))
        self.banner = TextStyle(lang=lang, size=8.5, bold=True, rtl=rtl, color=(1, 1, 1))
        self.figure = TextStyle(lang=lang, size=20, bold=True, rtl=rtl, color=(0.17, 0.42, 0.69))


class _Heading(TextBlock):
    """A section title that records the page it lands on (for the contents) and an outline entry."""

    def __init__(self, text: str, style: TextStyle, level: int, key: str, pages: dict[str, int]) -> None:
        super().__init__(text, style, space_before=10 if level == 1 else 6, space_after=4)
        self.level = level
        self.key = key
        self.pages = pages

    def draw(self) -> None:
        super().draw()
        canv = self.canv
        self.pages[self.key] = canv.getPageNumber()
        canv.bookmarkPage(self.key)
        canv.addOutlineEntry(self.text, self.key, level=self.level - 1, closed=self.level > 1)


class _ContentsLine(Flowable):
    """One line of the table of contents: title at the start side, page number at the end."""

    def __init__(self, title: str, key: str, level: int, pages: dict[str, int], style: TextStyle) -> None:
        super().__init__()
        self.title, self.key, self.level, self.pages, self.style = title, key, level, pages, style
        self.width = self.height = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, self.style.line_height + 2
        return self.width, self.height

    def draw(self) -> None:
        indent = 14.0 * (self.level - 1)
        room = 40.0
        baseline = 4.0
        canv = self.canv
        if self.style.is_rtl:
            title_left, number_left = room, 0.0
        else:
            title_left, number_left = indent, self.width - room
        draw_text(
            canv, self.title, title_left, baseline, self.width - room - indent, self.style, align="start"
        )
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.3)
        canv.line(0, 1, self.width, 1)
        # the page number is known once the section is printed: drawn when the pages are saved
        x, y = canv.absolutePosition(number_left, baseline)
        key, pages, style = self.key, self.pages, self.style

        def number(target: Canvas) -> None:
            if key in pages:
                text = format_value(pages[key], "number", style.lang)
                draw_text(target, text, x, y, room, style, align="end")

        canv._fieldkit_later.setdefault(canv.getPageNumber(), []).append(number)


def _furniture_canvas(
    doc_model: m.Document, styles: _Styles, on_page: Callable[[int], None] | None
) -> Callable[..., Canvas]:
    """A canvas that holds its pages until the end, so each can say "page x of y"; ``on_page``
    hears of each page laid out (and may raise to stop the printing)."""

    class FurnitureCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # reportlab names a standard font on every page unless told otherwise
            kwargs.setdefault("initialFontName", styles.body.fonts()[0].name)
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []
            # drawings that wait for the whole document, by page (never rebound: held pages share it)
            self._fieldkit_later: dict[int, list[Callable[[Canvas], None]]] = {}

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()
            if on_page is not None:
                on_page(len(self._held))

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                for later in self._fieldkit_later.get(number, []):
                    later(self)
                _draw_furniture(self, doc_model, styles, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return FurnitureCanvas


def _draw_furniture(canv: Canvas, doc: m.Document, styles: _Styles, page: int, pages: int) -> None:
    width, height = canv._pagesize
    inner = width - 2 * MARGIN
    rtl = styles.rtl
    canv.saveState()
    if doc.watermark:  # over the content, translucent, so table stripes do not cut it up
        canv.saveState()
        canv.setFillAlpha(0.13)
        canv.translate(width / 2, height / 2)
        canv.rotate(45)
        mark = TextStyle(lang=doc.lang, size=54, bold=True, rtl=rtl, color=(0.55, 0.1, 0.1))
        mark_width = natural_width(doc.watermark, mark) + 2
        draw_text(canv, doc.watermark, -mark_width / 2, -18, mark_width, mark, align="center")
        canv.restoreState()
    top = height - MARGIN + 2
    banner_width = 0.0
    if doc.confidentiality:
        banner_width = natural_width(doc.confidentiality, styles.banner) + 12
        bx = MARGIN if rtl else width - MARGIN - banner_width
        canv.setFillColor(BANNER)
        canv.rect(bx, top - 3, banner_width, 14, stroke=0, fill=1)
        draw_text(canv, doc.confidentiality, bx, top + 1, banner_width, styles.banner, align="center")
    office_left = MARGIN + banner_width + 6 if rtl else MARGIN
    draw_text(
        canv, doc.office, office_left, top + 1, inner - banner_width - 6, styles.furniture, align="start"
    )
    canv.setStrokeColor(ACCENT)
    canv.setLineWidth(0.8)
    canv.line(MARGIN, top - 6, width - MARGIN, top - 6)
    bottom = MARGIN - 14
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.4)
    canv.line(MARGIN, bottom + 11, width - MARGIN, bottom + 11)
    when = format_day(doc.generated_on, doc.lang)
    generated = doc.furniture.generated.format(date=when, user=doc.generated_by)
    numbers = doc.furniture.page.format(
        page=format_value(page, "number", doc.lang), pages=format_value(pages, "number", doc.lang)
    )
    generated_left = width - MARGIN - inner * 0.7 if rtl else MARGIN
    draw_text(canv, generated, generated_left, bottom, inner * 0.7, styles.furniture, align="start")
    if rtl:
        draw_text(canv, numbers, MARGIN, bottom, inner * 0.28, styles.furniture, align="end")
    else:
        draw_text(
            canv, numbers, width - MARGIN - inner * 0.28, bottom, inner * 0.28, styles.furniture, align="end"
        )
    canv.restoreState()


def _table(table: m.Table, styles: _Styles, avail_width: float) -> list[Flowable]:
    out: list[Flowable] = []
    if table.title:  # a title with room for a few rows under it, or on the next page
        out.append(CondPageBreak(styles.h2.line_height + 70))
        out.append(TextBlock(table.title, styles.h2, space_before=6, space_after=3))
    if not table.rows:
        out.append(TextBlock(table.empty_text, styles.note, space_after=6))
        return out
    columns = list(table.columns)
    total = sum(c.width for c in columns) or 1.0
    widths = [avail_width * c.width / total for c in columns]
    numeric = [c.kind in ("number", "percent") for c in columns]

    def cell(value: m.Value, index: int, bold: bool) -> Cell:
        text = format_value(value, columns[index].kind, styles.body.lang)
        if numeric[index]:
            return Cell(text, styles.cell_number_bold if bold else styles.cell_number)
        return Cell(text, styles.cell_bold if bold else styles.cell)

    header = [
        Cell(c.title, styles.cell_number_bold if numeric[i] else styles.cell_bold)
        for i, c in enumerate(columns)
    ]
    emphasis = set(table.emphasis)
    rows = [
        [cell(row[i] if i < len(row) else None, i, r in emphasis) for i in range(len(columns))]
        for r, row in enumerate(table.rows)
    ]
    if styles.rtl:  # columns run from the right
        header = header[::-1]
        rows = [row[::-1] for row in rows]
        widths = widths[::-1]
    grid = GridTable(header, rows, widths)
    grid.spaceAfter = 8  # space after, unlike a Spacer, is dropped at the foot of a page
    out.append(grid)
    return out


def _key_figures(block: m.KeyFigures, styles: _Styles, avail_width: float) -> list[Flowable]:
    figures = list(block.figures)
    if not figures:
        return []
    per_row = min(4, len(figures))
    width = avail_width / per_row
    rows = []
    for start in range(0, len(figures), per_row):
        chunk = figures[start : start + per_row]
        cells = [
            [
                TextBlock(format_value(f.value, "number", styles.body.lang), styles.figure),
                TextBlock(f.label, styles.note),
            ]
            for f in chunk
        ]
        cells += [[Spacer(1, 1)] for _ in range(per_row - len(chunk))]
        rows.append(list(reversed(cells)) if styles.rtl else cells)
    grid = RLTable(
        rows,
        colWidths=[width] * per_row,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    grid.spaceAfter = 8
    return [grid]


def _blocks(
    blocks: tuple[m.Block, ...], doc: m.Document, styles: _Styles, avail_width: float
) -> list[Flowable]:
    out: list[Flowable] = []
    for block in blocks:
        if isinstance(block, m.Paragraph):
            style = {"body": styles.body, "note": styles.note, "lead": styles.lead}[block.kind]
            out.append(TextBlock(block.text, style, space_after=6))
        elif isinstance(block, m.Table):
            out.extend(_table(block, styles, avail_width))
        elif isinstance(block, m.KeyFigures):
            out.extend(_key_figures(block, styles, avail_width))
        elif isinstance(block, m.Chart):
            if block.title:
                out.append(
                    TextBlock(block.title, styles.h2, space_before=6, space_after=3, keep_with_next=True)
                )
            if not block.labels or not any(any(s.values) for s in block.series):
                out.append(TextBlock(block.empty_text, styles.note, space_after=6))
            else:
                chart = ChartFlowable(block, doc.lang, styles.rtl)
                chart.spaceAfter = 10
                out.append(chart)
        elif isinstance(block, m.PageBreak):
            out.append(RLPageBreak())
    return out


def _story(doc: m.Document, styles: _Styles, avail_width: float, pages: dict[str, int]) -> list[Flowable]:
    story: list[Flowable] = [TextBlock(doc.title, styles.title, space_after=4)]
    if doc.subtitle:
        story.append(TextBlock(doc.subtitle, styles.subtitle, space_after=10))
    story.extend(_blocks(doc.preface, doc, styles, avail_width))
    entries: list[tuple[str, str, int]] = []

    def walk(sections: tuple[m.Section, ...], prefix: str, level: int) -> list[Flowable]:
        flow: list[Flowable] = []
        for i, section in enumerate(sections):
            key = f"s{prefix}{i}"
            if section.new_page:
                flow.append(RLPageBreak())
            else:
                flow.append(CondPageBreak(80))
            style = styles.h1 if level == 1 else styles.h2
            flow.append(_Heading(section.title, style, min(level, 3), key, pages))
            if level <= 2:
                entries.append((section.title, key, level))
            flow.extend(_blocks(section.blocks, doc, styles, avail_width))
            flow.extend(walk(section.subsections, f"{prefix}{i}.", level + 1))
        return flow

    body = walk(doc.sections, "", 1)
    if doc.table_of_contents and entries:
        story.append(TextBlock(doc.furniture.contents, styles.h1, space_before=6, space_after=4))
        for title, key, level in entries:
            story.append(_ContentsLine(title, key, level, pages, styles.body))
        story.append(RLPageBreak())
    story.extend(body)
    return story


def _build(
    doc: m.Document, out: IO[bytes], pages: dict[str, int], on_page: Callable[[int], None] | None
) -> int:
    styles = _Styles(doc.lang)
    size = A4 if doc.page_size == "A4" else letter
    frame = Frame(  # from just above the footer's rule to below the header's
        MARGIN,
        MARGIN + 3 * mm,
        size[0] - 2 * MARGIN,
        size[1] - 2 * MARGIN - HEADER_H + 3 * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template = BaseDocTemplate(
        out,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_H,
        bottomMargin=MARGIN,
        title=doc.title,
        author=doc.office,
        subject=doc.subtitle,
        creator="FieldKit",
        lang=doc.lang,
        invariant=1,
    )
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story = _story(doc, styles, frame._width, pages)
    template.build(story, canvasmaker=_furniture_canvas(doc, styles, on_page))
    return int(template.page)


def render(
    doc: m.Document,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    on_page: Callable[[int], None] | None = None,
) -> int:
    """Print ``doc`` to ``target`` (a path or a binary stream); returns the number of pages.

    A path is written through a temporary file in the same folder and renamed into place.
    ``on_page(n)`` is called as page ``n`` is laid out; what it raises stops the printing
    (a path is then left as it was).
    """
    pages: dict[str, int] = {}  # section key -> page, filled as sections are printed
    if not isinstance(target, str | os.PathLike):
        return _build(doc, target, pages, on_page)
    return write_replacing(target, lambda out: _build(doc, out, pages, on_page))


def write_replacing(target: str | os.PathLike[str], write: Callable[[IO[bytes]], T]) -> T:
    """Write a file through a temporary one in the same folder, renamed into place once whole:
    a reader never sees half a file, and a failure leaves what was there before."""
    path = Path(target)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            result = write(out)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return result
