"""Printed reports: the print engine (a document model, text in every script, one look).

``model`` holds what a report fills in; ``render`` prints it. The engine modules import
only utilities, never services or the window; report builders added beside them read the
services and return a ``model.Document``.
"""

from fieldkit.reports.model import (
    Chart,
    Column,
    Document,
    Furniture,
    KeyFigure,
    KeyFigures,
    PageBreak,
    Paragraph,
    Section,
    Series,
    Table,
)
from fieldkit.reports.render import render

__all__ = [
    "Chart",
    "Column",
    "Document",
    "Furniture",
    "KeyFigure",
    "KeyFigures",
    "PageBreak",
    "Paragraph",
    "Section",
    "Series",
    "Table",
    "render",
]
