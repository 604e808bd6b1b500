"""Opens the visit editor and relays what its saves and deletions changed to the window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ui.editor.visit_dialog import VisitEditorDialog
from ui.workspace import Workspace

_WIRED = "fieldkit_visit_editing_wired"


class VisitEditing(QObject):
    """One per window: pages ask it to open visits; ``changes_applied`` says what an editor changed."""

    changes_applied = Signal(object)  # ChangeSet
    editor_closed = Signal()
    editor_close_abandoned = Signal()  # an editor asked about unsaved changes and stays open

    def __init__(self, window: QWidget, workspace: Workspace) -> None:
        super().__init__(window)
        self._window = window
        self._ws = workspace

    def new_visit(self) -> VisitEditorDialog:
        ws = self._ws
        return self._wire(VisitEditorDialog.open_new(self._window, ws.ctx, ws.vocab, list(ws.areas)))

    def open_visit(self, visit_id: str) -> VisitEditorDialog:
        ws = self._ws
        dialog = VisitEditorDialog.open_visit(self._window, ws.ctx, ws.vocab, list(ws.areas), visit_id)
        return self._wire(dialog)

    def open_draft(self, key: str) -> VisitEditorDialog:
        ws = self._ws
        return self._wire(VisitEditorDialog.open_draft(self._window, ws.ctx, ws.vocab, list(ws.areas), key))

    def set_workspace(self, workspace: Workspace) -> None:
        """Editors opened from now on offer its places; those open already get them too."""
        self._ws = workspace
        for dialog in self._window.findChildren(VisitEditorDialog):
            dialog.editor.set_areas(list(workspace.areas))

    def _wire(self, dialog: VisitEditorDialog) -> VisitEditorDialog:
        # The editor raises an already open window for the same visit: connect it only once.
        if not dialog.property(_WIRED):
            dialog.setProperty(_WIRED, True)
            dialog.changes_applied.connect(self.changes_applied)
            dialog.closed.connect(self.editor_closed)
            dialog.close_abandoned.connect(self.editor_close_abandoned)
        return dialog
