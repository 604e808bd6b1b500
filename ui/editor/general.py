"""The "General" page of the visit editor: what, when, where, who and the narrative."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.vocab import Vocabularies
from fieldkit.i18n import _
from fieldkit.services.monitoring_types import AreaRow, VisitData
from ui.editor.widgets import (
    CODE_ROLE,
    ApproxDateEdit,
    CodeCombo,
    FieldSet,
    buddy_label,
    line_edit,
    text_box,
)

#: keys this page owns in a ``validate_visit`` result
GENERAL_KEYS = frozenset(
    {"title", "visit_type", "confidentiality", "date_precision", "date_start", "date_end", "admin_area_id",
     "location_text", "latitude", "longitude", "team", "institution_type", "institutions", "counterparts",
     "narrative"}
)  # fmt: skip
_DATE_KEYS = ("date_start", "date_end", "date_precision")


def parse_coordinate(text: str) -> float | None:
    """A number typed with any decimal mark (".", "," or the Arabic "٫") and any digits Python knows."""
    cleaned = text.strip().replace("٫", ".").replace(",", ".")
    return float(cleaned) if cleaned else None


class AreaCombo(QComboBox):
    """The administrative area by its full path; typing filters the list (any part of the path)."""

    def __init__(self, areas: list[AreaRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(20)
        self._fill(areas)
        line = self.lineEdit()
        assert line is not None
        line.setPlaceholderText(_("Type to search places…"))
        completer = QCompleter(self.model(), self)
        completer.setCompletionColumn(0)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)

    def _fill(self, areas: list[AreaRow]) -> None:
        self.addItem("", None)
        for area in sorted(areas, key=lambda a: a.path.casefold()):
            self.addItem(area.path, area.id)

    def set_areas(self, areas: list[AreaRow]) -> None:
        """Offer these areas (the store learnt new ones); what is chosen or typed stays, and nobody
        is told the field changed, since the user did not change it."""
        area_id, _known = self.area()
        text = self.currentText()
        self.blockSignals(True)
        try:
            self.clear()
            self._fill(areas)
            if area_id is not None:
                self.set_area(area_id)
            else:
                self.setEditText(text)
        finally:
            self.blockSignals(False)

    def area(self) -> tuple[str | None, bool]:
        """(area id or None, whether the typed text names a known area)."""
        text = self.currentText().strip()
        if not text:
            return None, True
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        return (str(self.itemData(index, CODE_ROLE)), True) if index > 0 else (None, False)

    def set_area(self, area_id: str | None) -> None:
        index = self.findData(area_id, CODE_ROLE) if area_id else 0
        if index < 0 and area_id:  # an area this office does not know (yet): keep the id, show it plainly
            self.addItem(str(area_id), area_id)
            index = self.count() - 1
        self.setCurrentIndex(index)
        self.setEditText(self.itemText(index))


class GeneralPage(QScrollArea):
    """Visit fields; ``edited`` carries the key of the field the user changed."""

    edited = Signal(str)

    def __init__(
        self,
        vocab: Vocabularies,
        areas: list[AreaRow],
        today: Callable[[], dt.date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._today = today
        self._loading = False
        self._unknown_area_id: str | None = None
        self.fields = FieldSet()
        f = self.fields
        self.title = line_edit("monitoring_visit", "title")
        self.visit_type = CodeCombo(vocab, "visit_type", empty=_("Choose…"))
        self.confidentiality = CodeCombo(vocab, "sensitivity_level")
        self.precision = CodeCombo(vocab, "date_precision")
        self.date_start = ApproxDateEdit(today=today())
        self.date_end = ApproxDateEdit(
            today=today(), optional=True, toggle_name=_("The visit has an end date")
        )
        self.area = AreaCombo(areas)
        self.location = line_edit("monitoring_visit", "location_text")
        self.location.setPlaceholderText(_("Village, facility, street…"))
        self.latitude = QLineEdit()
        self.latitude.setPlaceholderText(_("Latitude, e.g. -1.2921"))
        self.latitude.setAccessibleName(_("Latitude"))
        self.longitude = QLineEdit()
        self.longitude.setPlaceholderText(_("Longitude, e.g. 36.8219"))
        self.longitude.setAccessibleName(_("Longitude"))
        for edit in (self.latitude, self.longitude):
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # "-1.29" must not become "1.29-" in RTL
        self.team = line_edit("monitoring_visit", "team")
        self.institution_type = CodeCombo(vocab, "institution_type", empty=_("None"))
        self.institutions = text_box(2)
        self.counterparts = text_box(2)
        self.narrative = text_box(8)

        coords = QWidget()
        row = QHBoxLayout(coords)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(f.add("latitude", self.latitude))
        row.addWidget(f.add("longitude", self.longitude))

        left = QFormLayout()
        left.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f.add_row(left, _("&Title:"), "title", self.title)
        f.add_row(left, _("Visit t&ype:"), "visit_type", self.visit_type)
        f.add_row(left, _("Con&fidentiality:"), "confidentiality", self.confidentiality)
        f.add_row(left, _("Date pre&cision:"), "date_precision", self.precision)
        f.add_row(left, _("Sta&rt date:"), "date_start", self.date_start)
        f.add_row(left, _("&End date:"), "date_end", self.date_end)
        f.add_row(left, _("Ad&min area:"), "admin_area_id", self.area)
        f.add_row(left, _("&Location:"), "location_text", self.location)
        left.addRow(buddy_label(_("Coordinates:"), self.latitude), coords)
        f.add_row(left, _("Team mem&bers:"), "team", self.team)

        right = QFormLayout()
        right.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f.add_row(right, _("Instit&ution type:"), "institution_type", self.institution_type)
        f.add_row(right, _("Institutions:"), "institutions", self.institutions)
        f.add_row(right, _("C&ounterparts:"), "counterparts", self.counterparts)
        narrative_label = buddy_label(_("&Narrative:"), self.narrative)
        narrative_box = f.add("narrative", self.narrative, stretch=True)
        right_box = QVBoxLayout()
        right_box.addLayout(right)
        right_box.addWidget(narrative_label)
        right_box.addWidget(narrative_box, 1)

        body = QWidget()
        columns = QHBoxLayout(body)
        columns.addLayout(left, 1)
        columns.addLayout(right_box, 1)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a stop of its own between the tabs and the title
        # Reading order: left column top to bottom, then the right one (mirrored in RTL by Qt).
        chain: list[QWidget] = [
            self.title, self.visit_type, self.confidentiality, self.precision, self.date_start.edit,
            self.date_end, self.area, self.location, self.latitude, self.longitude, self.team,
            self.institution_type, self.institutions, self.counterparts, self.narrative,
        ]  # fmt: skip
        if self.date_end.check is not None:
            chain[5:6] = [self.date_end.check, self.date_end.edit]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._connect()

    def _connect(self) -> None:
        for key, signal in (
            ("title", self.title.textChanged),
            ("visit_type", self.visit_type.changed),
            ("confidentiality", self.confidentiality.changed),
            ("admin_area_id", self.area.currentTextChanged),
            ("location_text", self.location.textChanged),
            ("latitude", self.latitude.textChanged),
            ("longitude", self.longitude.textChanged),
            ("team", self.team.textChanged),
            ("institution_type", self.institution_type.changed),
            ("institutions", self.institutions.textChanged),
            ("counterparts", self.counterparts.textChanged),
            ("narrative", self.narrative.textChanged),
        ):
            signal.connect(lambda *_args, k=key: self._edited(k))
        self.precision.changed.connect(self._precision_changed)
        # Start, end and precision are judged together (end before start concerns both).
        for widget in (self.date_start, self.date_end):
            widget.changed.connect(lambda: self._edited(*_DATE_KEYS))

    def _edited(self, *keys: str) -> None:
        if not self._loading:
            for key in keys:
                self.edited.emit(key)

    def _precision_changed(self) -> None:
        code = self.precision.code()
        day_like = "day" if code == "range" else code
        self.date_start.set_precision(day_like)
        self.date_end.set_precision(day_like)
        self._edited(*_DATE_KEYS)

    def load(self, data: VisitData) -> None:
        self._loading = True
        try:
            self.title.setText(data.title)
            self.visit_type.set_code(data.visit_type or None)
            self.confidentiality.set_code(data.confidentiality)
            self.precision.set_code(data.date_precision)
            self._precision_changed()
            # A new visit starts today: the common case, and the precision can widen it.
            self.date_start.set_date(data.date_start or (self._today() if data.id is None else None))
            self.date_end.set_date(data.date_end)
            self.area.set_area(data.admin_area_id)
            self.location.setText(data.location_text)
            self.latitude.setText("" if data.latitude is None else repr(data.latitude))
            self.longitude.setText("" if data.longitude is None else repr(data.longitude))
            self.team.setText(data.team)
            self.institution_type.set_code(data.institution_type)
            self.institutions.setPlainText(data.institutions)
            self.counterparts.setPlainText(data.counterparts)
            self.narrative.setPlainText(data.narrative)
        finally:
            self._loading = False

    def _coordinate(self, edit: QLineEdit) -> float | None:
        try:
            return parse_coordinate(edit.text())
        except ValueError:
            return None

    def apply(self, data: VisitData) -> VisitData:
        """``data`` with the values of this page."""
        area_id, _known = self.area.area()
        return dataclasses.replace(
            data,
            title=self.title.text().strip(),
            visit_type=self.visit_type.code() or "",
            confidentiality=self.confidentiality.code() or "",
            date_precision=self.precision.code() or "",
            date_start=self.date_start.date(),
            date_end=self.date_end.date(),
            admin_area_id=area_id,
            location_text=self.location.text().strip(),
            latitude=self._coordinate(self.latitude),
            longitude=self._coordinate(self.longitude),
            team=self.team.text().strip(),
            institution_type=self.institution_type.code(),
            institutions=self.institutions.toPlainText().strip(),
            counterparts=self.counterparts.toPlainText().strip(),
            narrative=self.narrative.toPlainText(),
        )

    def local_errors(self) -> dict[str, str]:
        """Problems the core cannot see because the widgets could not turn them into values."""
        errors = {}
        if not self.area.area()[1]:
            errors["admin_area_id"] = _("Choose a place from the list, or leave the field empty")
        for key, edit in (("latitude", self.latitude), ("longitude", self.longitude)):
            try:
                parse_coordinate(edit.text())
            except ValueError:
                errors[key] = _("Enter a number, e.g. 12.345")
        return errors
