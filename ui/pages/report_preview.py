"""The pages of a report, one at a time, as they will print: page through them, zoom to the
width, the whole page or a percentage.

Pages are drawn by PDFium on the io lane (``ui.pdf_pages``), at the scale the view needs, and the
last few are kept; the GUI thread only turns the image into a pixmap. Page Down at the foot of
a page goes on to the next one, Page Up at its head back to the previous one, Ctrl+Home and
Ctrl+End to the first and last."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.formatting import format_number
from fieldkit.i18n import _, ngettext
from ui.ops import Op
from ui.pdf_pages import POINTS_PER_INCH, PdfPages

FIT_WIDTH, FIT_PAGE = "width", "page"
ZOOMS = (0.5, 0.75, 1.0, 1.5, 2.0)
CACHED_PAGES = 6
PAGE_GAP = 12  # pixels around the page, so its edge shows against the background


class ReportPreview(QWidget):
    """Shows a ``PdfPages``; ``page_shown`` (from 0) once a page's image is on screen."""

    page_shown = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages: PdfPages | None = None
        self.index = 0
        self._images: OrderedDict[tuple[int, float], QImage] = OrderedDict()
        self._wanted: tuple[int, float] | None = None
        self._drawing: tuple[int, float] | None = None

        style = self.style()
        self.previous_button = QToolButton(self)
        self.previous_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.previous_button.setToolTip(_("Previous page (Page Up)"))
        self.previous_button.setAccessibleName(_("Previous page"))
        self.next_button = QToolButton(self)
        self.next_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.next_button.setToolTip(_("Next page (Page Down)"))
        self.next_button.setAccessibleName(_("Next page"))
        self.page_box = QSpinBox(self)
        self.page_box.setAccessibleName(_("Page"))
        self.page_box.setKeyboardTracking(False)
        self.page_count = QLabel(self)
        self.zoom = QComboBox(self)
        self.zoom.setAccessibleName(_("Zoom"))
        self.zoom.addItem(_("Fit width"), FIT_WIDTH)
        self.zoom.addItem(_("Whole page"), FIT_PAGE)
        for factor in ZOOMS:
            self.zoom.addItem(_("{percent}%").format(percent=format_number(round(factor * 100))), factor)

        self.toolbar = QWidget(self)  # hidden while there is no report to page through
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_box)
        bar.addWidget(self.page_count)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(self.zoom)

        self.page_label = QLabel(self)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setAccessibleName(_("Report page"))
        self.empty_label = QLabel(self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area = QScrollArea(self)
        self.area.setWidgetResizable(True)
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setWidget(self.page_label)
        self.area.setBackgroundRole(self.area.backgroundRole().Dark)
        self.area.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.area.setAccessibleName(_("Preview"))
        self.area.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.area, 1)

        self._redraw = QTimer(self, singleShot=True, interval=0)
        self._redraw.timeout.connect(self._draw_current)
        self.previous_button.clicked.connect(lambda: self.show_page(self.index - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.index + 1))
        self.page_box.valueChanged.connect(lambda number: self.show_page(number - 1))
        self.zoom.currentIndexChanged.connect(lambda _i: self._redraw.start())
        self.set_empty(_("Choose a report and its filters, then build it to see its pages here."))

    # -- what is shown --------------------------------------------------------------------------

    def set_empty(self, text: str) -> None:
        """No report: say what to do instead of showing a blank area."""
        self._set_pages(None)
        self.empty_label.setText(text)
        self.empty_label.show()
        self.area.hide()
        self.toolbar.hide()

    def set_pages(self, pages: PdfPages) -> None:
        self._set_pages(pages)
        self.empty_label.hide()
        self.area.show()
        self.toolbar.show()
        self.show_page(0)

    def _set_pages(self, pages: PdfPages | None) -> None:
        self.pages = pages
        self._images.clear()
        self._wanted = self._drawing = None
        self.index = 0
        self.page_label.clear()
        count = pages.count if pages is not None else 0
        self.page_box.blockSignals(True)
        self.page_box.setRange(1 if count else 0, max(count, 1) if count else 0)
        self.page_box.setValue(1 if count else 0)
        self.page_box.blockSignals(False)
        total = ngettext("of {count} page", "of {count} pages", count).format(count=format_number(count))
        self.page_count.setText(total if count else "")
        for widget in (self.page_box, self.zoom, self.previous_button, self.next_button):
            widget.setEnabled(count > 0)
        self._update_buttons()

    def show_page(self, index: int) -> None:
        if self.pages is None or not 0 <= index < self.pages.count:
            return
        self.index = index
        self.page_box.blockSignals(True)
        self.page_box.setValue(index + 1)
        self.page_box.blockSignals(False)
        self._update_buttons()
        self._redraw.start()

    def _update_buttons(self) -> None:
        count = self.pages.count if self.pages is not None else 0
        self.previous_button.setEnabled(count > 0 and self.index > 0)
        self.next_button.setEnabled(count > 0 and self.index < count - 1)

    # -- drawing --------------------------------------------------------------------------------

    def scale(self) -> float:
        """Pixels per point for the current page at the chosen zoom (device pixels)."""
        if self.pages is None:
            return 1.0
        size = self.pages.sizes[self.index]
        zoom = self.zoom.currentData()
        room = self.area.viewport().size()
        width = max(room.width() - 2 * PAGE_GAP, 50)
        height = max(room.height() - 2 * PAGE_GAP, 50)
        if zoom == FIT_WIDTH:
            scale = width / size.width
        elif zoom == FIT_PAGE:
            scale = min(width / size.width, height / size.height)
        else:
            scale = float(zoom) * self.logicalDpiX() / POINTS_PER_INCH
        return round(scale * self.devicePixelRatioF(), 3)

    def _draw_current(self) -> None:
        pages = self.pages
        if pages is None:
            return
        key = (self.index, self.scale())
        self._wanted = key
        cached = self._images.get(key)
        if cached is not None:
            self._images.move_to_end(key)
            self._put(key, cached)
            return
        if self._drawing is not None:
            return  # one drawing at a time: the one that ends asks again for what is wanted then
        self._drawing = key
        index, scale = key
        Op(self, lambda _p: pages.image(index, scale), lane="io").on_success(
            lambda image: self._drawn(pages, key, image)
        ).on_failure(lambda _exc: self._drawn(pages, key, None)).run()

    def _drawn(self, pages: PdfPages, key: tuple[int, float], image: QImage | None) -> None:
        if pages is not self.pages:
            return  # another report came in meanwhile
        self._drawing = None
        if image is not None:
            self._images[key] = image
            while len(self._images) > CACHED_PAGES:
                self._images.popitem(last=False)
        if key != self._wanted:
            self._redraw.start()
        elif image is not None:
            self._put(key, image)

    def _put(self, key: tuple[int, float], image: QImage) -> None:
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.page_label.setPixmap(pixmap)
        self.page_shown.emit(key[0])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.pages is not None and self.zoom.currentData() in (FIT_WIDTH, FIT_PAGE):
            self._redraw.start()

    # -- keys -----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.area and event.type() == QEvent.Type.KeyPress and self.pages is not None:
            assert isinstance(event, QKeyEvent)
            if self._page_key(event):
                return True
        return super().eventFilter(watched, event)

    def _page_key(self, event: QKeyEvent) -> bool:
        bar = self.area.verticalScrollBar()
        key, ctrl = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_PageDown and (ctrl or bar.value() >= bar.maximum()):
            if self.index + 1 < (self.pages.count if self.pages else 0):
                self.show_page(self.index + 1)
                bar.setValue(bar.minimum())
            return True
        if key == Qt.Key.Key_PageUp and (ctrl or bar.value() <= bar.minimum()):
            if self.index > 0:
                self.show_page(self.index - 1)
                bar.setValue(bar.maximum())
            return True
        if ctrl and key == Qt.Key.Key_Home:
            self.show_page(0)
            return True
        if ctrl and key == Qt.Key.Key_End and self.pages is not None:
            self.show_page(self.pages.count - 1)
            return True
        return False
