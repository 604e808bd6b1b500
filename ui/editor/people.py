"""The "People" page: people involved, under a code; who they are sits in a restricted group
that stays hidden until the officer asks for it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.vocab import Vocabularies
from fieldkit.i18n import _
from fieldkit.services.monitoring_types import PersonData
from ui.editor.children import ChildPage
from ui.editor.widgets import CODE_ROLE, CodeCombo, line_edit, text_box
from ui.widgets import text_width

FIRST_BIRTH_YEAR = 1900
_RESTRICTED_STYLE = (
    "QGroupBox#restricted { border: 2px solid #b26a00; margin-top: 1.2em; padding: 6px; }"
    " QGroupBox#restricted::title { color: #b26a00; subcontrol-origin: margin; padding: 0 4px; }"
)


class PeoplePage(ChildPage[PersonData]):
    def __init__(
        self, vocab: Vocabularies, today: Callable[[], dt.date], parent: QWidget | None = None
    ) -> None:
        self.vocab = vocab
        self._today = today
        self._incident_labels: list[str] = []
        super().__init__(
            "people",
            [_("Code"), _("Role"), _("Sex"), _("Age group"), _("Birth year"), _("Incident")],
            _("&New person"),
            _("&Remove person"),
            Qt.Orientation.Vertical,
            parent,
        )
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Codes and vocabulary labels are short but must show whole: room for the widest there is."""
        icon = self.table.fontMetrics().height()  # the code column shows a warning icon too
        widths = {0: text_width(self.table, ["KE-NBO-P000000"]) + icon}
        for column, vocabulary in ((1, "person_role"), (2, "sex"), (3, "age_group")):
            widths[column] = text_width(self.table, [term.label() for term in self.vocab.terms(vocabulary)])
        header = self.table.horizontalHeader()
        for column, width in widths.items():
            header.resizeSection(column, max(width, header.sectionSizeHint(column)))

    def build_detail(self) -> QWidget:
        vocab, f = self.vocab, self.fields
        self.code = line_edit("person", "code")
        self.code.setPlaceholderText(_("e.g. V-01 (never a name)"))
        self.role = CodeCombo(vocab, "person_role")
        self.sex = CodeCombo(vocab, "sex")
        self.age_group = CodeCombo(vocab, "age_group")
        self.birth_year = QSpinBox()
        self.birth_year.setRange(FIRST_BIRTH_YEAR - 1, self._today().year)
        self.birth_year.setSpecialValueText(_("Not known"))  # the minimum stands for "no year"
        self.incident = QComboBox()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f.add_row(form, _("&Code:"), "code", self.code)
        f.add_row(form, _("R&ole:"), "role", self.role)
        f.add_row(form, _("Se&x:"), "sex", self.sex)
        f.add_row(form, _("Age gro&up:"), "age_group", self.age_group)
        f.add_row(form, _("&Birth year:"), "birth_year", self.birth_year)
        f.add_row(form, _("Linked inciden&t:"), "incident_index", self.incident)

        self.show_identity = QCheckBox(_("S&how identifying details"))
        self.restricted = QGroupBox(_("Restricted — identifying details"))
        self.restricted.setObjectName("restricted")
        self.restricted.setStyleSheet(_RESTRICTED_STYLE)
        self.full_name = line_edit("person_identity", "full_name")
        self.other_names = line_edit("person_identity", "other_names")
        self.contact = line_edit("person_identity", "contact")
        self.address = line_edit("person_identity", "address")
        self.notes = text_box(2)
        warning = QLabel(_("Only for people who need to know. These details identify a person at risk."))
        warning.setWordWrap(True)
        private = QFormLayout(self.restricted)
        private.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        private.addRow(warning)
        f.add_row(private, _("&Full name:"), "full_name", self.full_name)
        f.add_row(private, _("Other na&mes:"), "other_names", self.other_names)
        f.add_row(private, _("Contact:"), "contact", self.contact)
        f.add_row(private, _("Addr&ess:"), "address", self.address)
        f.add_row(private, _("Notes:"), "notes", self.notes)
        self.restricted.setVisible(False)
        right = QVBoxLayout()
        right.addWidget(self.show_identity)
        right.addWidget(self.restricted)
        right.addStretch(1)

        detail = QWidget()
        layout = QHBoxLayout(detail)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(form, 1)
        layout.addLayout(right, 1)

        self.show_identity.toggled.connect(self.restricted.setVisible)
        for field, signal in (
            ("code", self.code.textChanged),
            ("role", self.role.changed),
            ("sex", self.sex.changed),
            ("age_group", self.age_group.changed),
            ("birth_year", self.birth_year.valueChanged),
            ("incident_index", self.incident.currentIndexChanged),
            ("full_name", self.full_name.textChanged),
            ("other_names", self.other_names.textChanged),
            ("contact", self.contact.textChanged),
            ("address", self.address.textChanged),
            ("notes", self.notes.textChanged),
        ):
            signal.connect(lambda *_args, k=field: self.detail_edited(k))
        return detail

    def hide_identity(self) -> None:
        self.show_identity.setChecked(False)

    # -- incident links ---------------------------------------------------------------

    def set_incident_labels(self, labels: list[str]) -> None:
        """The incidents a person can be linked to, named as the incidents page names them."""
        self._incident_labels = labels
        self._loading = True
        try:
            current = self.incident.currentData(CODE_ROLE)
            self.incident.clear()
            self.incident.addItem(_("Not linked to one incident"), None)
            for index, label in enumerate(labels):
                self.incident.addItem(label, index)
            found = self.incident.findData(current, CODE_ROLE) if current is not None else 0
            self.incident.setCurrentIndex(max(found, 0))
        finally:
            self._loading = False
        self.replace_items(self.items())  # refresh the "Incident" column

    def incident_removed(self, removed: int) -> None:
        """Keep links pointing at the same incidents after one of them went away."""

        def shifted(p: PersonData) -> PersonData:
            if p.incident_index is None or p.incident_index < removed:
                return p
            new = None if p.incident_index == removed else p.incident_index - 1
            return dataclasses.replace(p, incident_index=new)

        self.replace_items([shifted(p) for p in self.items()])

    # -- rows ---------------------------------------------------------------------------

    def new_item(self) -> PersonData:
        return PersonData()

    def cells(self, item: PersonData, row: int) -> list[str]:
        index = item.incident_index
        link = str(index + 1) if index is not None else ""
        return [
            item.code,
            self.vocab.label("person_role", item.role),
            self.vocab.label("sex", item.sex),
            self.vocab.label("age_group", item.age_group),
            str(item.birth_year or ""),
            link,
        ]

    def show_item(self, item: PersonData) -> None:
        self.code.setText(item.code)
        self.role.set_code(item.role)
        self.sex.set_code(item.sex)
        self.age_group.set_code(item.age_group)
        self.birth_year.setValue(item.birth_year or self.birth_year.minimum())
        found = (
            self.incident.findData(item.incident_index, CODE_ROLE) if item.incident_index is not None else 0
        )
        self.incident.setCurrentIndex(max(found, 0))
        self.full_name.setText(item.full_name)
        self.other_names.setText(item.other_names)
        self.contact.setText(item.contact)
        self.address.setText(item.address)
        self.notes.setPlainText(item.notes)

    def read_item(self, item: PersonData) -> PersonData:
        year = self.birth_year.value()
        index = self.incident.currentData(CODE_ROLE)
        return dataclasses.replace(
            item,
            code=self.code.text().strip(),
            role=self.role.code() or "",
            sex=self.sex.code() or "",
            age_group=self.age_group.code() or "",
            birth_year=None if year == self.birth_year.minimum() else year,
            incident_index=int(index) if index is not None else None,
            full_name=self.full_name.text().strip(),
            other_names=self.other_names.text().strip(),
            contact=self.contact.text().strip(),
            address=self.address.text().strip(),
            notes=self.notes.toPlainText().strip(),
        )

    def first_field(self) -> QWidget:
        return self.code
