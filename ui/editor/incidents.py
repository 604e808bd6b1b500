"""The "Incidents" page: a list of incidents and the selected one's details."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.vocab import Vocabularies
from fieldkit.formatting import format_day
from fieldkit.i18n import _
from fieldkit.services.monitoring_types import IncidentData
from ui.editor.children import ChildPage, shorten
from ui.editor.widgets import ApproxDateEdit, CodeCombo, CodeTree, buddy_label, text_box

MAX_VICTIMS = 1_000_000


def incident_label(index: int, incident: IncidentData) -> str:
    """How a person's incident link names an incident."""
    summary = shorten(incident.summary, 40)
    if summary:
        return _("Incident {number}: {summary}").format(number=index + 1, summary=summary)
    return _("Incident {number}").format(number=index + 1)


class VictimGrid(QWidget):
    """Victim counts by age group (rows) and sex (columns); only non-zero cells are kept."""

    changed = Signal()

    def __init__(self, vocab: Vocabularies, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spins: dict[str, QSpinBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        sexes = vocab.terms("sex")
        ages = vocab.terms("age_group")
        for column, sex in enumerate(sexes, start=1):
            header = QLabel(sex.label())
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(header, 0, column)
        for row, age in enumerate(ages, start=1):
            grid.addWidget(QLabel(age.label()), row, 0)
            for column, sex in enumerate(sexes, start=1):
                spin = QSpinBox()
                spin.setRange(0, MAX_VICTIMS)
                # no arrow buttons (the keyboard's arrows still step): twenty cells fit 1024 px
                spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
                spin.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
                spin.setMaximumWidth(spin.fontMetrics().horizontalAdvance(str(MAX_VICTIMS)) + 24)
                spin.setAccessibleName(_("{sex}, {age_group}").format(sex=sex.label(), age_group=age.label()))
                spin.setToolTip(spin.accessibleName())
                spin.valueChanged.connect(self.changed)
                self._spins[f"{sex.code}/{age.code}"] = spin
                grid.addWidget(spin, row, column)
        self._extra: dict[str, int] = {}  # groups the vocabularies no longer list: kept, not shown
        if self._spins:
            self.setFocusProxy(next(iter(self._spins.values())))

    def spin(self, sex: str, age_group: str) -> QSpinBox:
        return self._spins[f"{sex}/{age_group}"]

    def value(self) -> dict[str, int]:
        counts = {key: spin.value() for key, spin in self._spins.items() if spin.value()}
        return {**self._extra, **counts}

    def set_value(self, counts: dict[str, int]) -> None:
        self._extra = {k: v for k, v in counts.items() if k not in self._spins}
        for key, spin in self._spins.items():
            spin.blockSignals(True)
            spin.setValue(int(counts.get(key, 0)))
            spin.blockSignals(False)


class IncidentsPage(ChildPage[IncidentData]):
    def __init__(
        self, vocab: Vocabularies, today: Callable[[], dt.date], parent: QWidget | None = None
    ) -> None:
        self.vocab = vocab
        self._today = today
        super().__init__(
            "incidents",
            [_("Date"), _("Summary"), _("Violations")],
            _("&New incident"),
            _("&Remove incident"),
            Qt.Orientation.Horizontal,
            parent,
            detail_fills=True,
        )

    def build_detail(self) -> QWidget:
        vocab, f = self.vocab, self.fields
        self.date = ApproxDateEdit(
            today=self._today(), optional=True, toggle_name=_("The incident date is known")
        )
        self.perpetrator = CodeCombo(vocab, "perpetrator_type", empty=_("Not known"))
        self.pattern = CodeCombo(vocab, "incident_pattern")
        self.reliability = CodeCombo(vocab, "source_reliability", empty=_("Not assessed"))
        self.summary = text_box(3)
        self.violations = CodeTree(vocab, "violation_type", title=_("Violation types"))
        self.rights = CodeTree(vocab, "right", title=_("Rights"))
        self.groups = CodeTree(vocab, "affected_group", title=_("Affected groups"))
        self.victims = VictimGrid(vocab)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f.add_row(form, _("Incident da&te:"), "incident_date", self.date)
        f.add_row(form, _("Perpetrator t&ype:"), "perpetrator_type", self.perpetrator)
        f.add_row(form, _("Patt&ern:"), "pattern", self.pattern)
        f.add_row(form, _("Source re&liability:"), "source_reliability", self.reliability)
        f.add_row(form, _("S&ummary:"), "summary", self.summary)
        victims_box = QGroupBox(_("Victi&ms (number of people)"))
        victims_layout = QVBoxLayout(victims_box)
        victims_layout.addWidget(f.add("victims", self.victims))
        victims_layout.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(form, 3)
        top.addWidget(victims_box, 2)

        trees = QHBoxLayout()
        for key, tree, text in (
            ("violation_types", self.violations, _("Vi&olation types:")),
            ("rights", self.rights, _("Rig&hts:")),
            ("affected_groups", self.groups, _("Affe&cted groups:")),
        ):
            column = QVBoxLayout()
            label = buddy_label(text, tree)
            box = f.add(key, tree, stretch=True)
            tree.tree.setMinimumHeight(150)
            column.addWidget(label)
            column.addWidget(box, 1)
            trees.addLayout(column, 1)

        detail = QWidget()
        layout = QVBoxLayout(detail)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(trees, 1)

        for field, signal in (
            ("incident_date", self.date.changed),
            ("perpetrator_type", self.perpetrator.changed),
            ("pattern", self.pattern.changed),
            ("source_reliability", self.reliability.changed),
            ("summary", self.summary.textChanged),
            ("violation_types", self.violations.changed),
            ("rights", self.rights.changed),
            ("affected_groups", self.groups.changed),
            ("victims", self.victims.changed),
        ):
            signal.connect(lambda *_args, k=field: self.detail_edited(k))
        return detail

    def new_item(self) -> IncidentData:
        return IncidentData()

    def cells(self, item: IncidentData, row: int) -> list[str]:
        date = format_day(item.incident_date) or "—"
        violations = ", ".join(self.vocab.label("violation_type", c) for c in item.violation_types)
        return [date, shorten(item.summary, 40), shorten(violations, 50)]

    def show_item(self, item: IncidentData) -> None:
        self.date.set_date(item.incident_date)
        self.perpetrator.set_code(item.perpetrator_type)
        self.pattern.set_code(item.pattern)
        self.reliability.set_code(item.source_reliability)
        self.summary.setPlainText(item.summary)
        self.violations.set_codes(item.violation_types)
        self.rights.set_codes(item.rights)
        self.groups.set_codes(item.affected_groups)
        self.victims.set_value(item.victims)

    def read_item(self, item: IncidentData) -> IncidentData:
        return dataclasses.replace(
            item,
            incident_date=self.date.date(),
            perpetrator_type=self.perpetrator.code(),
            pattern=self.pattern.code() or "isolated",
            source_reliability=self.reliability.code(),
            summary=self.summary.toPlainText().strip(),
            violation_types=self.violations.codes(),
            rights=self.rights.codes(),
            affected_groups=self.groups.codes(),
            victims=self.victims.value(),
        )

    def first_field(self) -> QWidget:
        return self.date
