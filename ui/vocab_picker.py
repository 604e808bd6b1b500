"""One term from a (possibly hierarchical) list, chosen from a searchable tree.

``TermPicker`` is a ``QComboBox``: its items stay a flat list in tree order (parent first), so
``currentData()``, ``findData()`` and the arrow keys on the closed box work as on any combo box,
and forms, filters and tests treat it as one. Only the pop-up differs: a filter box over an
indented tree, where typing keeps the matching terms and the way to them (their ancestors)
visible, the arrow keys move, Enter chooses and Escape leaves the choice as it was. Typing on
the closed box opens the pop-up with what was typed. The tree follows the layout direction, so
children are indented to the left in a right-to-left window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.vocab import Vocabularies
from fieldkit.i18n import _
from ui.date_edit import place_below

CODE_ROLE = int(Qt.ItemDataRole.UserRole)
#: the parent's code, on each item of the flat list
PARENT_ROLE = CODE_ROLE + 1
#: the item's depth in the tree (0 for the top level)
DEPTH_ROLE = CODE_ROLE + 2
#: on the pop-up's tree items: the row of the same item in the combo box's flat list
ROW_ROLE = CODE_ROLE + 3
_POPUP_ROWS = 16
_KEYS_FOR_THE_TREE = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


@dataclass(frozen=True)
class PickItem:
    """One choice: ``code`` None is the "no value" / "any" entry."""

    label: str
    code: str | None
    parent_code: str | None = None
    tooltip: str | None = None


def vocabulary_items(vocab: Vocabularies, vocabulary: str, *, lang: str | None = None) -> list[PickItem]:
    """A vocabulary's active terms in tree order, labelled in ``lang`` (the interface language)."""
    nodes = vocab.tree(vocabulary)
    labels = {n.code: n.term.label(lang) for n in nodes}
    items = []
    for node in nodes:
        term, depth = node.term, node.depth
        parent = term.parent_code if depth else None
        path = f"{labels[parent]} › {labels[term.code]}" if parent in labels else None
        items.append(PickItem(labels[term.code], term.code, parent, path))
    return items


