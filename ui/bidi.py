"""Text direction that follows the text: an Arabic sentence in a cell of an English window reads
right to left (its full stop at its end, on the left), and a path in an Arabic window keeps its order.

Qt lays out every cell of a view in the view's direction. ``ContentDirectionStyle`` sets each
cell's direction from its own first strong character as it is drawn (its alignment stays the
window's), for every view of the application at once, whichever model or delegate it uses.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QStyleOptionViewItem, QWidget

from fieldkit.i18n import FSI, PDI

#: enough to find the first strong character of any real cell; a long text decides early
_SCAN = 400
_ISOLATE_OPENERS = frozenset({FSI, "\u2066", "\u2067"})  # FSI, LRI, RLI


def content_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction of ``text``'s first strong character outside isolates (rule P2 of the
    Unicode bidi algorithm), or None for text without one (numbers, punctuation, nothing)."""
    depth = 0
    for ch in text[:_SCAN]:
        if ch in _ISOLATE_OPENERS:
            depth += 1
        elif ch == PDI:
            depth = max(depth - 1, 0)
        elif depth == 0:
            kind = unicodedata.bidirectional(ch)
            if kind == "L":
                return Qt.LayoutDirection.LeftToRight
            if kind in ("R", "AL"):
                return Qt.LayoutDirection.RightToLeft
    return None


def beside_label() -> Qt.AlignmentFlag:
    """The alignment of a value in a form, so that it sits next to its label whatever its script.

    A wrapping label lays out each paragraph in the direction of its own text, so a Latin value
    in an Arabic form would go to the far left, away from its label on the right; an absolute
    alignment on the window's reading side keeps it there.
    """
    side = Qt.AlignmentFlag.AlignRight if QApplication.isRightToLeft() else Qt.AlignmentFlag.AlignLeft
    return Qt.AlignmentFlag.AlignAbsolute | side | Qt.AlignmentFlag.AlignVCenter


def cell_option(option: QStyleOptionViewItem) -> QStyleOptionViewItem:
    """``option`` laid out in the direction of its own text. The cell keeps the window's alignment,
    so a column stays even; only the order within the text follows the text."""
    direction = content_direction(option.text)
    if direction is None or direction == option.direction:
        return option
    adjusted = QStyleOptionViewItem(option)
    aligned = QStyle.visualAlignment(option.direction, option.displayAlignment)
    adjusted.displayAlignment = aligned | Qt.AlignmentFlag.AlignAbsolute
    adjusted.direction = direction
    return adjusted


class ContentDirectionStyle(QProxyStyle):
    """The application's style, drawing each item-view cell in the direction of its own text."""

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.ControlElement.CE_ItemViewItem and isinstance(option, QStyleOptionViewItem):
            option = cell_option(option)
        super().drawControl(element, option, painter, widget)


_installed: ContentDirectionStyle | None = None


def follow_content_direction(app: QApplication) -> None:
    """Install ``ContentDirectionStyle`` over the application's current style, once."""
    global _installed
    if _installed is not None and app.style() is _installed:
        return
    style = ContentDirectionStyle(app.style().name())
    app.setStyle(style)
    _installed = style  # Qt does not own a style set from Python: keep it alive
