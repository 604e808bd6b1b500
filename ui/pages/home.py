"""Home: this office's figures at a glance, the latest and the most overdue work, and sync status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldkit.changeset import ChangeSet
from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies
from fieldkit.formatting import format_day, format_number, format_value, format_visit_date, format_when
from fieldkit.i18n import _
from fieldkit.services.dashboard import DashboardCounts, dashboard_counts, longest_overdue
from fieldkit.services.monitoring_types import FollowUpRow, VisitRow
from fieldkit.services.visit_list import list_visits
from fieldkit.sync.state import PartnerPackets, partner_packets
from ui.column_fit import FillColumn
from ui.ops import Op
from ui.pages.visit_list import date_column_width, due_column_width
from ui.table_model import Column, RowTableModel
from ui.widgets import NumberCard, fit_columns, note, page_frame, row_table
from ui.workspace import Workspace

RECENT_ROWS = 12
#: what the figures, the recent visits and the overdue follow-ups are made of
HOME_RECORD_TYPES = ("monitoring_visit", "follow_up")
_TRAILING = Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter


T = TypeVar("T")


def recent_visits(ctx: Context, today: dt.date) -> list[VisitRow]:
    # Home shows no count of them: the given total spares the store a count of every visit
    return list_visits(ctx, sort="updated_at", limit=RECENT_ROWS, today=today, total=RECENT_ROWS).rows


class HomePage(QWidget):
    """Each part loads on its own, the figures first, and shows as soon as it is in."""

    show_overdue = Signal()
    show_visits = Signal()
    open_visit = Signal(str)
    figures_shown = Signal()  # the four figures are in
    loaded = Signal()  # every part of a refresh is in

    def __init__(self, ctx: Context, vocab: Vocabularies, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._generation = 0
        self._parts_pending = 0
        self.vocab = vocab  # replaced when the window reloads its workspace
        layout = page_frame(self, _("Home"))

        cards = QGridLayout()
        cards.setSpacing(12)
        self.month_card = NumberCard(_("Visits this month"), self, clickable=True)
        self.overdue_card = NumberCard(_("Overdue follow-ups: click to see them"), self, clickable=True)
        self.open_card = NumberCard(_("Open follow-ups"), self)
        self.total_card = NumberCard(_("Visits recorded"), self, clickable=True)
        for column, card in enumerate((self.month_card, self.overdue_card, self.open_card, self.total_card)):
            cards.addWidget(card, 0, column)
        layout.addLayout(cards)
        self.overdue_card.clicked.connect(self.show_overdue)
        self.month_card.clicked.connect(self.show_visits)
        self.total_card.clicked.connect(self.show_visits)

        self.recent_model: RowTableModel[VisitRow] = RowTableModel(
            [
                Column(_("Date"), lambda r: format_visit_date(r.date_start, r.date_end, r.date_precision)),
                Column(_("Title"), lambda r: r.title, tooltip=lambda r: r.title),
                Column(_("Type"), lambda r: self.vocab.label("visit_type", r.visit_type)),
            ],
            display=format_value,
            parent=self,
        )
        self.overdue_model: RowTableModel[FollowUpRow] = RowTableModel(
            [
                Column(_("Due"), lambda r: format_day(r.due_date)),
                Column(_("Days overdue"), lambda r: r.days_overdue, alignment=_TRAILING),
                Column(_("Action"), lambda r: r.action, tooltip=lambda r: r.action),
            ],
            display=format_value,
            parent=self,
        )
        recent_box = QGroupBox(_("Recently updated visits"), self)
        self.recent_view = row_table(recent_box, _("Recently updated visits"), self.recent_model)
        overdue_box = QGroupBox(_("Longest overdue follow-ups"), self)
        self.overdue_view = row_table(
            overdue_box, _("Longest overdue follow-ups"), self.overdue_model, stretch=2
        )
        lists = QHBoxLayout()
        lists.setSpacing(12)
        for box, view in ((recent_box, self.recent_view), (overdue_box, self.overdue_view)):
            QVBoxLayout(box).addWidget(view)
            view.activated.connect(self._activated)
            lists.addWidget(box, 1)
        layout.addLayout(lists, 1)
        fit_columns(self.recent_view, {0: 8, 2: 11}, extra={0: date_column_width(self.recent_view)})
        self.recent_title_fit = FillColumn(self.recent_view, 1, floor_ems=9, shrinkable=(2,))
        fit_columns(self.overdue_view, {0: 8, 1: 4}, extra={0: due_column_width(self.overdue_view)})

        sync_box = QGroupBox(_("Offices: packets and how current their records are"), self)
        sync_layout = QVBoxLayout(sync_box)
        # neutral until the partners are read: "no packets yet" may be untrue on a busy store
        self.partners_loading = note(_("Loading…"), sync_box)
        sync_layout.addWidget(self.partners_loading)
        self.no_packets = note(
            _(
                "No sync packets yet. Once this office exchanges packet files with its partners, "
                "this panel shows when the last packet came in from and went out to each of them."
            ),
            sync_box,
        )
        self.no_packets.hide()
        sync_layout.addWidget(self.no_packets)
        self.partner_model: RowTableModel[PartnerPackets] = RowTableModel(
            [
                Column(_("Partner office"), lambda p: p.office),
                Column(_("Last packet in"), lambda p: format_when(p.last_in) or _("Never")),
                Column(_("Last packet out"), lambda p: format_when(p.last_out) or _("Never")),
                Column(_("Newest record held"), lambda p: format_when(p.newest_change) or "—"),
                Column(
                    _("Days behind"),
                    lambda p: "—" if p.days_behind is None else p.days_behind,
                    alignment=_TRAILING,
                ),
                Column(_("Waiting for a packet"), lambda p: p.waiting, alignment=_TRAILING),
            ],
            key=lambda p: p.office,
            display=format_value,
            parent=self,
        )
        self.partner_view = QTableView(sync_box)
        self.partner_view.setModel(self.partner_model)
        self.partner_view.verticalHeader().hide()
        self.partner_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.partner_view.setMaximumHeight(180)
        self.partner_view.hide()
        sync_layout.addWidget(self.partner_view)
        layout.addWidget(sync_box)

    def _fit_partner_rows(self, count: int) -> None:
        """As tall as its rows, up to six: the lists above get the room a short table leaves."""
        view = self.partner_view
        rows = max(1, min(count, 6))
        frame = 2 * view.frameWidth() + view.horizontalHeader().sizeHint().height()
        view.setMaximumHeight(frame + rows * view.verticalHeader().defaultSectionSize())

    def set_workspace(self, workspace: Workspace) -> None:
        self.vocab = workspace.vocab

    def apply_changes(self, changes: ChangeSet) -> None:
        if changes.touches(*HOME_RECORD_TYPES) or changes.vocab or changes.offices or changes.packets:
            self.refresh()

    def refresh(self) -> None:
        """Load every part again; each is shown when it arrives, answers to older refreshes are dropped."""
        self._generation += 1
        self._parts_pending = 4
        ctx = self._ctx
        today = ctx.today()
        self._load(lambda: dashboard_counts(ctx, today), self._show_counts)
        self._load(lambda: longest_overdue(ctx, today, limit=RECENT_ROWS), self.overdue_model.set_rows)
        self._load(lambda: partner_packets(ctx, today), self._show_partners)
        self._load(lambda: recent_visits(ctx, today), self.recent_model.set_rows)

    def _load(self, fn: Callable[[], T], show: Callable[[T], None]) -> None:
        generation = self._generation

        def arrived(value: T) -> None:
            if generation != self._generation:
                return  # a newer refresh is on its way
            show(value)
            self._parts_pending -= 1
            if self._parts_pending == 0:
                self.loaded.emit()

        Op(self, lambda _progress: fn()).on_success(arrived).run()

    def _show_counts(self, counts: DashboardCounts) -> None:
        self.month_card.set_value(format_number(counts.visits_this_month))
        self.overdue_card.set_value(format_number(counts.overdue_followups))
        self.open_card.set_value(format_number(counts.open_followups))
        self.total_card.set_value(format_number(counts.visits_total))
        self.overdue_card.value_label.setStyleSheet("color: #b00020;" if counts.overdue_followups else "")
        self.figures_shown.emit()

    def _show_partners(self, partners: list[PartnerPackets]) -> None:
        self.partner_model.set_rows(partners)
        self.partners_loading.hide()
        self.no_packets.setVisible(not partners)
        self.partner_view.setVisible(bool(partners))
        self._fit_partner_rows(len(partners))

    def _activated(self, index: QModelIndex) -> None:
        visit = self.recent_model.row_at(index)
        followup = self.overdue_model.row_at(index)
        if visit is not None:
            self.open_visit.emit(visit.id)
        elif followup is not None:
            self.open_visit.emit(followup.visit_id)
