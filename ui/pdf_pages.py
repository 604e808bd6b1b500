"""A printed report's pages as images, for the preview and the printer, drawn by PDFium.

The report is printed into memory once (``fieldkit.reports.builders.print_to_memory``); these
draw its pages at any scale. PDFium is not thread-safe, so every call into it holds one lock:
the preview (io-lane ops) and a print job never draw at the same time. Images are ``QImage``s,
which a worker thread may make; only the GUI thread turns them into pixmaps.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

from fieldkit.errors import FieldKitError
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Cancelled, Progress

_pdfium = threading.Lock()
#: a printer page is drawn from an image of at most this resolution: sharp on paper, and a
#: 1,200 dpi printer does not ask for half a gigabyte a page
PRINT_DPI_CAP = 300
POINTS_PER_INCH = 72


class PrintFailed(FieldKitError):
    """The printer could not be started (or went away while printing)."""


@dataclass(frozen=True)
class PageSize:
    """A page's size in PDF points (1/72 inch)."""

    width: float
    height: float


class PdfPages:
    """The pages of one PDF held in memory."""

    def __init__(self, data: bytes) -> None:
        self._data = data  # PDFium reads from it for as long as the document is open
        with _pdfium:
            self._doc = pdfium.PdfDocument(data)
            self.sizes = tuple(PageSize(*self._doc.get_page_size(i)) for i in range(len(self._doc)))

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def count(self) -> int:
        return len(self.sizes)

    def image(self, index: int, scale: float) -> QImage:
        """Page ``index`` (from 0) drawn at ``scale`` pixels per point, on white."""
        with _pdfium:
            page = self._doc[index]
            try:
                bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True)
                try:
                    buffer = bytes(bitmap.buffer)
                    image = QImage(
                        buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGBX8888
                    )
                    return image.copy()  # its own pixels: the buffer goes with this call
                finally:
                    bitmap.close()
            finally:
                page.close()

    def close(self) -> None:
        with _pdfium:
            self._doc.close()


def printed_pages(count: int, first: int, last: int, copies: int) -> list[int]:
    """The pages (from 0) a print job sends, in order: ``first``..``last`` (from 1; 0 for the
    whole report), all of them once per copy."""
    if first <= 0 or last <= 0:
        first, last = 1, count
    first, last = max(1, first), min(count, last)
    one = list(range(first - 1, last))
    return one * max(1, copies)


def print_pages(pages: PdfPages, printer: QPrinter, numbers: Sequence[int], progress: Progress) -> int:
    """Draw ``numbers`` of ``pages`` on ``printer``, one printer page each, fitted to the paper
    (the report carries its own margins); returns the pages sent. Runs on a worker thread:
    QPainter may paint on a QPrinter there. Cancelling aborts the job."""
    printer.setFullPage(True)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(_("The printer could not be started. Check that it is connected and try again."))
    sent = 0
    try:
        progress.set_total(len(numbers), _("Printing…"))
        resolution = printer.resolution()
        paper = printer.pageLayout().fullRectPixels(resolution)
        for position, index in enumerate(numbers):
            progress.check()
            if position and not printer.newPage():
                raise PrintFailed(_("The printer stopped taking pages."))
            size = pages.sizes[index]
            dpi = min(resolution, PRINT_DPI_CAP)
            image = pages.image(index, dpi / POINTS_PER_INCH)
            target = QSizeF(size.width, size.height).scaled(
                QSizeF(paper.width(), paper.height()), Qt.AspectRatioMode.KeepAspectRatio
            )
            x = (paper.width() - target.width()) / 2
            y = (paper.height() - target.height()) / 2
            painter.drawImage(QRectF(x, y, target.width(), target.height()), image)
            sent += 1
            progress.set_label(
                ngettext("Printed {count} page…", "Printed {count} pages…", sent).format(count=sent)
            )
            progress.step()
    except Cancelled:
        printer.abort()
        raise
    finally:
        painter.end()
    return sent
