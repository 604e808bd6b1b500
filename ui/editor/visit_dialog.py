"""``VisitEditorDialog``: a non-modal window around ``VisitEditor`` with Save, Save and close,
Delete and Close, and a guard against losing unsaved changes (Save / Discard / Cancel).

At most one window per visit: opening a visit (or draft) that is already open raises that window.
"""

from __future__ import annotations

import itertools
from typing import ClassVar

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.changeset import ChangeSet
from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies
from fieldkit.i18n import _
from fieldkit.services.drafts import discard_draft, load_draft
from fieldkit.services.monitoring import delete_visit, get_visit
from fieldkit.services.monitoring_types import AreaRow, VisitData
from ui.editor.visit_editor import VisitEditor, draft_key_for
from ui.ops import Op, show_failure

NEW_PREFIX = "visit:new:"
PREFERRED_SIZE = (1280, 740)  # fits 1366x768 with a taskbar; smaller screens get their available size


def _registry_key(draft_key: str) -> str:
    """Windows are tracked by visit id, or by draft key while the visit is not saved yet."""
    return draft_key if draft_key.startswith(NEW_PREFIX) else draft_key.removeprefix("visit:")


class VisitEditorDialog(QDialog):
    saved = Signal(object)  # VisitData as stored (relayed from the editor)
    deleted = Signal(str)  # visit id
    changes_applied = Signal(object)  # ChangeSet of a save or the deletion, before ``saved``/``deleted``
    closed = Signal()  # the window is closing for good
    close_abandoned = Signal()  # a close was asked for, but the window stays (Cancel, or the save failed)

    _open: ClassVar[dict[str, VisitEditorDialog]] = {}

    def __init__(
        self, ctx: Context, vocab: Vocabularies, areas: list[AreaRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._may_close = False
        self._saving_to_close = False
        self._loading = False
        self._tracked = False
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setSizeGripEnabled(True)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.editor = VisitEditor(ctx, vocab, areas, self)
        self.buttons = QDialogButtonBox()
        self.save_button = self._button(_("&Save"), QDialogButtonBox.ButtonRole.ApplyRole)
        # Not AcceptRole: the button box would make it the default button, and Enter would close.
        self.save_close_button = self._button(_("Sa&ve and close"), QDialogButtonBox.ButtonRole.ActionRole)
        self.delete_button = self._button(_("&Delete…"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.close_button = self._button(_("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.buttons)
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        width, height = PREFERRED_SIZE
        if area is not None:
            width, height = min(width, area.width()), min(height, area.height())
        self.resize(width, height)

        self.save_button.clicked.connect(lambda: self.editor.save())
        self.save_close_button.clicked.connect(lambda: self.editor.save(then=self._close_now))
        self.delete_button.clicked.connect(self._confirm_delete)
        self.close_button.clicked.connect(self.close)
        self.editor.dirty_changed.connect(self.setWindowModified)
        self.editor.dirty_changed.connect(lambda _d: self._update_title())
        self.editor.changes_applied.connect(self.changes_applied)
        self.editor.saved.connect(self._saved)
        self.editor.saved.connect(self.saved)
        self.editor.loaded.connect(lambda _id: self._sync_delete())
        self.editor.loaded.connect(lambda _id: self._update_title())
        self.editor.save_failed.connect(self._save_failed)
        self._update_title()
        self._sync_delete()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._tab_through_buttons_as_shown()  # the box has laid its buttons out for the style by now

    def _tab_through_buttons_as_shown(self) -> None:
        # The box places buttons by role and platform, not in the order they were added; Tab follows
        # the order they were added unless told otherwise.
        layout = self.buttons.layout()
        assert layout is not None
        items = (layout.itemAt(i) for i in range(layout.count()))
        shown = [item.widget() for item in items if item is not None]
        buttons = [w for w in shown if isinstance(w, QPushButton)]
        for first, second in itertools.pairwise(buttons):
            QWidget.setTabOrder(first, second)

    def _button(self, text: str, role: QDialogButtonBox.ButtonRole) -> QPushButton:
        button = self.buttons.addButton(text, role)
        # Enter in a field must never save or close the form by accident.
        button.setAutoDefault(False)
        button.setDefault(False)
        return button

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def find_open(cls, visit_id_or_draft_key: str) -> VisitEditorDialog | None:
        dialog = cls._open.get(_registry_key(visit_id_or_draft_key)) or cls._open.get(visit_id_or_draft_key)
        return dialog if dialog is not None and shiboken6.isValid(dialog) else None

    @classmethod
    def _raise_existing(cls, key: str) -> VisitEditorDialog | None:
        dialog = cls.find_open(key)
        if dialog is not None:
            dialog.show()
            dialog.raise_()
            dialog.activateWindow()
        return dialog

    def _register(self, key: str) -> None:
        if not self._tracked:
            # The registry also keeps a parentless dialog's Python wrapper (and so the window) alive.
            self.destroyed.connect(lambda *_a, d=self: VisitEditorDialog._forget(d))
            self._tracked = True
        VisitEditorDialog._forget(self)
        VisitEditorDialog._open[key] = self

    @staticmethod
    def _forget(dialog: VisitEditorDialog) -> None:
        for key in [k for k, d in VisitEditorDialog._open.items() if d is dialog]:
            del VisitEditorDialog._open[key]

    @classmethod
    def open_new(
        cls, parent: QWidget | None, ctx: Context, vocab: Vocabularies, areas: list[AreaRow]
    ) -> VisitEditorDialog:
        dialog = cls(ctx, vocab, areas, parent)
        dialog._register(_registry_key(dialog.editor.draft_key))
        dialog.show()
        dialog.editor.general.title.setFocus(Qt.FocusReason.OtherFocusReason)
        return dialog

    @classmethod
    def open_visit(
        cls, parent: QWidget | None, ctx: Context, vocab: Vocabularies, areas: list[AreaRow], visit_id: str
    ) -> VisitEditorDialog:
        existing = cls._raise_existing(visit_id)
        if existing is not None:
            return existing
        dialog = cls(ctx, vocab, areas, parent)
        dialog._register(visit_id)
        dialog._set_loading(True)
        dialog.show()
        key = draft_key_for(visit_id)

        def load(_progress: object) -> tuple[VisitData, bool]:
            return get_visit(ctx, visit_id), load_draft(ctx, key) is not None

        op = Op(dialog, load).with_progress(_("Opening the visit…"))
        op.on_success(dialog._loaded).on_failure(dialog._load_failed).run()
        return dialog

    @classmethod
    def open_draft(
        cls, parent: QWidget | None, ctx: Context, vocab: Vocabularies, areas: list[AreaRow], key: str
    ) -> VisitEditorDialog:
        existing = cls._raise_existing(key)
        if existing is not None:
            return existing
        dialog = cls(ctx, vocab, areas, parent)
        dialog._register(_registry_key(key))
        dialog.editor.restore_draft(key)
        dialog.show()
        return dialog

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        self.editor.setEnabled(not loading)
        for button in (self.save_button, self.save_close_button):
            button.setEnabled(not loading)
        self._sync_delete()

    def _sync_delete(self) -> None:
        # A visit never saved has nothing to delete: Close (or Discard) is how it goes away.
        self.delete_button.setEnabled(not self._loading and self.editor.visit_id is not None)

    def _loaded(self, result: tuple[VisitData, bool]) -> None:
        data, has_draft = result
        self.editor.load(data)
        self._set_loading(False)
        self.editor.general.title.setFocus(Qt.FocusReason.OtherFocusReason)
        if has_draft:
            self._offer_draft()

    def _load_failed(self, exc: BaseException) -> None:
        # The message must outlive this window, so it goes to the parent (or stands alone).
        owner = self.parentWidget() or QApplication.instance()
        assert owner is not None
        show_failure(owner, exc)
        self._close_now()

    def _offer_draft(self) -> None:
        # Changes autosaved in an earlier session (a crash?) would otherwise be overwritten unseen.
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Unsaved changes found"),
            _("This visit has changes from an earlier session that were never saved. Restore them?"),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        restore = box.addButton(_("&Restore"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("&Discard them"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        key, ctx = self.editor.draft_key, self._ctx

        def answered(_result: int) -> None:
            if box.clickedButton() is restore:
                self.editor.restore_draft(key)
            else:
                Op(self, lambda _p: discard_draft(ctx, key)).run()

        box.finished.connect(answered)
        box.open()

    # -- title, save, delete ----------------------------------------------------------------------

    def _update_title(self) -> None:
        # Never the visit's own title: window titles reach task bars, window lists, screen sharing
        # and other programs on the desktop, and a title often names the people visited.
        text = _("Monitoring visit") if self.editor.visit_id is not None else _("New monitoring visit")
        self.setWindowTitle(text + " [*]")

    def _saved(self, stored: VisitData) -> None:
        if stored.id is not None:
            self._register(stored.id)
        self._sync_delete()
        self._update_title()

    def _confirm_delete(self) -> None:
        visit_id = self.editor.visit_id
        if visit_id is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Delete this visit?"),
            _("The visit, its incidents, people links, follow-ups and attachments will be deleted. "
              "Partner offices receive the deletion at the next sync."),
            QMessageBox.StandardButton.Cancel,
            self,
        )  # fmt: skip
        delete = box.addButton(_("&Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._delete(visit_id) if box.clickedButton() is delete else None)
        box.open()

    def _delete(self, visit_id: str) -> None:
        ctx = self._ctx
        self._set_loading(True)
        op = Op(self, lambda _p: delete_visit(ctx, visit_id)).with_progress(
            _("Deleting the visit…"), cancellable=False
        )
        op.on_success(lambda changes: self._deleted(visit_id, changes)).on_failure(self._delete_failed).run()

    def _deleted(self, visit_id: str, changes: ChangeSet) -> None:
        self.editor.discard_draft()
        self.changes_applied.emit(changes)
        self.deleted.emit(visit_id)
        self._close_now()

    def _delete_failed(self, exc: BaseException) -> None:
        self._set_loading(False)
        show_failure(self, exc)

    # -- closing ---------------------------------------------------------------------------------

    def _close_now(self) -> None:
        self._may_close = True
        self.close()

    def reject(self) -> None:
        self.close()  # Esc goes through the same guard as the window's close button

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close or not self.editor.is_dirty():
            if not self._may_close and self.editor.has_own_draft():
                self.editor.discard_draft()  # typed and undone: the draft holds nothing worth offering
            self.editor.shutdown()
            event.accept()
            self.closed.emit()
            return
        event.ignore()
        if not self.editor.is_saving():
            self._ask_unsaved()

    def _ask_unsaved(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Unsaved changes"),
            _("This visit has changes that are not saved yet."),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )  # fmt: skip
        box.setInformativeText(_("Save them, discard them, or go back to the form?"))
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._unsaved_answer(box.standardButton(box.clickedButton())))
        self.unsaved_box = box  # tests and assistive tools find the open question here
        box.open()

    def _unsaved_answer(self, answer: QMessageBox.StandardButton) -> None:
        if answer == QMessageBox.StandardButton.Save:
            self._saving_to_close = True
            self.editor.save(then=self._close_now)
        elif answer == QMessageBox.StandardButton.Discard:
            self.editor.discard_draft()
            self._close_now()
        else:
            self.close_abandoned.emit()

    def _save_failed(self) -> None:
        if self._saving_to_close:
            self._saving_to_close = False
            self.close_abandoned.emit()
