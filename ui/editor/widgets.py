"""Small form widgets over controlled vocabularies: they show labels, hold codes.

Every widget here emits a plain ``changed`` signal when the *user* (or a setter) changes its value;
the editor pages decide what an edit means. Labels come from ``Term.label()``, so they follow the
interface language at the time the widget is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import ClassVar

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.vocab import Vocabularies
from fieldkit.formatting import DateKind
from fieldkit.i18n import _
from fieldkit.store.registry import max_lengths
from ui.date_edit import DateEdit
from ui.vocab_picker import CODE_ROLE as CODE_ROLE
from ui.vocab_picker import PickItem, TermPicker, vocabulary_items

INVALID_PROPERTY = "fieldInvalid"
#: applied once at the editor's top level; the property selector highlights fields with errors
INVALID_STYLE = f'*[{INVALID_PROPERTY}="true"] {{ border: 2px solid #c62828; border-radius: 3px; }}'
ERROR_STYLE = "color: #c62828;"
#: dark amber: readable on white (contrast above 4.5:1) and not the red of an error
WARNING_STYLE = "color: #8a5300;"


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Mark a field for the INVALID_STYLE rule (a property change needs a re-polish to show)."""
    if bool(widget.property(INVALID_PROPERTY)) == invalid:
        return
    widget.setProperty(INVALID_PROPERTY, invalid)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def line_edit(record_type: str, field: str) -> QLineEdit:
    """A one-line edit that takes no more text than the field's column declares."""
    edit = QLineEdit()
    limit = max_lengths(record_type).get(field)
    if limit is not None:
        edit.setMaxLength(limit)
    return edit


def text_box(lines: int) -> QTextEdit:
    """Multi-line plain text. QTextEdit, not QPlainTextEdit: only QTextEdit aligns each paragraph by
    its own direction, so Arabic notes sit right and English ones left in either interface direction."""
    edit = QTextEdit()
    edit.setAcceptRichText(False)
    edit.setTabChangesFocus(True)  # Tab must leave the field for keyboard-only use
    height = edit.fontMetrics().lineSpacing() * lines + 12
    edit.setMinimumHeight(height)
    if lines <= 3:
        edit.setMaximumHeight(height)
    return edit


class FieldError(QLabel):
    """The red message under one field; hidden while there is nothing to say."""

    def __init__(self, target: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.is_warning = False
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.hide()

    def set_message(self, message: str | None, *, warning: bool = False) -> None:
        """An error marks the field invalid; a warning only says what looks wrong, in another colour."""
        self.is_warning = warning and bool(message)
        self.setStyleSheet(WARNING_STYLE if self.is_warning else ERROR_STYLE)
        self.setText(message or "")
        self.setVisible(bool(message))
        set_invalid(self.target, bool(message) and not warning)
        # Screen readers announce the description when the field gets focus.
        self.target.setAccessibleDescription(message or "")


def mnemonic_buddy(widget: QWidget) -> QWidget:
    """The widget a label's mnemonic should focus for ``widget``.

    QLabel ignores a buddy whose focus policy is NoFocus, so a compound input that hands focus to a
    proxy (a date with its check box, a filterable tree) is made to accept focus; one without a proxy
    is represented by its first focusable child.
    """
    if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
        return widget
    if widget.focusProxy() is not None:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return widget
    for child in widget.findChildren(QWidget):
        if child.focusPolicy() & Qt.FocusPolicy.TabFocus and child.focusProxy() is None:
            return child
    return widget


def buddy_label(text: str, widget: QWidget) -> QLabel:
    """A field label whose mnemonic (``&``) puts the cursor in ``widget``."""
    label = QLabel(text)
    label.setBuddy(mnemonic_buddy(widget))
    return label


class FieldSet:
    """Field keys mapped to their error labels: shows a ``validate_visit`` result beside the fields."""

    def __init__(self) -> None:
        self._errors: dict[str, FieldError] = {}

    def add(self, key: str, widget: QWidget, *, stretch: bool = False) -> QWidget:
        """``widget`` with its error label under it, to put into a layout instead of the widget.

        The box takes no focus and has no focus proxy: a proxy would keep the box in the Tab chain
        where it was created and pull focus back to the field after the field's own turn.
        """
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget, 1 if stretch else 0)
        error = FieldError(widget, box)
        layout.addWidget(error)
        self._errors[key] = error
        return box

    def add_row(self, form: QFormLayout, text: str, key: str, widget: QWidget) -> None:
        """A form row: the label (its mnemonic reaching ``widget``), then ``widget`` with its error label."""
        form.addRow(buddy_label(text, widget), self.add(key, widget))

    def keys(self) -> set[str]:
        return set(self._errors)

    def __contains__(self, key: object) -> bool:
        return key in self._errors

    def show(self, errors: Mapping[str, str], warnings: Mapping[str, str] | None = None) -> None:
        """Errors beside their fields; a warning where a field has no error."""
        warnings = warnings or {}
        for key, label in self._errors.items():
            error = errors.get(key)
            label.set_message(error or warnings.get(key), warning=not error)

    def first_invalid(self) -> QWidget | None:
        return next((e.target for e in self._errors.values() if e.text() and not e.is_warning), None)

    def key_of(self, widget: QWidget) -> str | None:
        """The key of the field ``widget`` belongs to (a compound field's part counts as the field)."""
        return next(
            (k for k, e in self._errors.items() if e.target is widget or e.target.isAncestorOf(widget)), None
        )


