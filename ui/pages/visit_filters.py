"""The search box and filters above the monitoring list; they produce a ``VisitFilter``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from fieldkit.domain.vocab import Vocabularies
from fieldkit.i18n import _
from fieldkit.services.monitoring_types import AreaRow, VisitFilter
from ui.date_edit import DateEdit
from ui.pages.visit_search_hint import deleted_only_label
from ui.vocab_picker import PickItem, TermPicker, vocabulary_items

SEARCH_DEBOUNCE_MS = 250


def _combo(parent: QWidget, any_text: str, items: list[tuple[str, str]]) -> QComboBox:
    """First item means "no filter" (data None); the others carry their code."""
    combo = QComboBox(parent)
    combo.addItem(any_text, None)
    for code, label in items:
        combo.addItem(label, code)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)  # seven filters side by side still fit a 1024 px screen
    combo.setMaxVisibleItems(20)
    return combo


def _refill(picker: TermPicker, items: Sequence[PickItem]) -> bool:
    """Replace the items after the first ("any") one; keep the chosen code if it is still there.
    Returns whether the chosen one disappeared."""
    return picker.set_items([PickItem(picker.itemText(0), None), *items])


def _picker(parent: QWidget, any_text: str) -> TermPicker:
    picker = TermPicker(parent, min_chars=8)  # eight filters side by side still fit a 1024 px screen
    picker.set_items([PickItem(any_text, None)])
    return picker


def _refill_combo(combo: QComboBox, items: Sequence[tuple[str, str]]) -> bool:
    """As ``_refill`` for a plain list of (label, code)."""
    chosen = combo.currentData()
    combo.blockSignals(True)
    try:
        while combo.count() > 1:
            combo.removeItem(combo.count() - 1)
        for label, code in items:
            combo.addItem(label, code)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
    finally:
        combo.blockSignals(False)
    return chosen is not None and index < 0


class VisitFilterBar(QWidget):
    """``changed`` fires once per change (typing is debounced) with nothing: ask ``current_filter()``."""

    changed = Signal()

    def __init__(
        self,
        vocab: Vocabularies,
        areas: tuple[AreaRow, ...],
        parent: QWidget | None = None,
        *,
        offices: tuple[str, ...] = (),
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(_("Search titles, narratives and incidents, in any language…"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search visits"))
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self._search_now)

        self.date_from = DateEdit(
            today=today, placeholder=_("Any date"), accessible_name=_("From"), parent=self
        )
        self.date_to = DateEdit(today=today, placeholder=_("Any date"), accessible_name=_("To"), parent=self)
        self.visit_type = _picker(self, _("Any type"))
        self.location = _picker(self, _("Anywhere"))
        self.violation = _picker(self, _("Any violation"))
        self.followups = _combo(
            self,
            _("Any follow-up status"),
            [("open", _("Has open follow-ups")), ("overdue", _("Has overdue follow-ups")),
             ("none", _("No open follow-ups"))],
        )  # fmt: skip
        self.confidentiality = _picker(self, _("Any confidentiality"))
        self.office = _combo(self, _("All offices"), [])
        self.show_deleted = QCheckBox(deleted_only_label(), self)
        self.show_deleted.setToolTip(
            _("Show the deleted visits instead of the others, to search and restore them")
        )
        self.clear_button = QPushButton(_("Clear filters"), self)
        self.clear_button.clicked.connect(self.clear)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.show_deleted)
        top.addWidget(self.clear_button)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        fields: list[tuple[str, QWidget]] = [
            (_("From"), self.date_from),
            (_("To"), self.date_to),
            (_("Type"), self.visit_type),
            (_("Location"), self.location),
            (_("Violation"), self.violation),
            (_("Follow-ups"), self.followups),
            (_("Confidentiality"), self.confidentiality),
            (_("Office"), self.office),
        ]
        for column, (text, widget) in enumerate(fields):
            label = QLabel(text, self)
            label.setBuddy(widget)
            grid.addWidget(label, 0, column)
            grid.addWidget(widget, 1, column)
            grid.setColumnStretch(column, 0 if isinstance(widget, DateEdit) else 1)
        self.office_label, self._grid, self._office_column = label, grid, column
        self.set_choices(vocab, areas, offices)

        outer = QGridLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(top, 0, 0)
        outer.addLayout(grid, 1, 0)

        for edit in (self.date_from, self.date_to):
            edit.changed.connect(self.changed)
        for combo in self._combos():
            combo.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.show_deleted.toggled.connect(lambda _on: self.changed.emit())

    def set_choices(self, vocab: Vocabularies, areas: tuple[AreaRow, ...], offices: tuple[str, ...]) -> None:
        """Fill the lists from the workspace, keeping what is chosen; ``changed`` fires only if a
        chosen item is gone (e.g. a place deleted by an import)."""
        known = {a.id for a in areas}
        # places are a tree too; the tooltip has the full path
        places = [
            PickItem(a.name, a.id, a.parent_id if a.parent_id in known else None, a.path) for a in areas
        ]
        lost = [
            _refill(self.visit_type, vocabulary_items(vocab, "visit_type")),
            _refill(self.location, places),
            _refill(self.violation, vocabulary_items(vocab, "violation_type")),
            _refill(self.confidentiality, vocabulary_items(vocab, "sensitivity_level")),
            _refill_combo(self.office, [(code, code) for code in offices]),
        ]
        # a field office holds only its own visits: no office filter to offer
        several = len(offices) > 1
        self.office.setVisible(several)
        self.office_label.setVisible(several)
        self._grid.setColumnStretch(self._office_column, 1 if several else 0)
        if any(lost):
            self.changed.emit()

    def _combos(self) -> tuple[QComboBox, ...]:
        return (
            self.visit_type,
            self.location,
            self.violation,
            self.followups,
            self.confidentiality,
            self.office,
        )

    def _search_now(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()

    def current_filter(self) -> VisitFilter:
        def code(combo: QComboBox) -> str | None:
            value = combo.currentData()
            return value if isinstance(value, str) else None

        visit_type, confidentiality = code(self.visit_type), code(self.confidentiality)
        return VisitFilter(
            text=self.search.text().strip(),
            date_from=self.date_from.date(),
            date_to=self.date_to.date(),
            visit_types=(visit_type,) if visit_type else (),
            admin_area_id=code(self.location),
            violation_type=code(self.violation),
            followups=code(self.followups),
            confidentiality=(confidentiality,) if confidentiality else (),
            origin_office=code(self.office),
            deleted=self.show_deleted.isChecked(),
        )

    def clear(self) -> None:
        # One query for the whole reset, not one per widget.
        self.blockSignals(True)
        try:
            self.search.clear()
            self._debounce.stop()
            self.date_from.set_date(None)
            self.date_to.set_date(None)
            for combo in self._combos():
                combo.setCurrentIndex(0)
            self.show_deleted.setChecked(False)
        finally:
            self.blockSignals(False)
        self.changed.emit()
