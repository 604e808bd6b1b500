"""The choices of a report on the Reports page: its kind and language, and its filter (period,
offices, visit type, highest level), or the visit or country it is about. Turns them into a
``ReportRequest`` and remembers them for next time (in the interface settings, not the store).

The kinds and what each needs come from ``REPORT_KINDS``; a field a kind does not use is hidden.
The offices, countries and levels offered are the user's (``report_choices``), loaded by the page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QWidget,
)

from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies
from fieldkit.formatting import format_day
from fieldkit.i18n import LANGUAGES, _, current_language
from fieldkit.reports.builders import ReportRequest
from fieldkit.services.monitoring_types import VisitFilter, VisitPage, VisitRow
from fieldkit.services.report_choices import PERIODS, REPORT_KINDS, ReportChoices, period_name, period_of
from fieldkit.services.report_filter import ReportFilter
from fieldkit.services.visit_list import list_visits
from ui import prefs
from ui.date_edit import DateEdit
from ui.ops import Op
from ui.vocab_picker import PickItem, TermPicker, vocabulary_items

CHOICES_KEY = "reports/last_choices"
VISITS_LISTED = 50
SEARCH_DELAY_MS = 300
OFFICE_ROWS = 5
ERROR_STYLE = "color: #b00020;"


class ReportForm(QWidget):
    #: a choice changed (the preview may no longer be what the form says)
    changed = Signal()
    #: Enter in a field: build the report
    submitted = Signal()

    def __init__(self, ctx: Context, vocab: Vocabularies, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._vocab = vocab
        self._saved: dict[str, Any] = _load_saved()
        self._visit_search = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._visit_search.timeout.connect(self._find_visits)
        self._searching = False

        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(ERROR_STYLE)
        self.problems.hide()
        self.kind = QComboBox(self)
        for code, spec in REPORT_KINDS.items():
            self.kind.addItem(spec.name(), code)
        self.language = QComboBox(self)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.period = QComboBox(self)
        for code in PERIODS:
            self.period.addItem(period_name(code), code)
        today = ctx.today
        self.date_from = DateEdit(today=today, accessible_name=_("First day"), parent=self)
        self.date_to = DateEdit(today=today, accessible_name=_("Last day"), parent=self)
        self.offices_model = QStandardItemModel(self)
        self.offices = QListView(self)
        self.offices.setModel(self.offices_model)
        self.offices.setAccessibleName(_("Offices"))
        self.offices.setToolTip(_("Tick the offices to cover; none ticked covers every office."))
        self.offices.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.visit_type = TermPicker(self, min_chars=10)
        self.level = QComboBox(self)
        self.level.setToolTip(_("The most confidential visits the report may include"))
        self.visit_find = QLineEdit(self)
        self.visit_find.setPlaceholderText(_("Search by title, place or person"))
        self.visit_find.setClearButtonEnabled(True)
        self.visit_find.setAccessibleName(_("Find a visit"))
        self.visit = QComboBox(self)
        self.visit.setAccessibleName(_("Visit"))
        self.visit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.visit.setMinimumContentsLength(16)
        self.redact = QCheckBox(_("&Withhold identifying details"), self)
        self.redact.setToolTip(
            _("Names, contact details and other identifying details of people are left out")
        )
        self.country = QComboBox(self)

        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.form.addRow(self.problems)
        rows: list[tuple[str, QWidget]] = [
            (_("&Report"), self.kind),
            (_("&Language of the report"), self.language),
            (_("P&eriod"), self.period),
            (_("Fro&m"), self.date_from),
            (_("&To"), self.date_to),
            (_("&Offices"), self.offices),
            (_("Visit t&ype"), self.visit_type),
            (_("Highest confi&dentiality level"), self.level),
            (_("F&ind a visit"), self.visit_find),
            (_("Visit"), self.visit),
            (_("Cou&ntry"), self.country),
        ]
        for text, widget in rows:
            label = QLabel(text, self)
            label.setBuddy(widget)
            self.form.addRow(label, widget)
        self.form.addRow(self.redact)

        self.set_vocab(vocab)
        self._restore()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.date_from.changed.connect(self._dates_edited)
        self.date_to.changed.connect(self._dates_edited)
        self.visit_find.textEdited.connect(lambda _text: self._visit_search.start())
        self.visit_find.returnPressed.connect(self._find_visits)
        for combo in (self.kind, self.language, self.level, self.country, self.visit, self.visit_type):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.offices_model.itemChanged.connect(lambda _item: self.changed.emit())
        self.redact.toggled.connect(lambda _on: self.changed.emit())
        for edit in (self.date_from.line, self.date_to.line):
            edit.returnPressed.connect(self.submitted.emit)
        self._kind_changed()

    # -- what is offered ------------------------------------------------------------------------

    def set_vocab(self, vocab: Vocabularies) -> None:
        self._vocab = vocab
        chosen = self.visit_type.code() or self._saved.get("visit_type")
        self.visit_type.set_items([PickItem(_("Any type"), None), *vocabulary_items(vocab, "visit_type")])
        _select(self.visit_type, chosen)
        levels = [str(self.level.itemData(i)) for i in range(self.level.count())]
        self._fill_levels(levels)

    def set_choices(self, choices: ReportChoices) -> None:
        """The offices, countries and levels this user may choose; earlier choices kept if offered."""
        ticked = set(self.chosen_offices()) or set(self._saved.get("offices") or ())
        self.offices_model.blockSignals(True)
        self.offices_model.clear()
        for office in choices.offices:
            text = f"{office.name} ({office.code})" if office.name else office.code
            item = QStandardItem(text)
            item.setData(office.code)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(Qt.CheckState.Checked if office.code in ticked else Qt.CheckState.Unchecked)
            self.offices_model.appendRow(item)
        self.offices_model.blockSignals(False)
        rows = min(max(len(choices.offices), 1), OFFICE_ROWS)
        self.offices.setFixedHeight(rows * self.offices.sizeHintForRow(0) + 2 * self.offices.frameWidth() + 2)
        self._fill_levels(list(choices.levels))
        country = self.country.currentData() or self._saved.get("country")
        self.country.blockSignals(True)
        self.country.clear()
        for choice in choices.countries:
            self.country.addItem(f"{choice.name} ({choice.code})", choice.code)
        self.country.blockSignals(False)
        _select(self.country, country)
        self._kind_changed()

    def _fill_levels(self, levels: Sequence[str]) -> None:
        chosen = self.level.currentData() or self._saved.get("max_level")
        self.level.blockSignals(True)
        self.level.clear()
        for code in levels:
            self.level.addItem(self._vocab.label("sensitivity_level", code), code)
        self.level.setCurrentIndex(self.level.count() - 1)  # as far as the clearance reaches
        self.level.blockSignals(False)
        _select(self.level, chosen)

    # -- what is asked --------------------------------------------------------------------------

    def kind_code(self) -> str:
        return str(self.kind.currentData())

    def chosen_offices(self) -> list[str]:
        model = self.offices_model
        return [
            str(model.item(row).data())
            for row in range(model.rowCount())
            if model.item(row).checkState() == Qt.CheckState.Checked
        ]

    def request(self) -> ReportRequest:
        """The report the form describes (checked by the service that builds it)."""
        kind = self.kind_code()
        spec = REPORT_KINDS[kind]
        flt = ReportFilter()
        if spec.needs_period:
            flt = ReportFilter(
                date_from=self.date_from.date(),
                date_to=self.date_to.date(),
                offices=tuple(self.chosen_offices()),
                visit_types=(code,) if (code := self.visit_type.code()) else (),
                max_level=self.level.currentData(),
            )
        return ReportRequest(
            kind,
            str(self.language.currentData()),
            flt,
            visit_id=str(self.visit.currentData() or "") if spec.needs_visit else "",
            redact=self.redact.isChecked() if spec.needs_visit else False,
            country=str(self.country.currentData() or "") if spec.needs_country else "",
        )

    def missing(self) -> str:
        """What the chosen kind needs and the form lacks, said for the window ("" when complete)."""
        spec = REPORT_KINDS[self.kind_code()]
        if spec.needs_visit and not self.visit.currentData():
            return _("Choose the visit to report on: search for it by its title, place or a person.")
        if spec.needs_country and not self.country.currentData():
            return _("No place in this store has a country yet, so there is no country to report on.")
        return ""

    def show_problems(self, text: str) -> None:
        self.problems.setText(text)
        self.problems.setVisible(bool(text))

    # -- a visit --------------------------------------------------------------------------------

    def choose_visit(self, visit_id: str, label: str) -> None:
        """Report on this visit (from the Monitoring page)."""
        _select(self.kind, "visit")
        index = self.visit.findData(visit_id)
        if index < 0:
            self.visit.insertItem(0, label, visit_id)
            index = 0
        self.visit.setCurrentIndex(index)

    def load_visits(self) -> None:
        """List the latest visits (or those matching the search) to choose from."""
        self._find_visits()

    def _find_visits(self) -> None:
        self._visit_search.stop()
        if self._searching:
            self._visit_search.start()  # one search at a time: this one runs when that ends
            return
        ctx, text = self._ctx, self.visit_find.text().strip()
        self._searching = True

        def found(page: VisitPage) -> None:
            self._searching = False
            self._fill_visits(page.rows)

        def failed(_exc: BaseException) -> None:
            self._searching = False

        Op(self, lambda _p: list_visits(ctx, VisitFilter(text=text), limit=VISITS_LISTED)).on_success(
            found
        ).on_failure(failed).run()

    def _fill_visits(self, rows: list[VisitRow]) -> None:
        chosen = self.visit.currentData()
        self.visit.blockSignals(True)
        self.visit.clear()
        for row in rows:
            day = format_day(row.date_start) if row.date_start else ""
            self.visit.addItem(
                _("{date}: {title}").format(date=day, title=row.title) if day else row.title, row.id
            )
        if not rows:
            self.visit.addItem(_("No visit matches the search"), None)
        self.visit.blockSignals(False)
        _select(self.visit, chosen)
        self.changed.emit()

    # -- fields shown, periods ------------------------------------------------------------------

    def _kind_changed(self) -> None:
        spec = REPORT_KINDS[self.kind_code()]
        period_fields: tuple[QWidget, ...] = (
            self.period,
            self.date_from,
            self.date_to,
            self.visit_type,
            self.level,
        )
        for widget in period_fields:
            self.form.setRowVisible(widget, spec.needs_period)
        self.form.setRowVisible(self.offices, spec.needs_period and self.offices_model.rowCount() > 1)
        for field in (self.visit_find, self.visit):
            self.form.setRowVisible(field, spec.needs_visit)
        self.form.setRowVisible(self.redact, spec.needs_visit)
        self.form.setRowVisible(self.country, spec.needs_country)
        if spec.needs_visit and self.visit.count() == 0:
            self.load_visits()

    def _period_changed(self) -> None:
        span = period_of(str(self.period.currentData()), self._ctx.today())
        if span is not None:
            for edit, day in ((self.date_from, span[0]), (self.date_to, span[1])):
                edit.blockSignals(True)
                edit.set_date(day)
                edit.blockSignals(False)
        self.changed.emit()

    def _dates_edited(self) -> None:
        span = period_of(str(self.period.currentData()), self._ctx.today())
        if span != (self.date_from.date(), self.date_to.date()):
            _select(self.period, "custom", quietly=True)
        self.changed.emit()

    # -- remembered -----------------------------------------------------------------------------

    def remember(self) -> None:
        """Keep the choices for next time (the visit is not kept: it is chosen each time)."""
        request = self.request()
        custom = self.period.currentData() == "custom"
        first, last = self.date_from.date(), self.date_to.date()
        saved = {
            "kind": request.kind,
            "lang": request.lang,
            "period": self.period.currentData(),
            "from": first.isoformat() if custom and first else None,
            "to": last.isoformat() if custom and last else None,
            "offices": self.chosen_offices(),
            "visit_type": self.visit_type.code(),
            "max_level": self.level.currentData(),
            "redact": self.redact.isChecked(),
            "country": self.country.currentData() or self._saved.get("country"),
        }
        self._saved = saved
        store = prefs.settings()
        store.setValue(CHOICES_KEY, json.dumps(saved))
        store.sync()

    def _restore(self) -> None:
        saved = self._saved
        _select(self.kind, saved.get("kind"))
        _select(self.language, saved.get("lang") or current_language())
        _select(self.period, saved.get("period") or "last-quarter")
        self.redact.setChecked(bool(saved.get("redact", True)))
        if self.period.currentData() == "custom":
            for edit, key in ((self.date_from, "from"), (self.date_to, "to")):
                edit.set_date(_day(saved.get(key)))
        else:
            self._period_changed()


def _select(combo: QComboBox, code: object, *, quietly: bool = False) -> None:
    if code is None:
        return
    index = combo.findData(code)
    if index >= 0:
        combo.blockSignals(quietly)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _load_saved() -> dict[str, Any]:
    raw = prefs.settings().value(CHOICES_KEY)
    try:
        saved = json.loads(raw) if isinstance(raw, str) else {}
    except ValueError:
        return {}
    return saved if isinstance(saved, dict) else {}
