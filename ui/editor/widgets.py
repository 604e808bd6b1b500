"""Small form widgets over controlled vocabularies: they show labels, hold codes.

Every widget here emits a plain ``changed`` signal when the *user* (or a setter) changes its value;
the editor pages decide what an edit means. Labels come from ``Term.label()``, so they follow the
interface language at the time the widget is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import ClassVar

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
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

from fieldkit.domain.vocab import Term, Vocabularies
from fieldkit.i18n import _
from fieldkit.store.registry import max_lengths

CODE_ROLE = int(Qt.ItemDataRole.UserRole)
INVALID_PROPERTY = "fieldInvalid"
#: applied once at the editor's top level; the property selector highlights fields with errors
INVALID_STYLE = f'*[{INVALID_PROPERTY}="true"] {{ border: 2px solid #c62828; border-radius: 3px; }}'
ERROR_STYLE = "color: #c62828;"
#: dark amber: readable on white (contrast above 4.5:1) and not the red of an error
WARNING_STYLE = "color: #8a5300;"
_INDENT = "\u2003"  # em space: indents children in the reading direction, also in RTL
_NO_DATE = QDate(1900, 1, 1)  # the minimum doubles as "no date", shown as special text


def tree_order(terms: list[Term]) -> list[tuple[Term, int]]:
    """Terms parent-first with their depth; orphans (parent missing or inactive) go to the top level."""
    codes = {t.code for t in terms}
    children: dict[str | None, list[Term]] = {}
    for term in terms:
        parent = term.parent_code if term.parent_code in codes else None
        children.setdefault(parent, []).append(term)
    out: list[tuple[Term, int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for term in children.get(parent, []):
            out.append((term, depth))
            if term.code != parent:  # a self-parented term must not loop forever
                walk(term.code, depth + 1)

    walk(None, 0)
    return out


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


class FieldSet:
    """Field keys mapped to their error labels: shows a ``validate_visit`` result beside the fields."""

    def __init__(self) -> None:
        self._errors: dict[str, FieldError] = {}

    def add(self, key: str, widget: QWidget, *, stretch: bool = False) -> QWidget:
        """``widget`` with its error label under it, to put into a layout instead of the widget."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget, 1 if stretch else 0)
        error = FieldError(widget, box)
        layout.addWidget(error)
        box.setFocusProxy(widget)  # a label's mnemonic on the box lands in the field
        self._errors[key] = error
        return box

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


class CodeCombo(QComboBox):
    """One code from a vocabulary, shown by label; ``empty`` adds a first "no value" entry."""

    changed = Signal()

    def __init__(
        self, vocab: Vocabularies, vocabulary: str, *, empty: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vocab = vocab
        self._vocabulary = vocabulary
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)
        if empty is not None:
            self.addItem(empty, None)
        for term, depth in tree_order(vocab.terms(vocabulary)):
            self.addItem(_INDENT * depth + term.label(), term.code)
        self.currentIndexChanged.connect(self.changed)

    def code(self) -> str | None:
        data = self.currentData(CODE_ROLE)
        return str(data) if data else None

    def set_code(self, code: str | None) -> None:
        index = self.findData(code, CODE_ROLE) if code else self.findData(None, CODE_ROLE)
        if index < 0 and code:
            # A retired or foreign code stays selectable as itself rather than being lost on save.
            self.addItem(self._vocab.label(self._vocabulary, code), code)
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
        for term, _depth in tree_order(vocab.terms(vocabulary)):
            parent_item = items.get(term.parent_code or "")
            items[term.code] = self._new_item(parent_item, term.label(), term.code)
        self.tree.expandAll()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        self.setFocusProxy(self.tree)
        self.filter.textChanged.connect(self._apply_filter)
        self.tree.itemChanged.connect(self._item_changed)

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


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class ApproxDateEdit(QWidget):
    """A date that may be approximate: with precision "month" only month and year are shown and kept,
    with "year" only the year. ``optional`` adds a check box for "no date" (shown as a dash)."""

    changed = Signal()

    #: month names, not numbers: "2 Mar 2026" cannot be misread as February 3rd
    FORMATS: ClassVar[dict[str, str]] = {"day": "d MMM yyyy", "month": "MMM yyyy", "year": "yyyy"}
    CJK_FORMATS: ClassVar[dict[str, str]] = {"day": "yyyy年M月d日", "month": "yyyy年M月", "year": "yyyy年"}

    def __init__(
        self,
        *,
        today: dt.date,
        optional: bool = False,
        toggle_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._precision = "day"
        self._remembered = to_qdate(today)  # where the picker starts when a date is turned on
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setMinimumDate(_NO_DATE)
        self.edit.setMaximumDate(QDate(2199, 12, 31))
        self.edit.setSpecialValueText("—")
        self.edit.setDate(self._remembered)
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
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
        self.set_precision("day")
        self._sync_enabled()
        self.edit.dateChanged.connect(self._date_changed)

    def _sync_enabled(self) -> None:
        on = self.check is None or self.check.isChecked()
        self.edit.setEnabled(on)
        self.setFocusProxy(self.edit if on or self.check is None else self.check)

    def _toggled(self, on: bool) -> None:
        self.edit.blockSignals(True)
        self.edit.setDate(self._remembered if on else _NO_DATE)
        self.edit.blockSignals(False)
        self._sync_enabled()
        if on:
            self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def _date_changed(self, value: QDate) -> None:
        if value != _NO_DATE:
            self._remembered = value
        self.changed.emit()

    def set_precision(self, precision: str | None) -> None:
        self._precision = precision if precision in self.FORMATS else "day"
        cjk = self.edit.locale().language() in (QLocale.Language.Chinese, QLocale.Language.Japanese)
        self.edit.setDisplayFormat((self.CJK_FORMATS if cjk else self.FORMATS)[self._precision])
        self.edit.setCalendarPopup(self._precision == "day")

    def date(self) -> dt.date | None:
        if self.check is not None and not self.check.isChecked():
            return None
        value = self.edit.date()
        if value == _NO_DATE:
            return None
        day = from_qdate(value)
        if self._precision == "month":
            return day.replace(day=1)
        if self._precision == "year":
            return day.replace(month=1, day=1)
        return day

    def set_date(self, value: dt.date | None) -> None:
        self.blockSignals(True)
        try:
            if value is not None:
                self._remembered = to_qdate(value)
            if self.check is not None:
                self.check.setChecked(value is not None)
            self.edit.setDate(to_qdate(value) if value is not None else _NO_DATE)
            self._sync_enabled()
        finally:
            self.blockSignals(False)
        self.changed.emit()
