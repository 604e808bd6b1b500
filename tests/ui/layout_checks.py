"""Layout checks for window tests: a widget reaching outside its parent (unless the parent scrolls),
narrower than its minimum size hint or showing part of its wrapped text, and table cells too narrow
for their text."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QScrollBar,
    QTabBar,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

SETTLE_MS = 1000
TOLERANCE = 1  # px: rounding in right-to-left layouts
CELL_MARGINS = 8  # px: a table cell's padding on both sides

#: widgets drawn inside another widget that manages them itself (a combo box's line edit, a spin
#: box's, the scroll buttons of a tab bar): their owner is checked instead
_MANAGED = (QComboBox, QAbstractSpinBox, QTabBar, QScrollBar)


def _managed(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, _MANAGED):
            return True
        parent = parent.parentWidget()
    return False


def _scrolls(parent: QWidget) -> bool:
    """The viewport of a scroll area: its children may lie outside it and be scrolled to."""
    area = parent.parentWidget()
    return isinstance(area, QAbstractScrollArea) and area.viewport() is parent


def layout_problems(root: QWidget) -> list[str]:
    problems = []
    for widget in root.findChildren(QWidget):
        if widget.isWindow() or not widget.isVisibleTo(root) or _managed(widget, root):
            continue
        parent = widget.parentWidget()
        if parent is None or _scrolls(parent):
            continue
        name = f"{type(widget).__name__} {widget.objectName() or widget.accessibleName() or ''}".strip()
        inside = parent.rect().adjusted(-TOLERANCE, -TOLERANCE, TOLERANCE, TOLERANCE)
        if not inside.contains(widget.geometry()):
            problems.append(f"{name} at {widget.geometry()} is cut off by its parent {parent.rect()}")
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if widget.height() + TOLERANCE < needed:
                problems.append(f"{name} shows {widget.height()} px of its {needed} px of text")
        hint = widget.minimumSizeHint()
        if hint.isValid() and widget.width() + TOLERANCE < hint.width():
            problems.append(f"{name} is {widget.width()} px wide, less than its minimum {hint.width()}")
    return problems


def assert_fits(qtbot: QtBot, root: QWidget, what: str) -> None:
    with contextlib.suppress(qtbot.TimeoutError):  # layouts settle through posted events
        qtbot.waitUntil(lambda: not layout_problems(root), timeout=SETTLE_MS)
    problems = layout_problems(root)
    assert not problems, f"{what}:\n" + "\n".join(problems)


def cut_cells(view: QTableView, columns: Sequence[int]) -> list[str]:
    """Cells of ``columns`` whose text is wider than the column leaves room for."""
    metrics, header, model = view.fontMetrics(), view.horizontalHeader(), view.model()
    cut = []
    for row in range(model.rowCount()):
        for column in columns:
            index = model.index(row, column)
            text = str(index.data() or "")
            icon = metrics.height() if index.data(Qt.ItemDataRole.DecorationRole) else 0
            if metrics.horizontalAdvance(text) + icon + CELL_MARGINS > header.sectionSize(column):
                cut.append(f"row {row}, column {column}: {text!r} in {header.sectionSize(column)} px")
    return cut
