"""The "Follow-ups" page: actions agreed during the visit, who does them and by when."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QWidget

from fieldkit.domain.vocab import Vocabularies
from fieldkit.formatting import format_day
from fieldkit.i18n import _
from fieldkit.services.monitoring_types import FollowUpData
from ui.editor.children import ChildPage, shorten
from ui.editor.widgets import ApproxDateEdit, CodeCombo, line_edit, text_box

DONE = "done"


def _date(value: dt.date | None) -> str:
    return format_day(value)


class FollowUpsPage(ChildPage[FollowUpData]):
    def __init__(
        self, vocab: Vocabularies, today: Callable[[], dt.date], parent: QWidget | None = None
    ) -> None:
        self.vocab = vocab
        self._today = today
        super().__init__(
            "follow_ups",
            [_("Action"), _("Responsible"), _("Due date"), _("Status"), _("Completed on")],
            _("&New follow-up"),
            _("&Remove follow-up"),
            Qt.Orientation.Vertical,
            parent,
        )
        self.table.setColumnWidth(0, 360)

    def build_detail(self) -> QWidget:
        f = self.fields
        self.action = text_box(3)
        self.responsible = line_edit("follow_up", "responsible")
        self.due = ApproxDateEdit(today=self._today(), optional=True, toggle_name=_("There is a due date"))
        self.status = CodeCombo(self.vocab, "followup_status")
        self.completed = ApproxDateEdit(
            today=self._today(), optional=True, toggle_name=_("It has been completed")
        )

        left = QFormLayout()
        left.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f.add_row(left, _("Ac&tion:"), "action", self.action)
        f.add_row(left, _("Responsi&ble:"), "responsible", self.responsible)
        right = QFormLayout()
        right.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f.add_row(right, _("Due dat&e:"), "due_date", self.due)
        f.add_row(right, _("Stat&us:"), "status", self.status)
        f.add_row(right, _("C&ompleted on:"), "completed_on", self.completed)
        detail = QWidget()
        layout = QHBoxLayout(detail)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

        self.status.changed.connect(self._status_changed)
        for field, signal in (
            ("action", self.action.textChanged),
            ("responsible", self.responsible.textChanged),
            ("due_date", self.due.changed),
            ("completed_on", self.completed.changed),
        ):
            signal.connect(lambda *_args, k=field: self.detail_edited(k))
        return detail

    def _status_changed(self) -> None:
        # "Done" needs a completion date; today is almost always the right one, and can be changed.
        if not self._loading and self.status.code() == DONE and self.completed.date() is None:
            self.completed.set_date(self._today())
        self.detail_edited("status")

    def new_item(self) -> FollowUpData:
        return FollowUpData()

    def cells(self, item: FollowUpData, row: int) -> list[str]:
        return [
            shorten(item.action),
            item.responsible,
            _date(item.due_date),
            self.vocab.label("followup_status", item.status),
            _date(item.completed_on),
        ]

    def show_item(self, item: FollowUpData) -> None:
        self.action.setPlainText(item.action)
        self.responsible.setText(item.responsible)
        self.due.set_date(item.due_date)
        self.status.set_code(item.status)
        self.completed.set_date(item.completed_on)

    def read_item(self, item: FollowUpData) -> FollowUpData:
        return dataclasses.replace(
            item,
            action=self.action.toPlainText().strip(),
            responsible=self.responsible.text().strip(),
            due_date=self.due.date(),
            status=self.status.code() or "",
            completed_on=self.completed.date(),
        )

    def first_field(self) -> QWidget:
        return self.action
