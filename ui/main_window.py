"""The main window: a sidebar of pages, menus, keyboard shortcuts and a status bar."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QWidget,
)

import fieldkit
from fieldkit.changeset import ChangeSet
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.drafts import discard_draft, list_drafts
from fieldkit.services.monitoring_types import DraftInfo
from ui import ops, prefs
from ui.editor.visit_dialog import VisitEditorDialog
from ui.ops import Op
from ui.pages import coming_later
from ui.pages.audit_page import AuditTrailPage
from ui.pages.home import HomePage
from ui.pages.monitoring import MonitoringPage
from ui.pages.reports_page import ReportsPage
from ui.pages.settings import SettingsPage
from ui.pages.sync_tabs import SyncTabs
from ui.pages.users_page import UsersPage
from ui.visit_editing import VisitEditing
from ui.widgets import isolated, message_box
from ui.workspace import Workspace, load_workspace, outdated_by

HOME, MONITORING, PROJECTS, RECOMMENDATIONS, TRAINING, SYNC, REPORTS, SETTINGS, AUDIT, USERS = range(10)
BUSY_POLL_MS = 150
VISIT_DRAFTS = "monitoring_visit"


class MainWindow(QMainWindow):
    page_changed = Signal(int)
    #: a ChangeSet, after every operation that changed the store: pages refresh what it touches
    changes_applied = Signal(object)
    #: the reloaded Workspace, once it is in every page that shows its lists
    workspace_loaded = Signal(object)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        ctx = workspace.ctx
        office = workspace.office
        self.setWindowTitle(_("FieldKit — {office}").format(office=office.code) if office else "FieldKit")
        # no fixed minimum: the pages' layouts set it, and tests keep it within a 1024x600 screen
        self.editing = VisitEditing(self, workspace)

        self.home = HomePage(ctx, workspace.vocab, self)
        self.monitoring = MonitoringPage(workspace, self.editing, self)
        self.settings_page = SettingsPage(workspace, self)
        self.users_page = UsersPage(workspace, self)
        self.sync = SyncTabs(workspace, self)
        self.reports = ReportsPage(workspace, self)
        vocab = workspace.vocab
        self.audit = AuditTrailPage(
            ctx, self, level_label=lambda code: vocab.label("sensitivity_level", code)
        )
        pages: list[tuple[str, QWidget]] = [
            (_("Home"), self.home),
            (_("Monitoring"), self.monitoring),
            (_("Projects"), coming_later.projects_page(self)),
            (_("Recommendations"), coming_later.recommendations_page(self)),
            (_("Training"), coming_later.training_page(self)),
            (_("Sync"), self.sync),
            (_("Reports"), self.reports),
            (_("Settings"), self.settings_page),
            (_("Audit trail"), self.audit),
            (_("Users"), self.users_page),
        ]
        self.stack = QStackedWidget(self)
        self.sidebar = QListWidget(self)
        self.sidebar.setObjectName("Sidebar")
        self.sidebar.setAccessibleName(_("Pages"))
        self.sidebar.setStyleSheet("QListWidget#Sidebar::item { padding: 8px 12px; }")
        for number, (title, page) in enumerate(pages, start=1):
            self.stack.addWidget(page)
            item = QListWidgetItem(title, self.sidebar)
            item.setToolTip(_("{page} (Ctrl+{number})").format(page=title, number=number))
        # the longest title and the frame, no more: on a 1024 px screen every pixel goes to the pages
        width = max(self.sidebar.sizeHintForColumn(0), 120) + 2 * self.sidebar.frameWidth() + 4
        self.sidebar.setFixedWidth(width)
        self.sidebar.currentRowChanged.connect(self._row_changed)

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus([title for title, _page in pages])
        self._build_status_bar()

        self.home.show_overdue.connect(self.show_overdue)
        self.home.show_visits.connect(lambda: self.show_page(MONITORING))
        self.home.open_visit.connect(lambda visit_id: self.editing.open_visit(visit_id))
        self.monitoring.report_visit.connect(self.report_on_visit)
        self.monitoring.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.sync.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self._reported_by: QObject | None = None
        self.monitoring.data_changed.connect(lambda changes: self._report(changes, self.monitoring))
        self.sync.data_changed.connect(lambda changes: self._report(changes, self.sync))
        self.editing.changes_applied.connect(lambda changes: self._report(changes, self.editing))
        self._quit_pending = False  # quitting waits for an editor's unsaved-changes question
        self.editing.editor_closed.connect(self._editor_closed)
        self.editing.editor_close_abandoned.connect(self._quit_abandoned)
        self.changes_applied.connect(self._apply_changes)
        self.sidebar.setCurrentRow(HOME)

    # -- building -------------------------------------------------------------------------------

    def _build_menus(self, titles: list[str]) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self.new_visit_action = QAction(_("&New visit"), self)
        self.new_visit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.new_visit_action.triggered.connect(self.new_visit)
        file_menu.addAction(self.new_visit_action)
        file_menu.addSeparator()
        self.lock_action = QAction(_("&Lock"), self)  # ui.lock.LockController acts on it
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        file_menu.addAction(self.lock_action)
        quit_action = QAction(_("&Quit"), self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = bar.addMenu(_("&View"))
        self.page_actions = QActionGroup(self)
        self.page_actions.setExclusive(True)
        for index, title in enumerate(titles):
            action = QAction(title, self)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _checked=False, i=index: self.show_page(i))
            self.page_actions.addAction(action)
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.find_action = QAction(_("&Find visits"), self)
        self.find_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.find_action.triggered.connect(self.focus_search)
        view_menu.addAction(self.find_action)
        self.refresh_action = QAction(_("&Refresh"), self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.refresh)
        view_menu.addAction(self.refresh_action)

        help_menu = bar.addMenu(_("&Help"))
        about = QAction(_("&About FieldKit"), self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)
        about_qt = QAction(_("About &Qt"), self)
        about_qt.setMenuRole(QAction.MenuRole.AboutQtRole)
        about_qt.triggered.connect(QApplication.aboutQt)
        help_menu.addAction(about_qt)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.office_label = QLabel(self._office_text(), self)
        location = isolated(self.workspace.store.display)  # a path keeps its order in right-to-left text
        self.store_label = QLabel(_("Store: {location}").format(location=location), self)
        self.store_label.setToolTip(self.workspace.store.display)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)  # no total: Qt draws a moving "busy" bar
        self.busy_bar.setFixedWidth(90)
        self.busy_bar.setMaximumHeight(14)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName(_("Working…"))
        self.busy_bar.hide()
        for label in (self.office_label, self.store_label):
            label.setContentsMargins(8, 0, 8, 0)
        status.addWidget(self.office_label)
        status.addWidget(self.store_label, 1)
        status.addPermanentWidget(self.busy_bar)
        # ui.ops has no start/finish signal; polling its counter is cheap and catches every op.
        self._busy_timer = QTimer(self)
        self._busy_timer.setInterval(BUSY_POLL_MS)
        self._busy_timer.timeout.connect(self._update_busy)
        self._busy_timer.start()

    def _office_text(self) -> str:
        office = self.workspace.office
        if office is None:
            return _("No office")
        return _("Office {code} · {name}").format(code=office.code, name=office.name)

    def _update_busy(self) -> None:
        self.busy_bar.setVisible(ops.running_op_count() > 0)

    # -- changes --------------------------------------------------------------------------------

    def _report(self, changes: ChangeSet, source: QObject) -> None:
        # the page that made the change already shows its result: the others catch up
        self._reported_by = source
        try:
            self.changes_applied.emit(changes)
        finally:
            self._reported_by = None

    def _apply_changes(self, changes: ChangeSet) -> None:
        source = self._reported_by
        if not outdated_by(changes):
            self._refresh_pages(changes, source)
            return
        ctx = self.workspace.ctx
        # the store lane runs ops in order, so reloads land in the order of the changes
        Op(self, lambda _p: load_workspace(ctx)).on_success(
            lambda workspace: self._workspace_reloaded(workspace, changes, source)
        ).run()

    def _workspace_reloaded(self, workspace: Workspace, changes: ChangeSet, source: QObject | None) -> None:
        self.set_workspace(workspace)
        self._refresh_pages(changes, source)

    def _refresh_pages(self, changes: ChangeSet, source: QObject | None) -> None:
        if source is not self.monitoring:
            self.monitoring.apply_changes(changes)
        if source is not self.sync:
            self.sync.apply_changes(changes)
        self.home.apply_changes(changes)
        self.reports.apply_changes(changes)

    def set_workspace(self, workspace: Workspace) -> None:
        """Hand a reloaded workspace to every page that shows its vocabularies, places or offices."""
        self.workspace = workspace
        self.editing.set_workspace(workspace)
        self.home.set_workspace(workspace)
        self.monitoring.set_workspace(workspace)
        self.sync.set_workspace(workspace)
        self.reports.set_workspace(workspace)
        self.office_label.setText(self._office_text())
        self.workspace_loaded.emit(workspace)

    # -- navigation -----------------------------------------------------------------------------

    def show_page(self, index: int) -> None:
        if 0 <= index < self.stack.count():
            self.sidebar.setCurrentRow(index)

    def current_page(self) -> int:
        return self.stack.currentIndex()

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.page_actions.actions()[row].setChecked(True)
        if row == HOME:
            self.home.refresh()
        elif row == USERS:
            self.users_page.refresh()
        self.page_changed.emit(row)

    def show_overdue(self) -> None:
        self.show_page(MONITORING)
        self.monitoring.show_overdue()

    def report_on_visit(self, visit_id: str, label: str) -> None:
        self.show_page(REPORTS)
        self.reports.report_on_visit(visit_id, label)

    def focus_search(self) -> None:
        self.show_page(MONITORING)
        self.monitoring.focus_search()

    def new_visit(self) -> None:
        self.editing.new_visit()

    def refresh(self) -> None:
        page = self.current_page()
        if page == MONITORING:
            self.monitoring.refresh()
        elif page == HOME:
            self.home.refresh()
        elif page == SYNC:
            self.sync.refresh()

    # -- start and stop -------------------------------------------------------------------------

    def start(self) -> None:
        """First loads, then the crash-recovery question; call once the window exists."""
        self.monitoring.refresh()
        self.sync.conflicts.refresh()  # so the conflict count is right from the start
        ctx = self.workspace.ctx
        Op(self, lambda p: list_drafts(ctx, VISIT_DRAFTS)).on_success(self._offer_drafts).run()

    def _offer_drafts(self, drafts: list[DraftInfo]) -> None:
        if not drafts:
            return
        count = len(drafts)
        text = ngettext(
            "FieldKit was closed while a visit was being edited. Restore the unsaved visit?",
            "FieldKit was closed while {count} visits were being edited. Restore the unsaved visits?",
            count,
        ).format(count=count)
        titles = "\n".join(d.title or _("(untitled visit)") for d in drafts[:10])
        box = message_box(self, QMessageBox.Icon.Question, _("Unsaved visits"), text, details=titles,
                          buttons=QMessageBox.StandardButton.NoButton)  # fmt: skip
        restore = box.addButton(_("Restore"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(_("Discard"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(_("Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        keys = [d.key for d in drafts]

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is restore:
                self.show_page(MONITORING)
                for key in keys:
                    self.editing.open_draft(key)
            elif clicked is discard:
                self._discard_drafts(keys)

        box.finished.connect(answered)
        box.open()

    def _discard_drafts(self, keys: list[str]) -> None:
        ctx = self.workspace.ctx

        def fn(progress: Progress) -> None:
            for key in keys:
                discard_draft(ctx, key)

        Op(self, fn).run()

    def show_about(self) -> None:
        text = _(
            "FieldKit {version}\n\nOffline records for human-rights field offices: monitoring visits, "
            "follow-ups, training and projects, shared with partner offices through signed, encrypted files."
        ).format(version=fieldkit.__version__)
        message_box(self, QMessageBox.Icon.Information, _("About FieldKit"), text).open()

    def _editor_closed(self) -> None:
        if self._quit_pending:
            self._quit_pending = False
            # After the editor has gone: the next one may ask its own question, or the window closes.
            QTimer.singleShot(0, self.close)

    def _quit_abandoned(self) -> None:
        self._quit_pending = False

    def closeEvent(self, event: QCloseEvent) -> None:
        # Editor windows first: one with unsaved changes asks its question and keeps us open until
        # it is answered; Save or Discard then carries on with quitting, Cancel stays.
        for dialog in self.findChildren(VisitEditorDialog):
            if dialog.isVisible() and not dialog.close():
                self._quit_pending = not dialog.editor.is_saving()  # saving: no question was asked
                event.ignore()
                return
        prefs.save_geometry(self.saveGeometry())
        self._busy_timer.stop()
        ops.shutdown_ops()
        self.reports.release()  # after the lanes: no page is being drawn any more
        event.accept()
