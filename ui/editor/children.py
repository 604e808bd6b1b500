"""List-plus-detail page for the children of a visit (incidents, people, follow-ups).

The rows live in a plain list of frozen dataclasses; the detail form writes its values back into
the selected row on every edit, so ``items()`` is always current and children keep their ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.editor.widgets import FieldSet

T = TypeVar("T")
LIST_WIDTH = 340  # the side list of incidents: date, summary, violations readable at 1366 px
LIST_HEIGHT = 200  # the list above a short detail form (people, follow-ups): about six rows


def shorten(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class ChildPage(QWidget, Generic[T]):
    """Subclasses build the detail form and map items to cells and back.

    ``edited`` carries the changed key (``incidents[1].summary``), or the bare prefix when rows
    were added or removed; ``removed`` carries the index of a removed row.
    """

    edited = Signal(str)
    removed = Signal(int)

    def __init__(
        self,
        prefix: str,
        headers: Sequence[str],
        add_text: str,
        remove_text: str,
        orientation: Qt.Orientation,
        parent: QWidget | None = None,
        *,
        detail_fills: bool = False,
    ) -> None:
        super().__init__(parent)
        self.prefix = prefix
        self.fields = FieldSet()  # keys relative to one row: "summary", "violation_types"
        self._items: list[T] = []
        self._errors: dict[str, str] = {}
        self._warnings: dict[str, str] = {}  # shown beside the fields, never stop a save
        self._loading = False
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move between rows
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setAccessibleName(add_text.replace("&", ""))
        self.add_button = QPushButton(add_text)
        self.remove_button = QPushButton(remove_text)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.table, 1)
        list_layout.addLayout(buttons)

        self.detail = self.build_detail()
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.detail, 1 if detail_fills else 0)
        if not detail_fills:
            holder_layout.addStretch(1)  # short forms sit at the top instead of spreading out
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # fields scroll into view when they get focus
        splitter = QSplitter(orientation)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(list_box)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1 if orientation == Qt.Orientation.Horizontal else 2)
        splitter.setStretchFactor(1, 3)
        horizontal = orientation == Qt.Orientation.Horizontal
        splitter.setSizes([LIST_WIDTH, 3 * LIST_WIDTH] if horizontal else [LIST_HEIGHT, 2 * LIST_HEIGHT])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

        self.add_button.clicked.connect(self.add_item)
        self.remove_button.clicked.connect(self.remove_current)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_row(row))
        self._show_row(-1)

    # -- hooks ----------------------------------------------------------------------------

    def build_detail(self) -> QWidget:
        raise NotImplementedError

    def new_item(self) -> T:
        raise NotImplementedError

    def cells(self, item: T, row: int) -> list[str]:
        raise NotImplementedError

    def show_item(self, item: T) -> None:
        raise NotImplementedError

    def read_item(self, item: T) -> T:
        raise NotImplementedError

    def first_field(self) -> QWidget:
        raise NotImplementedError

    # -- rows ---------------------------------------------------------------------------

    def items(self) -> tuple[T, ...]:
        return tuple(self._items)

    def current_row(self) -> int:
        row = self.table.currentRow()
        return row if 0 <= row < len(self._items) else -1

    def set_items(self, items: Sequence[T]) -> None:
        self._items = list(items)
        self._errors = {}
        self._refill()
        self.table.setCurrentCell(0 if self._items else -1, 0)
        self._show_row(self.current_row())

    def _refill(self) -> None:
        self.table.setRowCount(len(self._items))
        for row in range(len(self._items)):
            self._refresh_row(row)

    def _refresh_row(self, row: int) -> None:
        problems = [m for k, m in self._errors.items() if k.startswith(f"{self.prefix}[{row}].")]
        tip = "\n".join(problems)
        for column, text in enumerate(self.cells(self._items[row], row)):
            cell = self.table.item(row, column)
            if cell is None:
                cell = QTableWidgetItem()
                self.table.setItem(row, column, cell)
            cell.setText(text)
            cell.setToolTip(tip or text)
            if column == 0:
                cell.setIcon(self._warning if problems else QIcon())

    def add_item(self) -> None:
        self._items.append(self.new_item())
        row = len(self._items) - 1
        self._refill()
        self.table.setCurrentCell(row, 0)
        self.edited.emit(self.prefix)
        self.first_field().setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_current(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        del self._items[row]
        # Messages of later rows now belong to the row before; stale ones vanish at the next check.
        self._errors = {}
        self._refill()
        self.table.setCurrentCell(min(row, len(self._items) - 1), 0)
        self._show_row(self.current_row())
        self.removed.emit(row)
        self.edited.emit(self.prefix)
        (self.table if self._items else self.add_button).setFocus(Qt.FocusReason.OtherFocusReason)

    def replace_items(self, items: Sequence[T]) -> None:
        """Swap in updated rows (same count) without moving the selection."""
        self._items = list(items)
        self._refill()
        self._show_row(self.current_row())

    def _show_row(self, row: int) -> None:
        self._loading = True
        try:
            self.show_item(self._items[row] if 0 <= row < len(self._items) else self.new_item())
        finally:
            self._loading = False
        self.detail.setEnabled(row >= 0)
        self.remove_button.setEnabled(row >= 0)
        self._show_detail_errors()

    def detail_edited(self, field: str) -> None:
        """Subclasses connect every detail widget here with the field it edits."""
        row = self.current_row()
        if self._loading or row < 0:
            return
        self._items[row] = self.read_item(self._items[row])
        self._refresh_row(row)
        self.edited.emit(f"{self.prefix}[{row}].{field}")

    # -- errors ---------------------------------------------------------------------------

    def show_errors(self, errors: Mapping[str, str], warnings: Mapping[str, str] | None = None) -> None:
        """Mark rows with problems; show the selected row's messages (and warnings) beside its fields."""
        self._errors = {k: v for k, v in errors.items() if k.startswith(f"{self.prefix}[")}
        self._warnings = {k: v for k, v in (warnings or {}).items() if k.startswith(f"{self.prefix}[")}
        for row in range(len(self._items)):
            self._refresh_row(row)
        self._show_detail_errors()

    def _show_detail_errors(self) -> None:
        head = f"{self.prefix}[{self.current_row()}]."
        self.fields.show(
            {k[len(head) :]: v for k, v in self._errors.items() if k.startswith(head)},
            {k[len(head) :]: v for k, v in self._warnings.items() if k.startswith(head)},
        )

    def key_of(self, widget: QWidget) -> str | None:
        """The full key (``people[2].code``) of the selected row's field ``widget`` belongs to."""
        row, field = self.current_row(), self.fields.key_of(widget)
        return f"{self.prefix}[{row}].{field}" if row >= 0 and field is not None else None

    def focus_error(self, key: str) -> None:
        """Select the row ``key`` is about and put the cursor in its field."""
        inner = key[len(self.prefix) + 1 :]
        index, _sep, _field = inner.partition("].")
        if index.isdigit() and int(index) < len(self._items):
            self.table.setCurrentCell(int(index), 0)
            widget = self.fields.first_invalid()
            (widget or self.first_field()).setFocus(Qt.FocusReason.OtherFocusReason)
