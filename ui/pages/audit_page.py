"""The audit trail: who did what here and when, newest first, filtered by user, action and dates,
and a button that verifies the trail's hash chain off the GUI thread and shows the verdict.

Paged like the visit list (``ui.paged_list``): the count and the scroll bar cover every entry,
and rows load as the view reaches them. The page reads the store again each time it is shown,
since every change anywhere adds entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QWidget,
)

from fieldkit.context import Context
from fieldkit.formatting import format_number, format_when
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.audit import (
    ACTIONS,
    AuditFilter,
    AuditPage,
    AuditRow,
    AuditVerdict,
    action_label,
    audit_page,
    audit_users,
    describe,
    verify_audit,
)
from fieldkit.store.registry import type_label
from ui.column_fit import FillColumn
from ui.date_edit import DateEdit
from ui.ops import Op, OpHandle, show_failure
from ui.paged_list import PagedLoader
from ui.paged_model import PagedRowModel
from ui.table_model import Column
from ui.widgets import EmptyState, fit_columns, note, page_frame, row_table, text_width

PAGE_SIZE = 200
CACHED_PAGES = 20
COL_DETAILS = 5
VERDICT_OK_STYLE = "color: #1b5e20;"
VERDICT_BROKEN_STYLE = "color: #b00020; font-weight: bold;"


def audit_columns(level_label: Callable[[str], str] = str) -> list[Column[AuditRow]]:
    def details(row: AuditRow) -> str:
        return describe(row, level_label)

    return [
        Column(_("Time"), lambda r: format_when(r.at)),
        Column(_("User"), lambda r: r.actor),
        Column(_("Action"), lambda r: action_label(r.action)),
        Column(_("Record type"), lambda r: type_label(r.record_type) if r.record_type else ""),
        Column(_("Record"), lambda r: r.record_id, tooltip=lambda r: r.record_id or None),
        Column(_("Details"), details, tooltip=lambda r: details(r) or None),
    ]


def _combo(parent: QWidget, any_text: str, name: str) -> QComboBox:
    """First item means "no filter" (data None)."""
    combo = QComboBox(parent)
    combo.addItem(any_text, None)
    combo.setAccessibleName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    combo.setMaxVisibleItems(20)
    return combo


class AuditTrailPage(QWidget):
    def __init__(
        self, ctx: Context, parent: QWidget | None = None, *, level_label: Callable[[str], str] = str
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._verifying: OpHandle[AuditVerdict] | None = None
        self._users: OpHandle[list[str]] | None = None
        self._shown_once = False
        #: the verdict shown, once the trail was verified
        self.last_verdict: AuditVerdict | None = None

        self.user = _combo(self, _("Everyone"), _("User"))
        self.action = _combo(self, _("Any action"), _("Action"))
        for code in ACTIONS:
            self.action.addItem(action_label(code), code)
        today = ctx.today
        self.date_from = DateEdit(
            today=today, placeholder=_("Any date"), accessible_name=_("From"), parent=self
        )
        self.date_to = DateEdit(today=today, placeholder=_("Any date"), accessible_name=_("To"), parent=self)
        self.clear_button = QPushButton(_("C&lear filters"), self)
        self.clear_button.clicked.connect(self.clear_filters)
        self.verify_button = QPushButton(_("Verify the &trail"), self)
        self.verify_button.setToolTip(
            _("Check that no entry was changed or removed since it was written (may take a while)")
        )
        self.verify_button.clicked.connect(self.verify)

        filters = QGridLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setHorizontalSpacing(8)
        fields: list[tuple[str, QWidget]] = [
            (_("&User"), self.user),
            (_("A&ction"), self.action),
            (_("F&rom"), self.date_from),
            (_("T&o"), self.date_to),
        ]
        for column, (text, widget) in enumerate(fields):
            label = QLabel(text, self)
            label.setBuddy(widget)
            filters.addWidget(label, 0, column)
            filters.addWidget(widget, 1, column)
            filters.setColumnStretch(column, 0 if isinstance(widget, DateEdit) else 1)
        filters.addWidget(self.clear_button, 1, len(fields))

        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict.hide()
        self.count_label = QLabel(self)

        self.model: PagedRowModel[AuditRow] = PagedRowModel(
            audit_columns(level_label),
            page_size=PAGE_SIZE,
            max_pages=CACHED_PAGES,
            placeholder_column=COL_DETAILS,
            parent=self,
        )
        self.table = row_table(self, _("Audit trail"))
        self.pages = PagedLoader(self.table, self.model, self._query_for, key=lambda r: r.id)
        self.pages.total_changed.connect(self._show_total)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        sample_time = format_when(dt.datetime(2026, 12, 28, 23, 58))
        fit_columns(
            self.table,
            {0: 8, 1: 6, 2: 7, 3: 9, 4: 8},
            extra={
                0: text_width(self.table, [sample_time]),
                2: text_width(self.table, [action_label(a) for a in ACTIONS]),
            },
        )
        self.details_fit = FillColumn(self.table, COL_DETAILS, floor_ems=14, shrinkable=(3, 4))

        top = QHBoxLayout()
        top.addWidget(
            note(_("Every change, export, import and sign-in made in this store, newest first."), self), 1
        )
        top.addWidget(self.count_label)
        top.addWidget(self.verify_button)
        layout = page_frame(self, _("Audit trail"))
        layout.addLayout(top)
        layout.addWidget(self.verdict)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.empty = EmptyState(_("No entries"), _("Nothing in the audit trail passes these filters."), self)
        self.empty.hide()  # until the first load says so
        layout.addWidget(self.empty, 1)

        for combo in (self.user, self.action):
            combo.currentIndexChanged.connect(lambda _index: self.pages.reload())
        for edit in (self.date_from, self.date_to):
            edit.changed.connect(self.pages.reload)
        # as the page reads: the button beside the count, then the filters, then the list
        chain = (self.verify_button, self.user, self.action, self.date_from, self.date_to, self.clear_button)
        for before, after in zip(chain, (*chain[1:], self.table), strict=True):
            QWidget.setTabOrder(before, after)

    # -- loading ---------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # every change anywhere adds entries: read them again whenever the page comes into view
        self._load_users()
        if self._shown_once:
            self.pages.refresh()
        else:
            self._shown_once = True
            self.pages.reload()

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            user=self.user.currentData(),
            action=self.action.currentData(),
            since=self.date_from.date(),
            until=self.date_to.date(),
        )

    def clear_filters(self) -> None:
        for combo in (self.user, self.action):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
            edit.set_date(None)
            edit.blockSignals(False)
        self.pages.reload()

    def _query_for(self, offset: int, limit: int, total: int | None) -> Callable[[Progress], AuditPage]:
        ctx, flt = self._ctx, self.current_filter()
        return lambda _progress: audit_page(ctx, flt, offset, limit, total=total)

    def _load_users(self) -> None:
        if self._users is not None and not self._users.finished:
            return
        ctx = self._ctx
        self._users = Op(self, lambda _p: audit_users(ctx)).on_success(self._fill_users).run()

    def _fill_users(self, users: list[str]) -> None:
        chosen = self.user.currentData()
        self.user.blockSignals(True)
        try:
            while self.user.count() > 1:
                self.user.removeItem(self.user.count() - 1)
            for name in users:
                self.user.addItem(name, name)
            index = self.user.findData(chosen) if chosen is not None else 0
            self.user.setCurrentIndex(max(index, 0))
        finally:
            self.user.blockSignals(False)
        if chosen is not None and index < 0:
            self.pages.reload()  # the chosen user is gone (another store?): show everyone

    def _show_total(self, total: int) -> None:
        self.empty.setVisible(not total)
        self.table.setVisible(bool(total))
        self.count_label.setText(
            ngettext("{count} entry", "{count} entries", total).format(count=format_number(total))
        )

    # -- verifying -------------------------------------------------------------------------------

    @property
    def verifying(self) -> bool:
        return self._verifying is not None and not self._verifying.finished

    def verify(self) -> None:
        if self.verifying:
            return
        ctx = self._ctx
        self.verify_button.setEnabled(False)
        self._verifying = (
            Op(self, lambda progress: verify_audit(ctx, progress))
            .with_progress(_("Verifying the audit trail"))
            .on_success(self._show_verdict)
            .on_failure(self._verify_failed)
            .on_cancel(lambda: self.verify_button.setEnabled(True))
            .run()
        )

    def _show_verdict(self, verdict: AuditVerdict) -> None:
        self.verify_button.setEnabled(True)
        self.verdict.setText(verdict.message)
        self.verdict.setStyleSheet(VERDICT_OK_STYLE if verdict.ok else VERDICT_BROKEN_STYLE)
        self.verdict.show()
        self.last_verdict = verdict

    def _verify_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        show_failure(self, exc)
