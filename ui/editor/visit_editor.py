"""``VisitEditor``: the form for one monitoring visit, with live validation and autosaved drafts.

The editor holds plain ``VisitData`` values only; every store call (save, drafts) goes through
``ui.ops.Op``. Validation runs ``check_visit`` over the in-memory vocabularies on the GUI thread
(pure Python, no store), debounced while the user types.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPainter, QPaintEvent, QPalette, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QStyle, QTabWidget, QVBoxLayout, QWidget

from fieldkit.changeset import Changed
from fieldkit.clock import local_time
from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies
from fieldkit.errors import FieldKitError, ValidationError, reason_for
from fieldkit.formatting import format_time
from fieldkit.i18n import _
from fieldkit.services.drafts import discard_draft, load_draft, save_draft
from fieldkit.services.monitoring import check_visit, check_visit_warnings, save_visit
from fieldkit.services.monitoring_types import (
    AreaRow,
    AttachmentData,
    VisitData,
    visit_from_payload,
    visit_to_payload,
)
from ui.editor.attachments import AttachmentsPage
from ui.editor.children import ChildPage
from ui.editor.followups import FollowUpsPage
from ui.editor.general import GENERAL_KEYS, GeneralPage
from ui.editor.incidents import IncidentsPage, incident_label
from ui.editor.people import PeoplePage
from ui.editor.widgets import ERROR_STYLE, INVALID_STYLE
from ui.ops import Op, show_failure

RECORD_TYPE = "monitoring_visit"
VALIDATE_DELAY_MS = 300
DRAFT_DELAY_MS = 3000


def draft_key_for(visit_id: str | None) -> str:
    return f"visit:{visit_id}" if visit_id else f"visit:new:{uuid.uuid4()}"


class Banner(QLabel):
    """The form's one-line message strip, there even when empty: a message appearing or growing must
    not push the form down under the cursor. A longer text is cut with "…"; the whole of it is the
    tooltip and what screen readers read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_message(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(text)
        self.setAccessibleName(text)

    def sizeHint(self) -> QSize:
        return QSize(0, self.fontMetrics().height() + 2 * self.margin() + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, _event: QPaintEvent) -> None:
        line = " · ".join(part for part in self.text().splitlines() if part)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, rect.width())
        align = QStyle.visualAlignment(
            self.layoutDirection(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        painter = QPainter(self)
        self.style().drawItemText(
            painter, rect, int(align), self.palette(), self.isEnabled(), shown, QPalette.ColorRole.WindowText
        )


class VisitEditor(QWidget):
    saved = Signal(object)  # VisitData as stored
    changes_applied = Signal(object)  # ChangeSet of a save (just before ``saved``) or an attachment
    dirty_changed = Signal(bool)
    title_changed = Signal(str)
    loaded = Signal(object)  # id of the visit now shown, None for one never saved
    save_failed = Signal()

    def __init__(
        self, ctx: Context, vocab: Vocabularies, areas: list[AreaRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._vocab = vocab
        self._data = VisitData()
        self._baseline = VisitData()
        self._draft_key = draft_key_for(None)
        self._forced_dirty = False
        self._dirty = False
        self._saving = False
        self._closed = False
        self._touched: set[str] = set()
        self._show_all = False  # after a save attempt every problem shows, touched or not
        self._extra_errors: dict[str, str] = {}  # from save_visit only (e.g. an unknown area)
        self._errors: dict[str, str] = {}  # what is shown now
        self._warnings: dict[str, str] = {}  # values that look wrong; shown, never blocking
        self._headline = ""  # the save's summary ("3 problems to fix"), while problems remain
        self._failure = ""  # why the last save failed otherwise; stays until the next save
        self._draft_running = False
        self._last_draft: dict[str, object] | None = None
        self._drafted = False  # this editor wrote a draft since the last load

        self.setStyleSheet(INVALID_STYLE)
        self.banner = Banner()
        self.banner.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.general = GeneralPage(vocab, areas, ctx.today)
        self.incidents = IncidentsPage(vocab, ctx.today)
        self.people = PeoplePage(vocab, ctx.today)
        self.follow_ups = FollowUpsPage(vocab, ctx.today)
        self.attachments = AttachmentsPage(ctx, lambda then: self.save(then=then))
        self._child_pages: tuple[ChildPage[Any], ...] = (self.incidents, self.people, self.follow_ups)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.general, _("&General"))
        self.tabs.addTab(self.incidents, _("&Incidents"))
        self.tabs.addTab(self.people, _("&People"))
        self.tabs.addTab(self.follow_ups, _("Follo&w-ups"))
        self.tabs.addTab(self.attachments, _("&Attachments"))
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self._warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

        self._validate_timer = QTimer(self, singleShot=True, interval=VALIDATE_DELAY_MS)
        self._validate_timer.timeout.connect(self._validate_while_typing)
        # A throttle, not a debounce: steady typing still reaches the draft every few seconds.
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._autosave)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_moved)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: self.save())

        for page in (self.general, self.incidents, self.people, self.follow_ups, self.attachments):
            page.edited.connect(self._edited)
        self.incidents.removed.connect(self.people.incident_removed)
        self.incidents.edited.connect(self._incidents_edited)
        self.attachments.changes_applied.connect(self.changes_applied)
        self.attachments.attached.connect(self._attached)
        self.attachments.status.connect(self.status.setText)
        self.load(VisitData())

    # -- public API -----------------------------------------------------------------------

    @property
    def draft_key(self) -> str:
        return self._draft_key

    @property
    def visit_id(self) -> str | None:
        return self._data.id

    def is_dirty(self) -> bool:
        return self._dirty

    def is_saving(self) -> bool:
        return self._saving

    def load(self, data: VisitData, *, draft_key: str | None = None, dirty: bool = False) -> None:
        """Show ``data``; ``draft_key`` continues an existing draft, ``dirty`` marks restored work."""
        self._data = data
        self._draft_key = draft_key or draft_key_for(data.id)
        self._touched.clear()
        self._show_all = False
        self._extra_errors = {}
        self._last_draft = None
        self._drafted = False
        self._draft_timer.stop()
        self._validate_timer.stop()
        self.general.load(data)
        self.incidents.set_items(data.incidents)
        self.people.set_incident_labels(self._incident_labels())
        self.people.set_items(data.people)
        self.people.hide_identity()  # identifying details are shown on request, never by default
        self.follow_ups.set_items(data.follow_ups)
        self.attachments.set_visit(data.id, data.attachments)
        self._baseline = self.value()
        self._forced_dirty = dirty
        self._headline = self._failure = ""
        self._warnings = check_visit_warnings(data)
        self._show_errors({})
        self._update_dirty()
        self.title_changed.emit(self._baseline.title)
        self.loaded.emit(data.id)
        if dirty:
            self._draft_timer.start()

    def value(self) -> VisitData:
        """The visit as the widgets show it; children keep their ids."""
        return dataclasses.replace(
            self.general.apply(self._data),
            incidents=self.incidents.items(),
            people=self.people.items(),
            follow_ups=self.follow_ups.items(),
            attachments=self.attachments.attachments(),
        )

    def set_areas(self, areas: list[AreaRow]) -> None:
        self.general.area.set_areas(areas)

    def save(self, then: Callable[[], None] | None = None) -> None:
        """Store the visit (off the GUI thread); ``then`` runs after a successful save."""
        if self._saving or self._closed:
            return
        local = self.general.local_errors()
        if local:  # the core cannot judge text the widgets could not read
            self._show_all = True
            self._validate()
            self._focus_first_error()
            self.save_failed.emit()
            return
        data, ctx = self.value(), self._ctx
        self._failure = ""
        self._saving = True
        self._draft_timer.stop()
        self._set_busy(True)
        op = Op(self, lambda _p: save_visit(ctx, data)).with_progress(
            _("Saving the visit…"), cancellable=False
        )
        op.on_success(lambda result: self._saved(result, then)).on_failure(self._save_failed).run()

    def restore_draft(self, key: str) -> None:
        """Load the draft saved under ``key`` (off the GUI thread) and mark the form unsaved."""
        ctx = self._ctx
        Op(self, lambda _p: load_draft(ctx, key)).on_success(
            lambda payload: self._restored(key, payload)
        ).run()

    def discard_draft(self) -> None:
        """Forget the autosaved draft (after "Discard"); stops autosaving for good."""
        self.shutdown()
        ctx, key = self._ctx, self._draft_key
        Op(self, lambda _p: discard_draft(ctx, key)).waits_quietly().run()

    def has_own_draft(self) -> bool:
        """Whether this editor autosaved a draft since it last loaded or saved."""
        return self._drafted

    def shutdown(self) -> None:
        """No more timers: the editor is closing."""
        if not self._closed:
            app = QApplication.instance()
            assert isinstance(app, QApplication)
            app.focusChanged.disconnect(self._focus_moved)
        self._closed = True
        self._draft_timer.stop()
        self._validate_timer.stop()

    def errors(self) -> dict[str, str]:
        """The messages shown beside the fields right now."""
        return dict(self._errors)

    # -- edits ------------------------------------------------------------------------------

    def _edited(self, key: str) -> None:
        if key:
            self._touched.add(key)
            self._extra_errors.pop(key, None)
        self._update_dirty()
        self._validate_timer.start()
        if self._dirty and not self._draft_timer.isActive() and not self._closed:
            self._draft_timer.start()
        if key == "title":
            self.title_changed.emit(self.general.title.text().strip())

    def _incidents_edited(self, key: str) -> None:
        if key == "incidents" or key.endswith(".summary"):
            self.people.set_incident_labels(self._incident_labels())

    def _incident_labels(self) -> list[str]:
        return [incident_label(i, inc) for i, inc in enumerate(self.incidents.items())]

    def _attached(self, item: AttachmentData) -> None:
        # Already stored: the baseline gains it too, so the form does not turn dirty.
        # This form added it, so a later save may remove it again (loaded_children).
        self._data = dataclasses.replace(
            self._data,
            attachments=(*self._data.attachments, item),
            loaded_children=(*self._data.loaded_children, item.id),
        )
        self._baseline = dataclasses.replace(
            self._baseline,
            attachments=(*self._baseline.attachments, item),
            loaded_children=(*self._baseline.loaded_children, item.id),
        )
        self._update_dirty()
        if self._dirty and not self._closed:
            self._draft_timer.start()  # a restored draft without the new file would retire it on save

    def _update_dirty(self) -> None:
        dirty = self._forced_dirty or self.value() != self._baseline
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    # -- validation -------------------------------------------------------------------------

    def _validate_while_typing(self) -> None:
        """The live check: the field being typed in keeps the message it shows, or its lack of one,
        until the cursor leaves it; a new problem there turns red only then, a fixed one clears now."""
        key = self._key_of(QApplication.focusWidget())
        if key is None:
            self._validate()
            return
        found = self._problems()
        if key not in self._errors:
            found.pop(key, None)
        self._show(found)

    def _focus_moved(self, old: QWidget | None, _new: QWidget | None) -> None:
        # Leaving a field is when its problems are judged (and the time a pending check runs).
        if old is not None and self.isAncestorOf(old) and self._key_of(old) in self._touched:
            self._validate_timer.stop()
            self._validate()

    def _key_of(self, widget: QWidget | None) -> str | None:
        if widget is None or not self.isAncestorOf(widget):
            return None
        keys = (self.general.fields.key_of(widget), *(p.key_of(widget) for p in self._child_pages))
        return next((k for k in keys if k is not None), None)

    def _problems(self) -> dict[str, str]:
        found = check_visit(self._vocab, self.value()) | self.general.local_errors() | self._extra_errors
        if not self._show_all:
            found = {k: v for k, v in found.items() if k in self._touched}
        return found

    def _validate(self) -> None:
        self._show(self._problems())

    def _show(self, found: dict[str, str]) -> None:
        if not found:
            self._headline = ""
        self._warnings = check_visit_warnings(self.value())
        self._show_errors(found)

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        self._errors = dict(errors)
        headline = "\n".join(t for t in (self._failure, self._headline) if t)
        self.general.fields.show(errors, self._warnings)
        for page in self._child_pages:
            page.show_errors(errors, self._warnings)
        placed = self.general.fields.keys()
        unplaced = [m for k, m in errors.items() if k not in placed and not self._child_key(k)]
        text = "\n".join([headline, *unplaced] if headline else unplaced) if (errors or headline) else ""
        self.banner.set_message(text)
        for index, page_keys in enumerate(self._page_keys(errors)):
            self.tabs.setTabIcon(index, self._warning if page_keys else QIcon())
            self.tabs.setTabToolTip(index, "\n".join(errors[k] for k in page_keys))

    def _child_key(self, key: str) -> bool:
        head, _sep, field = key.partition("].")
        return any(head.startswith(p.prefix + "[") and field in p.fields for p in self._child_pages)

    def _page_keys(self, errors: Mapping[str, str]) -> list[list[str]]:
        """The error keys of each tab, in tab order."""
        children = [[k for k in errors if k.startswith(p.prefix + "[")] for p in self._child_pages]
        return [
            [k for k in errors if k in GENERAL_KEYS],
            *children,
            [k for k in errors if k == "attachments"],
        ]

    def _focus_first_error(self) -> None:
        for index, keys in enumerate(self._page_keys(self._errors)):
            if not keys:
                continue
            self.tabs.setCurrentIndex(index)
            if index == 0:
                widget = self.general.fields.first_invalid()
                if widget is not None:
                    widget.setFocus(Qt.FocusReason.OtherFocusReason)
            elif index <= len(self._child_pages):
                self._child_pages[index - 1].focus_error(keys[0])
            return

    # -- saving ------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        # No edits while a save is in flight: the reload after it would drop them.
        if busy:
            self._focus_before = QApplication.focusWidget()
        self.tabs.setEnabled(not busy)
        if not busy:
            before = getattr(self, "_focus_before", None)
            if before is not None and self.isAncestorOf(before):
                before.setFocus(Qt.FocusReason.OtherFocusReason)

    def _saved(self, result: Changed[VisitData], then: Callable[[], None] | None) -> None:
        stored = result.value
        self._saving = False
        self._set_busy(False)
        old_key = self._draft_key
        self.load(stored)
        ctx, keys = self._ctx, {old_key, self._draft_key}

        def discard(_progress: object) -> None:
            for key in sorted(keys):
                discard_draft(ctx, key)

        Op(self, discard).waits_quietly().run()
        self.status.setText(_("Saved at {time}").format(time=self._now()))
        self.changes_applied.emit(result.changes)
        self.saved.emit(stored)
        if then is not None:
            then()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            self._extra_errors = dict(exc.fields)
            self._show_all = True
            if exc.fields:
                self._headline = str(exc)
            else:  # e.g. someone else saved the visit meanwhile: not about one field
                self._failure = str(exc)
            self._validate()
            self._focus_first_error()
        elif isinstance(exc, FieldKitError):
            self._failure = str(exc)
            self._show_errors(self._errors)
        else:
            self._failure = _("The visit could not be saved.")
            self._show_errors(self._errors)
            show_failure(self, exc)
        if self._dirty and not self._closed:
            self._draft_timer.start()  # the draft still protects the typing
        self.save_failed.emit()

    # -- drafts -------------------------------------------------------------------------------

    def _autosave(self) -> None:
        if not self._dirty or self._saving or self._closed:
            return
        if self._draft_running:
            self._draft_timer.start()  # try again once the one in flight is done
            return
        data = self.value()
        payload = visit_to_payload(data)
        if payload == self._last_draft:
            return
        ctx, key, record_id = self._ctx, self._draft_key, data.id
        title = data.title or _("Untitled visit")
        self._draft_running = True
        Op(self, lambda _p: save_draft(ctx, key, RECORD_TYPE, record_id, title, payload)).on_success(
            lambda _r: self._draft_saved(key, payload)
        ).on_failure(self._draft_failed).waits_quietly().run()

    def _draft_saved(self, key: str, payload: dict[str, object]) -> None:
        self._draft_running = False
        if key != self._draft_key:
            return  # the visit was saved (or reloaded) meanwhile
        self._last_draft = payload
        self._drafted = True
        self.status.setText(_("Draft saved at {time}").format(time=self._now()))

    def _draft_failed(self, exc: BaseException) -> None:
        # Not a dialog every few seconds: the status line says it, and the next edit retries.
        self._draft_running = False
        self.status.setText(_("The draft could not be saved: {reason}").format(reason=reason_for(exc)))

    def _restored(self, key: str, payload: dict[str, object] | None) -> None:
        if payload is None:
            self._failure = _("That draft is no longer there.")
            self._show_errors(self._errors)
            return
        self.load(visit_from_payload(payload), draft_key=key, dirty=True)
        self._last_draft = payload
        self.status.setText(_("Restored unsaved changes from a draft. Save to keep them."))

    def _now(self) -> str:
        return format_time(local_time(self._ctx.now()))
