"""What a printed report is made of: plain data that a report fills and the engine prints.

A report builder reads its figures from the services and returns a :class:`Document`;
:func:`fieldkit.reports.render.render` turns it into a PDF in the document's language,
whatever the window's. Values stay typed (numbers, dates) until the engine formats them
for that language, so a builder never formats a figure itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

#: a table cell or chart label as a report gives it; the engine formats it for the language
Value = str | int | float | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Paragraph:
    """Running text in any script; ``note`` is smaller and grey (sources, caveats)."""

    text: str
    kind: Literal["body", "note", "lead"] = "body"


@dataclass(frozen=True)
class KeyFigure:
    """One figure shown large with its label (totals on a summary's first page)."""

    label: str
    value: Value


@dataclass(frozen=True)
class KeyFigures:
    figures: tuple[KeyFigure, ...]


@dataclass(frozen=True)
class Column:
    """A table column: its heading, what its cells hold, and its share of the width."""

    title: str
    kind: Literal["text", "number", "date", "month", "percent"] = "text"
    width: float = 1.0


@dataclass(frozen=True)
class Table:
    """Rows under repeated headings; split across pages, mirrored in right-to-left reports.

    ``emphasis`` lists rows (by index) printed bold, such as totals. An empty table prints
    ``empty_text`` instead of a heading row with nothing under it.
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    title: str = ""
    emphasis: tuple[int, ...] = ()
    empty_text: str = "No data for this period."


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """Counts by category (``bars``, horizontal) or over time (``timeline``, columns by month).

    ``labels`` name the categories, or are the months' first days for a timeline; each
    series has one value per label (two series compare a period with the one before).
    """

    kind: Literal["bars", "timeline"]
    labels: tuple[Value, ...]
    series: tuple[Series, ...]
    title: str = ""
    empty_text: str = "No data for this period."


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Paragraph | KeyFigures | Table | Chart | PageBreak


@dataclass(frozen=True)
class Section:
    """A titled part of a report; level 1 and 2 titles go into the table of contents."""

    title: str
    blocks: tuple[Block, ...] = ()
    level: int = 1
    new_page: bool = False
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Furniture:
    """The words printed around every page, in the report's language.

    ``page`` takes ``{page}`` and ``{pages}``; ``generated`` takes ``{date}`` and ``{user}``.
    A builder passes them translated (``fieldkit.i18n.translator(lang)``); these are the
    English ones.
    """

    page: str = "Page {page} of {pages}"
    generated: str = "Generated on {date} by {user}"
    contents: str = "Contents"


@dataclass(frozen=True)
class Document:
    """A whole report.

    ``generated_on`` is given by the caller (the service's clock), never read here, so the
    same data prints the same document. ``confidentiality`` is the banner printed on every
    page (the highest level of what the report holds); ``watermark``, if given, is printed
    across each page. ``preface`` (a report's filters) prints under the title, before the
    contents, so it is on the first page of a long report too.
    """

    title: str
    lang: str
    office: str
    generated_on: dt.date | dt.datetime
    generated_by: str
    confidentiality: str = ""
    subtitle: str = ""
    sections: tuple[Section, ...] = ()
    #: blocks printed under the title, before the contents: what a report states on its first page
    preface: tuple[Block, ...] = ()
    table_of_contents: bool = False
    watermark: str = ""
    furniture: Furniture = field(default_factory=Furniture)
    page_size: Literal["A4", "letter"] = "A4"
