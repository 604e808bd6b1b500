"""Small widgets shared by pages: headings, number cards, error labels."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)


def row_table(
    parent: QWidget | None,
    name: str,
    model: QAbstractItemModel | None = None,
    *,
    stretch: int | None = None,
    sortable: bool = False,
) -> QTableView:
    """A read-only list of rows as every page shows one: whole rows selected one at a time,
    no row numbers, no wrapping, alternating shades; ``stretch`` names the column that fills."""
    view = QTableView(parent)
    if model is not None:
        view.setModel(model)
    view.setAccessibleName(name)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the list (arrows move inside), or keyboard users are stuck
    view.setAlternatingRowColors(True)
    view.setSortingEnabled(sortable)
    if stretch is not None:
        view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def heading(text: str, parent: QWidget | None = None, *, scale: float = 1.5) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def note(text: str, parent: QWidget | None = None) -> QLabel:
    """A wrapped paragraph of explanation."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def fit_columns(
    view: QTableView, minimum_ems: dict[int, float], *, extra: dict[int, int] | None = None
) -> None:
    """Compact rows; each listed column wide enough for its header, its sort arrow and ``minimum_ems``."""
    metrics = view.fontMetrics()
    em = metrics.horizontalAdvance("M")
    view.verticalHeader().setDefaultSectionSize(metrics.height() + 10)
    header = view.horizontalHeader()
    model = view.model()
    for column, ems in minimum_ems.items():
        text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = max(
            int(ems * em), (extra or {}).get(column, 0), header.fontMetrics().horizontalAdvance(text) + 2 * em
        )
        header.resizeSection(column, width)


def error_label(parent: QWidget | None = None) -> QLabel:
    """Shown beside a field while its value is rejected; hidden otherwise."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.hide()
    return label


def show_error(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))


class NumberCard(QFrame):
    """A big figure with a caption; clickable when it leads somewhere."""

    clicked = Signal()

    def __init__(self, caption: str, parent: QWidget | None = None, *, clickable: bool = False) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("NumberCard")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._clickable = clickable
        layout = QVBoxLayout(self)
        self.value_label = QLabel("…", self)
        font = QFont(self.value_label.font())
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.value_label.setFont(font)
        self.caption_label = QLabel(caption, self)
        self.caption_label.setWordWrap(True)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(caption)

    def set_value(self, text: str) -> None:
        self.value_label.setText(text)
        self.setAccessibleDescription(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Enter/Space: the keyboard path to the same place
        if self._clickable and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)