class _TermFilter(QSortFilterProxyModel):
    """Matches any part of a label, ignoring case; ancestors of a match stay (recursive filtering),
    and the children of a matching parent stay reachable."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._needle = ""

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if model.data(index, CODE_ROLE) is None:
            return False  # "any" is no answer to a search
        node = index
        while node.isValid():  # a matching parent keeps its children: choosing them refines it
            if self._needle in str(model.data(node, Qt.ItemDataRole.DisplayRole)).casefold():
                return True
            node = node.parent()
        return False


class TermPopup(QFrame):
    """The pop-up of a ``TermPicker``: a filter box over the tree."""

    def __init__(self, picker: TermPicker) -> None:
        super().__init__(picker, Qt.WindowType.Popup)
        self.picker = picker
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setLayoutDirection(picker.layoutDirection())
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(_("Type to filter…"))
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName(_("Filter the list"))
        self.model = QStandardItemModel(self)
        self.proxy = _TermFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView(self)
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAccessibleName(picker.accessibleName() or _("Choices"))
        self.tree.setItemsExpandable(False)
        self.tree.setRootIsDecorated(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        self._fill()
        self.filter.textChanged.connect(self._filter_changed)
        self.filter.installEventFilter(self)
        self.tree.installEventFilter(self)
        self.tree.clicked.connect(self._choose)
        self.tree.activated.connect(self._choose)

    def _fill(self) -> None:
        by_code: dict[str, QStandardItem] = {}
        root = self.model.invisibleRootItem()
        for row in range(self.picker.count()):
            item = QStandardItem(self.picker.itemText(row))
            code = self.picker.itemData(row, CODE_ROLE)
            parent_code = self.picker.itemData(row, PARENT_ROLE)
            item.setData(code, CODE_ROLE)
            item.setData(row, ROW_ROLE)
            item.setToolTip(str(self.picker.itemData(row, Qt.ItemDataRole.ToolTipRole) or ""))
            item.setEditable(False)
            parent_item = by_code.get(parent_code) if isinstance(parent_code, str) else None
            (parent_item or root).appendRow(item)
            if isinstance(code, str):
                by_code[code] = item
        self.tree.expandAll()

    def current_source_row(self) -> int | None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        row = self.proxy.data(index, ROW_ROLE)
        return int(row) if row is not None else None

    def select_row(self, row: int) -> None:
        matches = self.model.match(
            self.model.index(0, 0), ROW_ROLE, row, 1, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
        )
        if matches:
            index = self.proxy.mapFromSource(matches[0])
            if index.isValid():
                self.tree.setCurrentIndex(index)
                self.tree.scrollTo(index)

    def visible_codes(self) -> list[str | None]:
        """The codes the tree shows now, top to bottom (for tests and screen readers alike)."""
        out: list[str | None] = []
        index = self.proxy.index(0, 0)
        while index.isValid():
            out.append(self.proxy.data(index, CODE_ROLE))
            index = self.tree.indexBelow(index)
        return out

    def fit_height(self) -> None:
        """As tall as the rows shown (within limits), so a narrowed list does not float in space."""
        rows = min(max(len(self.visible_codes()), 4), _POPUP_ROWS) + 1
        row_height = max(self.tree.sizeHintForRow(0), self.fontMetrics().height() + 4)
        self.resize(self.width(), row_height * rows + self.filter.sizeHint().height() + 12)

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_needle(text)
        self.tree.expandAll()
        self.fit_height()
        if not self.tree.currentIndex().isValid() or not text.strip():
            first = self.proxy.index(0, 0)
            if first.isValid():
                self.tree.setCurrentIndex(first)

    def _choose(self, index: QModelIndex) -> None:
        row = self.proxy.data(index, ROW_ROLE)
        if row is not None:
            self.picker.choose_row(int(row))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                row = self.current_source_row()
                if row is not None:
                    self.picker.choose_row(row)
                return True
            if key == Qt.Key.Key_Escape:
                self.picker.hidePopup()
                return True
            if watched is self.filter and key in _KEYS_FOR_THE_TREE:
                self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
                self.tree.keyPressEvent(event)
                self.filter.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
            if watched is self.tree and event.text().isprintable() and event.text().strip():
                self.filter.setFocus(Qt.FocusReason.OtherFocusReason)
                self.filter.insert(event.text())
                return True
        return super().eventFilter(watched, event)


class TermPicker(QComboBox):
    """One code from a list that may be a tree; see the module's docstring."""

    def __init__(self, parent: QWidget | None = None, *, min_chars: int = 12) -> None:
        super().__init__(parent)
        self.popup: TermPopup | None = None
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(min_chars)

    @classmethod
    def for_vocabulary(
        cls, vocab: Vocabularies, vocabulary: str, *, empty: str | None = None, parent: QWidget | None = None
    ) -> TermPicker:
        picker = cls(parent)
        picker.set_items(
            ([PickItem(empty, None)] if empty is not None else []) + vocabulary_items(vocab, vocabulary)
        )
        return picker

    def add_item(self, item: PickItem) -> None:
        self.addItem(item.label, item.code)
        row = self.count() - 1
        self.setItemData(row, item.parent_code, PARENT_ROLE)
        depth = 0
        parent = item.parent_code
        while parent is not None and depth < 32:
            index = self.findData(parent, CODE_ROLE)
            depth += 1
            parent = self.itemData(index, PARENT_ROLE) if index >= 0 else None
        self.setItemData(row, depth, DEPTH_ROLE)
        if item.tooltip:
            self.setItemData(row, item.tooltip, Qt.ItemDataRole.ToolTipRole)

    def set_items(self, items: Iterable[PickItem]) -> bool:
        """Replace the choices, keeping the chosen code if it is still offered, without emitting
        anything. Returns whether a chosen code disappeared."""
        chosen = self.currentData(CODE_ROLE)
        self.blockSignals(True)
        try:
            self.clear()
            for item in items:
                self.add_item(item)
            index = self.findData(chosen, CODE_ROLE) if chosen is not None else 0
            self.setCurrentIndex(max(index, 0))
        finally:
            self.blockSignals(False)
        return chosen is not None and index < 0

    def code(self) -> str | None:
        data = self.currentData(CODE_ROLE)
        return str(data) if data else None

    def choose_row(self, row: int) -> None:
        """The user's choice: as a click in a plain combo box (``activated`` then, if it changed,
        ``currentIndexChanged``)."""
        self.hidePopup()
        self.setCurrentIndex(row)
        self.activated.emit(row)

    def showPopup(self) -> None:
        self.open_popup("")

    def open_popup(self, typed: str) -> TermPopup:
        self.hidePopup()
        popup = TermPopup(self)
        self.popup = popup
        width = max(self.width(), popup.tree.sizeHintForColumn(0) + 40)
        popup.resize(width, 100)
        popup.fit_height()
        place_below(self, popup)
        popup.select_row(self.currentIndex())
        popup.show()
        popup.filter.setFocus(Qt.FocusReason.PopupFocusReason)
        if typed:
            popup.filter.setText(typed)
        return popup

    def hidePopup(self) -> None:
        popup, self.popup = self.popup, None
        if popup is not None:
            popup.hide()
            popup.deleteLater()
            self.setFocus(Qt.FocusReason.PopupFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if plain and text and text.isprintable() and text.strip():
            if self.popup is not None:  # keys that reached the box while its pop-up opened
                self.popup.filter.insert(text)
            else:
                self.open_popup(text)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.ignore()  # Enter belongs to the dialog's default button, as on a closed combo box
            return
        super().keyPressEvent(event)
