"""The Sync page: packets, the conflicts they brought, and people entered twice, as three tabs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from fieldkit.changeset import ChangeSet
from fieldkit.i18n import _
from ui.pages.conflicts_page import ConflictsPage
from ui.pages.duplicates_page import DuplicatesPage
from ui.pages.sync_page import SyncPage
from ui.widgets import page_frame
from ui.workspace import Workspace

PACKETS, CONFLICTS, DUPLICATES = range(3)


class SyncTabs(QWidget):
    """Passes what one tab changed to the other two, and reports it through ``data_changed`` and
    ``message`` so that the window wires one page."""

    data_changed = Signal(object)  # ChangeSet
    message = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.packets = SyncPage(workspace, self)
        self.conflicts = ConflictsPage(workspace, self)
        self.duplicates = DuplicatesPage(workspace, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.packets, _("Packets"))
        self.tabs.addTab(self.conflicts, _("Conflicts"))
        self.tabs.addTab(self.duplicates, _("Duplicates"))
        layout = page_frame(self, _("Sync"))
        layout.addWidget(self.tabs, 1)
        for page in (self.packets, self.conflicts, self.duplicates):
            page.data_changed.connect(lambda changes, source=page: self._tab_changed(changes, source))
            page.message.connect(self.message)
        self.conflicts.count_changed.connect(self._show_count)

    def _tab_changed(self, changes: ChangeSet, source: QWidget) -> None:
        self.apply_changes(changes, reported_by=source)  # the tab itself already shows its result
        self.data_changed.emit(changes)

    def _show_count(self, count: int) -> None:
        label = _("Conflicts ({count})").format(count=count) if count else _("Conflicts")
        self.tabs.setTabText(CONFLICTS, label)

    def set_workspace(self, workspace: Workspace) -> None:
        self.packets.set_workspace(workspace)

    def apply_changes(self, changes: ChangeSet, *, reported_by: QWidget | None = None) -> None:
        for page in (self.packets, self.conflicts, self.duplicates):
            if page is not reported_by:
                page.apply_changes(changes)

    def refresh(self) -> None:
        page = self.tabs.currentWidget()
        if isinstance(page, SyncPage | ConflictsPage):
            page.refresh()
        self.conflicts.refresh()

    def show_conflicts(self) -> None:
        self.tabs.setCurrentIndex(CONFLICTS)
