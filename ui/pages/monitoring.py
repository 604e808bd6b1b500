"""Monitoring: the visit list with search and filters, and the overdue follow-ups."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QWidget,
)

from fieldkit.changeset import NO_CHANGES, ChangeSet
from fieldkit.context import Context
from fieldkit.formatting import format_day, format_number
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.monitoring import delete_visit, restore_visit
from fieldkit.services.monitoring_types import VisitRow
from ui.ops import Op, show_failure
from ui.pages.overdue import OverdueView
from ui.pages.visit_filters import VisitFilterBar
from ui.pages.visit_list import VisitList
from ui.pages.visit_search_hint import deleted_only_label, empty_list_hint
from ui.visit_editing import VisitEditing
from ui.widgets import page_frame
from ui.workspace import Workspace

VISITS_TAB, OVERDUE_TAB = 0, 1
#: what the list's rows are made of (a visit, its incident count and open follow-ups)
LIST_RECORD_TYPES = ("monitoring_visit", "incident", "follow_up")
#: a follow-up's row also shows its visit's title
OVERDUE_RECORD_TYPES = ("follow_up", "monitoring_visit")


class MonitoringPage(QWidget):
    data_changed = Signal(object)  # ChangeSet: visits were deleted or restored here
    message = Signal(str)  # for the status bar
    report_visit = Signal(str, str)  # a visit's id and how to name it: print its report

    def __init__(self, workspace: Workspace, editing: VisitEditing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx: Context = workspace.ctx
        self._editing = editing

        self.filters = VisitFilterBar(
            workspace.vocab, workspace.areas, self, offices=workspace.offices, today=self._ctx.today
        )
        self.table = QTableView(self)
        self.table.setAccessibleName(_("Monitoring visits"))
        self.visits = VisitList(self._ctx, workspace.vocab, self.table, areas=workspace.areas)
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName(_("Number of visits"))
        self.empty_hint = QLabel(self)  # what to try when nothing is found
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()

        self.new_button = QPushButton(_("New visit"), self)
        self.open_button = QPushButton(_("Open"), self)
        self.delete_button = QPushButton(_("Delete…"), self)
        self.restore_button = QPushButton(_("Restore"), self)
        self.new_button.clicked.connect(self.new_visit)
        self.open_button.clicked.connect(self.open_current)
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button.clicked.connect(self.restore_selected)

        # Delete belongs to the table only: in the search box it must still delete characters.
        self.delete_action = QAction(_("Delete visit…"), self.table)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.restore_action = QAction(_("Restore visit"), self.table)
        self.restore_action.triggered.connect(self.restore_selected)
        self.report_action = QAction(_("Print a report of this visit…"), self.table)
        self.report_action.triggered.connect(self.report_current)
        self.table.addActions([self.report_action, self.delete_action, self.restore_action])
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        buttons = QHBoxLayout()
        for button in (self.new_button, self.open_button, self.delete_button, self.restore_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)

        visits_tab = QWidget(self)
        visits_layout = page_frame(visits_tab, None)
        visits_layout.addWidget(self.filters)
        visits_layout.addLayout(buttons)
        visits_layout.addWidget(self.empty_hint)
        visits_layout.addWidget(self.table, 1)

        self.overdue = OverdueView(self._ctx, workspace.vocab, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(visits_tab, _("Visits"))
        self.tabs.addTab(self.overdue, _("Overdue follow-ups"))

        layout = page_frame(self, _("Monitoring"))
        layout.addWidget(self.tabs, 1)

        self.filters.changed.connect(lambda: self.visits.set_filter(self.filters.current_filter()))
        self.visits.total_changed.connect(self._show_total)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_actions())
        self.visits.page_loaded.connect(self._update_actions)  # a selected row may have just come in
        self.overdue.open_visit.connect(self.open_visit)
        self._update_actions()

    # -- loading --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.visits.fill_viewport()

    def refresh(self) -> None:
        self.visits.set_filter(self.filters.current_filter())
        self.overdue.refresh()

    def set_workspace(self, workspace: Workspace) -> None:
        self.visits.vocab = self.overdue.vocab = workspace.vocab
        self.visits.set_areas(workspace.areas)
        self.filters.set_choices(workspace.vocab, workspace.areas, workspace.offices)

    def apply_changes(self, changes: ChangeSet) -> None:
        """Changes made elsewhere: the rows shown are queried again where they are."""
        if changes.touches(*LIST_RECORD_TYPES) or changes.vocab:
            self.visits.refresh()
        if changes.touches(*OVERDUE_RECORD_TYPES) or changes.vocab:
            self.overdue.refresh()

    def show_overdue(self) -> None:
        self.overdue.refresh()  # so it agrees with the figure the user just clicked
        self.tabs.setCurrentIndex(OVERDUE_TAB)
        self.overdue.table.setFocus()

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(VISITS_TAB)
        self.filters.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search.selectAll()

    def _show_total(self, total: int) -> None:
        if self.visits.filter.deleted:
            text = ngettext("{count} deleted visit", "{count} deleted visits", total)
        else:
            text = ngettext("{count} visit", "{count} visits", total)
        self.count_label.setText(text.format(count=format_number(total)))
        self.empty_hint.setText(empty_list_hint(self.visits.filter) if total == 0 else "")
        self.empty_hint.setVisible(total == 0)

    def _update_actions(self) -> None:
        rows = self.visits.selected_rows()
        showing_deleted = self.visits.filter.deleted
        self.open_button.setEnabled(len(rows) == 1 and not showing_deleted)
        self.delete_button.setEnabled(bool(rows) and not showing_deleted)
        self.delete_action.setEnabled(bool(rows) and not showing_deleted)
        self.restore_button.setVisible(showing_deleted)
        self.restore_button.setEnabled(bool(rows) and showing_deleted)
        self.report_action.setEnabled(len(rows) == 1 and not showing_deleted)
        self.restore_action.setVisible(showing_deleted)
        self.restore_action.setEnabled(bool(rows) and showing_deleted)

    # -- opening --------------------------------------------------------------------------------

    def new_visit(self) -> None:
        self._editing.new_visit()

    def open_visit(self, visit_id: str) -> None:
        self._editing.open_visit(visit_id)

    def open_current(self) -> None:
        row = self.visits.current_row()
        if row is not None:
            self._open_row(row)

    def report_current(self) -> None:
        rows = self.visits.selected_rows()
        if len(rows) == 1 and not rows[0].deleted:
            row = rows[0]
            day = format_day(row.date_start) if row.date_start else ""
            label = _("{date}: {title}").format(date=day, title=row.title) if day else row.title
            self.report_visit.emit(row.id, label)

    def _activated(self, index: QModelIndex) -> None:
        row = self.visits.model.row_at(index)
        if row is not None:
            self._open_row(row)

    def _open_row(self, row: VisitRow) -> None:
        if row.deleted:
            self.message.emit(_("Restore this visit to open it."))
        else:
            self.open_visit(row.id)

    # -- delete and restore ---------------------------------------------------------------------

    def delete_selected(self) -> None:
        rows = [r for r in self.visits.selected_rows() if not r.deleted]
        if not rows:
            return
        if len(rows) == 1:
            text = _("Delete the visit “{title}”?").format(title=rows[0].title)
        else:
            text = ngettext("Delete {count} visit?", "Delete {count} visits?", len(rows)).format(
                count=format_number(len(rows))
            )
        box = QMessageBox(QMessageBox.Icon.Question, _("Delete visits"), text, parent=self)
        box.setInformativeText(
            _("Deleted visits are kept and can be restored: tick “{deleted_only}” to find them.").format(
                deleted_only=deleted_only_label()
            )
        )
        delete = box.addButton(_("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        ids = [r.id for r in rows]

        def answered(_result: int) -> None:
            if box.clickedButton() is delete:
                self._run_each(ids, delete_visit)

        box.finished.connect(answered)
        box.open()  # not exec(): no nested event loop

    def restore_selected(self) -> None:
        ids = [r.id for r in self.visits.selected_rows() if r.deleted]
        if ids:
            self._run_each(ids, restore_visit)

    def _run_each(self, ids: list[str], action: Callable[[Context, str], ChangeSet]) -> None:
        ctx = self._ctx

        def fn(progress: Progress) -> ChangeSet:
            progress.set_total(len(ids))
            changes = NO_CHANGES
            for visit_id in ids:
                changes = changes | action(ctx, visit_id)
                progress.step()
            return changes

        Op(self, fn).on_success(lambda changes: self._removed(ids, changes)).on_failure(
            self._action_failed
        ).run()

    def _action_failed(self, exc: BaseException) -> None:
        show_failure(self, exc)
        self.refresh()
        # some visits of the batch may have changed before the failure
        self.data_changed.emit(ChangeSet.of(LIST_RECORD_TYPES))

    def _removed(self, ids: list[str], changes: ChangeSet) -> None:
        for visit_id in ids:
            self.visits.visit_removed(visit_id)
        self._update_actions()
        self.overdue.refresh()
        self.data_changed.emit(changes)