class CodeCombo(TermPicker):
    """One code from a vocabulary, shown by label and picked from its tree; ``empty`` adds a first
    "no value" entry."""

    changed = Signal()

    def __init__(
        self, vocab: Vocabularies, vocabulary: str, *, empty: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vocab = vocab
        self._vocabulary = vocabulary
        head = [PickItem(empty, None)] if empty is not None else []
        self.set_items(head + vocabulary_items(vocab, vocabulary))
        self.currentIndexChanged.connect(self.changed)

    def set_code(self, code: str | None) -> None:
        index = self.findData(code, CODE_ROLE) if code else self.findData(None, CODE_ROLE)
        if index < 0 and code:
            # A retired or foreign code stays selectable as itself rather than being lost on save.
            self.add_item(PickItem(self._vocab.label(self._vocabulary, code), code))
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))


class CodeTree(QWidget):
    """Several codes from a (possibly hierarchical) vocabulary as a checkable tree with a filter box.

    Parents and children are checked independently: a parent is a valid, more general code.
    """

    changed = Signal()

    def __init__(
        self, vocab: Vocabularies, vocabulary: str, *, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vocab = vocab
        self._vocabulary = vocabulary
        self._setting = False
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Filter…"))
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName(_("Filter {list}").format(list=title))
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName(title)
        items: dict[str, QTreeWidgetItem] = {}
        for term in (node.term for node in vocab.tree(vocabulary)):
            parent_item = items.get(term.parent_code or "")
            items[term.code] = self._new_item(parent_item, term.label(), term.code)
        self.tree.expandAll()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        # The filter comes first in the Tab chain: a proxy further in would make Tab jump over it.
        self.setFocusProxy(self.filter)
        self.filter.textChanged.connect(self._apply_filter)
        self.filter.installEventFilter(self)
        self.tree.itemChanged.connect(self._item_changed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down from the filter box goes into the list, as under a search field anywhere
        if (
            watched is self.filter
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self.tree.setFocus(Qt.FocusReason.TabFocusReason)
            current = self.tree.currentItem()
            if current is None or current.isHidden():
                first = next((i for i in self._items() if not i.isHidden()), None)
                if first is not None:
                    self.tree.setCurrentItem(first)
            return True
        return super().eventFilter(watched, event)

    def _new_item(self, parent: QTreeWidgetItem | None, label: str, code: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label]) if parent is None else QTreeWidgetItem(parent, [label])
        if parent is None:
            self.tree.addTopLevelItem(item)
        item.setData(0, CODE_ROLE, code)
        item.setToolTip(0, label)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Unchecked)
        return item

    def _items(self) -> Iterable[QTreeWidgetItem]:
        it = QTreeWidgetItemIterator(self.tree)
        while (item := it.value()) is not None:
            yield item
            it += 1

    def codes(self) -> tuple[str, ...]:
        return tuple(
            str(i.data(0, CODE_ROLE)) for i in self._items() if i.checkState(0) == Qt.CheckState.Checked
        )

    def set_codes(self, codes: Iterable[str]) -> None:
        wanted = set(codes)
        self._setting = True
        try:
            present = set()
            for item in self._items():
                code = str(item.data(0, CODE_ROLE))
                present.add(code)
                checked = Qt.CheckState.Checked if code in wanted else Qt.CheckState.Unchecked
                item.setCheckState(0, checked)
            for code in sorted(wanted - present):  # unknown codes stay visible so saving keeps them
                self._new_item(None, self._vocab.label(self._vocabulary, code), code).setCheckState(
                    0, Qt.CheckState.Checked
                )
        finally:
            self._setting = False
        self.changed.emit()

    def _item_changed(self, _item: QTreeWidgetItem, _column: int) -> None:
        if not self._setting:
            self.changed.emit()

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for item in self._items():
            item.setHidden(bool(needle))
        if not needle:
            return
        for item in self._items():
            if needle in item.text(0).casefold() or needle in str(item.data(0, CODE_ROLE)).casefold():
                node: QTreeWidgetItem | None = item
                while node is not None:  # keep the way to a match visible
                    node.setHidden(False)
                    node = node.parent()
                below = [item]
                while below:  # and what refines it
                    parent = below.pop()
                    for i in range(parent.childCount()):
                        child = parent.child(i)
                        if child is not None:
                            child.setHidden(False)
                            below.append(child)


class ApproxDateEdit(QWidget):
    """A date that may be approximate: with precision "month" only month and year are shown and kept,
    with "year" only the year. ``optional`` adds a check box for "no date"."""

    changed = Signal()

    PRECISIONS: ClassVar[dict[str, DateKind]] = {"day": "day", "month": "month", "year": "year"}

    def __init__(
        self,
        *,
        today: dt.date,
        optional: bool = False,
        toggle_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._remembered = today  # what a date turned on starts at
        self.edit = DateEdit(today=lambda: self._remembered, accessible_name=toggle_name)
        self.edit.set_date(today)
        self.check: QCheckBox | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        if optional:
            self.check = QCheckBox()
            self.check.setAccessibleName(toggle_name or _("Date known"))
            self.check.setToolTip(toggle_name or _("Date known"))
            layout.addWidget(self.check)
            self.check.toggled.connect(self._toggled)
        layout.addWidget(self.edit, 1)
        self._sync_enabled()
        self.edit.changed.connect(self._date_changed)

    def _sync_enabled(self) -> None:
        on = self.check is None or self.check.isChecked()
        self.edit.setEnabled(on)
        # The first Tab stop, always: a proxy past the check box would make Tab jump over it.
        self.setFocusProxy(self.edit if self.check is None else self.check)

    def _toggled(self, on: bool) -> None:
        self.edit.blockSignals(True)
        self.edit.set_date(self._remembered if on else None)
        self.edit.blockSignals(False)
        self._sync_enabled()
        if on:
            self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def _date_changed(self) -> None:
        value = self.edit.date()
        if value is not None:
            self._remembered = value
        self.changed.emit()

    def set_precision(self, precision: str | None) -> None:
        self.edit.set_kind(self.PRECISIONS.get(precision or "day", "day"))

    def date(self) -> dt.date | None:
        if self.check is not None and not self.check.isChecked():
            return None
        return self.edit.date()

    def set_date(self, value: dt.date | None) -> None:
        self.blockSignals(True)
        try:
            if value is not None:
                self._remembered = value
            if self.check is not None:
                self.check.setChecked(value is not None)
            self.edit.set_date(value)
            self._sync_enabled()
        finally:
            self.blockSignals(False)
        self.changed.emit()
