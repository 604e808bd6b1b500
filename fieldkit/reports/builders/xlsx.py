"""A report's tables as an XLSX workbook: one sheet per table, the same figures, numbers and
dates kept as numbers and dates. Written through a temporary file renamed into place."""

from __future__ import annotations

import datetime as dt
import os
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from fieldkit.reports import model as m
from fieldkit.reports.render import write_replacing


def tables_of(doc: m.Document) -> list[tuple[str, m.Table]]:
    """Every table of ``doc`` with the title of the section it is in, in print order."""
    found: list[tuple[str, m.Table]] = []

    def walk(section: m.Section) -> None:
        for block in section.blocks:
            if isinstance(block, m.Table) and block.rows:
                found.append((block.title or section.title, block))
        for sub in section.subsections:
            walk(sub)

    for section in doc.sections:
        walk(section)
    return found


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name.lower())
    return name


def _cell(value: m.Value) -> object:
    if isinstance(value, str):
        return value.strip("\u00a0")  # no-break spaces only indent a printed term under its parent
    return value


def workbook(doc: m.Document) -> Workbook:
    book = Workbook()
    default = book.active
    used: set[str] = set()
    bold = Font(bold=True)
    for title, table in tables_of(doc):
        sheet = book.create_sheet(_sheet_name(title, used))
        sheet.sheet_view.rightToLeft = doc.lang in ("ar", "fa", "ur", "he")
        sheet.append([c.title for c in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
        for index, column in enumerate(table.columns, start=1):
            if column.kind in ("date", "month"):
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    if isinstance(cell.value, dt.date):
                        cell.number_format = "yyyy-mm" if column.kind == "month" else "yyyy-mm-dd"
            elif column.kind == "percent":
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0%"
    if len(book.worksheets) > 1 and default is not None:
        book.remove(default)
    elif default is not None:
        default.title = _sheet_name(doc.title, set())
    return book


def save_xlsx(doc: m.Document, path: str | os.PathLike[str]) -> int:
    """Save ``doc``'s tables to ``path``; returns how many sheets. No partial file on failure."""
    book = workbook(doc)
    write_replacing(path, book.save)
    return len(book.worksheets)
