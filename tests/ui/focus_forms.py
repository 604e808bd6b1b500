"""Every form and dialog of the window, opened the way a test can walk it with the keyboard.

Each ``Form`` opens one form and names the widget where the cursor starts; a new form is one more
line in ``FORMS``. ``tab_cycle`` presses Tab (or Shift+Tab) from there until focus comes back.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QRadioButton, QWidget
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS

from fieldkit.context import Context
from fieldkit.opening import Credentials, open_context
from fieldkit.services.cards import OfficeCard
from fieldkit.services.keys import split_keys
from fieldkit.services.monitoring_types import FollowUpData, IncidentData, PersonData, VisitData
from fieldkit.services.people import Candidate, DuplicatePair
from fieldkit.store.cipher import KdfParams
from fieldkit.store.encryption import encrypt_store
from fieldkit.sync.importer import ImportSummary
from ui import main_window as mw
from ui import ops
from ui.editor.visit_dialog import VisitEditorDialog
from ui.first_run import FirstRunWizard
from ui.key_backup import KeyBackupDialog
from ui.key_restore import RestoreKeysDialog
from ui.lock import LockScreen
from ui.main_window import MainWindow
from ui.pages.duplicates_page import MergeDialog
from ui.pages.sync_dialogs import (
    ExportDialog,
    ImportPreviewDialog,
    OwnCardDialog,
    PreviewItem,
    TrustCardDialog,
)
from ui.pages.users_page import UserDialog
from ui.store_protection import ChangePassphraseDialog, EncryptStoreDialog
from ui.unlock import UnlockScreen
from ui.wipe_dialog import WipeDialog
from ui.workspace import Workspace, load_workspace

#: a date edit steps through its day, month and year sections with Tab before it lets go
MAX_STEPS_IN_ONE_WIDGET = 4
FINGERPRINT = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ"
CHEAP_KDF = KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)
OLD_PASSPHRASE = "correct horse battery"
NEW_PASSPHRASE = "purple staple orbit lantern"


@dataclass
class FormEnv:
    """What a form needs to open: the store, its workspace, and the main window built on demand."""

    qtbot: QtBot
    ctx: Context
    tmp_path: Path
    _window: MainWindow | None = None
    #: stores the forms opened for themselves, closed with the forms
    opened: list[Context] = field(default_factory=list)
    #: dialogs without a parent whose store work has run: Python must not delete them mid-test
    kept: list[QWidget] = field(default_factory=list)

    @property
    def workspace(self) -> Workspace:
        return load_workspace(self.ctx)

    def window(self) -> MainWindow:
        if self._window is None:
            from ui.app import build_main_window

            window = build_main_window(self.ctx)
            self.qtbot.addWidget(window)
            window.resize(1366, 768)
            window.show()
            self.qtbot.waitExposed(window)
            self.qtbot.waitUntil(lambda: not window.monitoring.visits.busy, timeout=WAIT_MS)
            # its start-up work (the look for unsaved visits among it) ends before the form is
            # shown: a question it asked later would block the form's dialog, which is the window's
            self.qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
            modal = QApplication.activeModalWidget()
            assert modal is None, f"the main window opened with {modal.windowTitle()!r} over it"
            self._window = window
        return self._window

    def clear(self) -> None:
        """Put away what the forms before left on screen, so that nothing takes the focus from the next.

        Their store work ends first (a message box it shows comes up as it ends). The visit editors
        they left open are closed and their drafts discarded: a draft autosaved into the shared store
        would make the main window, if built after it, ask to restore it over the form, or not, as
        the autosave's timer beat the forms or not. Every other window but the main window is then
        hidden: message boxes, dialogs kept for their work, forms Enter did not close.
        Hidden, not closed: closing a message box would run what its answer runs.
        """
        self.qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
        for dialog in list(VisitEditorDialog._open.values()):
            if shiboken6.isValid(dialog):
                dialog.editor.discard_draft()
                dialog._may_close = True
                dialog.close()
        self.qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
        for widget in QApplication.topLevelWidgets():
            if widget is not self._window and widget.isVisible():
                widget.hide()

    def show(self, widget: QWidget) -> QWidget:
        self.qtbot.addWidget(widget)
        widget.show()
        self.qtbot.waitExposed(widget)
        return widget

    def close(self) -> None:
        for dialog in list(VisitEditorDialog._open.values()):
            if shiboken6.isValid(dialog):
                dialog._may_close = True
                dialog.close()
        if self._window is not None:
            self._window.close()
        for ctx in self.opened:
            ctx.close()


#: (the window to walk, the widget where the cursor starts)
Opened = tuple[QWidget, QWidget]


@dataclass(frozen=True)
class Form:
    name: str
    opener: Callable[[FormEnv], Opened]

    def open(self, env: FormEnv) -> Opened:
        """The form, opened once what the forms before it left is out of the way."""
        env.clear()
        return self.opener(env)


# -- the visit editor ---------------------------------------------------------------------------------


def _visit() -> VisitData:
    return VisitData(
        title="Visit",
        visit_type="detention-visit",
        date_start=dt.date(2026, 3, 2),
        date_end=dt.date(2026, 3, 3),
        incidents=(IncidentData(summary="Beating", incident_date=dt.date(2026, 3, 2)),),
        people=(PersonData(code="V-01"),),
        follow_ups=(FollowUpData(action="Write", due_date=dt.date(2026, 4, 1)),),
    )


def _editor_tab(index: int, *, loaded: bool = True) -> Callable[[FormEnv], Opened]:
    def open_(env: FormEnv) -> Opened:
        ws = env.workspace
        dialog = VisitEditorDialog.open_new(None, env.ctx, ws.vocab, list(ws.areas))
        env.qtbot.addWidget(dialog)
        env.qtbot.waitExposed(dialog)
        if loaded:
            dialog.editor.load(_visit())
            dialog.editor.people.show_identity.setChecked(True)
        dialog.editor.tabs.setCurrentIndex(index)
        return dialog, dialog.editor.tabs.tabBar()

    return open_


# -- dialogs -------------------------------------------------------------------------------------------


def _wizard_page(page: int, *, restoring: bool = False) -> Callable[[FormEnv], Opened]:
    """The assistant on its ``page``-th page (0: the start page) for a new or a restored office."""

    def open_(env: FormEnv) -> Opened:
        wizard = FirstRunWizard(env.workspace)
        env.show(wizard)
        wizard.start_page.restore.setChecked(restoring)
        wizard.start_page.new_office.setChecked(not restoring)
        wizard.office_page.code.setText("TZ-DAR")
        wizard.office_page.name.setText("Tanzania office")
        wizard.office_page._checked = wizard.office_page.values()  # the store already said yes
        wizard.restore_page.source.folder.setText(str(env.tmp_path))
        wizard.restore_page.source.passphrase.setText("a recovery passphrase")
        wizard.restore_page.checked = wizard.restore_page.source.request()  # the keys were read already
        wizard.protection_page.fields.passphrase.setText(OLD_PASSPHRASE)
        wizard.protection_page.fields.repeat.setText(OLD_PASSPHRASE)
        for _step in range(page):
            wizard.next()
        current = wizard.currentPage()
        first = next(w for w in _inputs(wizard) if current.isAncestorOf(w))
        return wizard, first

    return open_


def _card() -> OfficeCard:
    return OfficeCard("TZ-DAR", "Tanzania office", "country-office", None, "age1x", "RWQx", FINGERPRINT)


def _export(env: FormEnv) -> Opened:
    dialog = ExportDialog([("ROEA", "Regional office")], env.tmp_path)
    env.show(dialog)
    return dialog, dialog.partner


def _preview(env: FormEnv) -> Opened:
    ready = ImportSummary("a.fkp", sender="ROEA", status="dry-run", new=3)
    refused = ImportSummary("b.fkp", status="refused", reason="Bad")
    items = [PreviewItem(0, env.tmp_path / "a.fkp", ready), PreviewItem(1, env.tmp_path / "b.fkp", refused)]
    dialog = ImportPreviewDialog(items)
    env.show(dialog)
    return dialog, dialog.table


def _own_card(env: FormEnv) -> Opened:
    dialog = OwnCardDialog(_card(), env.tmp_path / "card", "Country office")
    env.show(dialog)
    return dialog, _inputs(dialog)[0]


def _key_backup(env: FormEnv) -> Opened:
    dialog = KeyBackupDialog(env.tmp_path)
    env.show(dialog)
    return dialog, dialog.shares_form


def _restore_keys(env: FormEnv) -> Opened:
    """Ready to put this office's own keys back from two of three shares, as typed from paper."""
    folder = env.tmp_path / f"shares-{next(_stores)}"
    split_keys(env.ctx, folder, 2, 3)
    typed = "\n".join(p.read_text("utf-8") for p in sorted(folder.glob("*.txt"))[:2])
    dialog = RestoreKeysDialog(env.ctx)
    env.kept.append(dialog)
    env.show(dialog)
    dialog.source.share_text.setPlainText(typed)
    return dialog, dialog.source.from_shares


_stores = itertools.count(1)


def _own_store(env: FormEnv, *, encrypted: bool) -> Context:
    """A store of the dialog's own, so that accepting it converts that one and not the shared store."""
    path = env.tmp_path / f"protect-{next(_stores)}.db"
    open_context(path, create=True).close()
    if encrypted:
        encrypt_store(path, OLD_PASSPHRASE, params=CHEAP_KDF)
    ctx = open_context(path, credentials=Credentials(passphrase=lambda: OLD_PASSPHRASE))
    env.opened.append(ctx)
    return ctx


def _encrypt_store(env: FormEnv) -> Opened:
    dialog = EncryptStoreDialog(_own_store(env, encrypted=False), params=CHEAP_KDF)
    env.kept.append(dialog)
    env.show(dialog)
    dialog.fields.passphrase.setText(NEW_PASSPHRASE)
    dialog.fields.repeat.setText(NEW_PASSPHRASE)
    return dialog, dialog.fields.passphrase


def _change_passphrase(env: FormEnv) -> Opened:
    dialog = ChangePassphraseDialog(_own_store(env, encrypted=True), params=CHEAP_KDF)
    env.kept.append(dialog)
    env.show(dialog)
    dialog.old.setText(OLD_PASSPHRASE)
    dialog.fields.passphrase.setText(NEW_PASSPHRASE)
    dialog.fields.repeat.setText(NEW_PASSPHRASE)
    return dialog, dialog.old


def _trust_card(env: FormEnv) -> Opened:
    dialog = TrustCardDialog(_card(), "Country office", None)
    env.show(dialog)
    dialog.confirm.setChecked(True)
    return dialog, dialog.confirm


def _merge(env: FormEnv) -> Opened:
    first = Candidate("p1", "person", "Amina Hassan", "KE-NBO", "female", 1980, None)
    second = Candidate("p2", "person", "Amina Hasan", "ROEA", "female", 1980, None)
    dialog = MergeDialog(DuplicatePair(first, second, 90.0, ("name",)))
    env.show(dialog)
    return dialog, dialog.keep_first


def _unlock(*, account: bool) -> Callable[[FormEnv], Opened]:
    def open_(env: FormEnv) -> Opened:
        screen = UnlockScreen()
        env.show(screen)
        screen.ask_for("passphrase")
        if account:
            screen.ask_for("password")
        return screen, screen.passphrase

    return open_


def _lock_screen(env: FormEnv) -> Opened:
    screen = LockScreen(None, "password")
    env.show(screen)
    return screen, screen.secret


def _wipe(env: FormEnv) -> Opened:
    dialog = WipeDialog(env.workspace)
    env.show(dialog)
    dialog.confirmation.setText("KE-NBO")  # armed: the destructive button is in the cycle too
    return dialog, dialog.confirmation


def _user(env: FormEnv) -> Opened:
    window = env.window()
    window.show_page(mw.USERS)
    dialog = UserDialog(env.workspace, None, window.users_page)
    env.show(dialog)
    dialog.username.setText("nia")  # a valid first administrator, so that Enter can save it
    dialog.password.setText("correct horse battery staple")
    next(iter(dialog.roles.values())).setChecked(True)
    dialog.roles[next(r for r in dialog.roles if r.value == "administrator")].setChecked(True)
    return dialog, dialog.username


# -- pages of the main window --------------------------------------------------------------------------


def _page(index: int, tab: int | None = None) -> Callable[[FormEnv], Opened]:
    def open_(env: FormEnv) -> Opened:
        window = env.window()
        window.show_page(index)
        page = window.stack.widget(index)
        if tab is not None:
            page.tabs.setCurrentIndex(tab)  # type: ignore[attr-defined]
        return window, window.sidebar

    return open_


def _reports(kind: str) -> Callable[[FormEnv], Opened]:
    def open_(env: FormEnv) -> Opened:
        window = env.window()
        window.show_page(mw.REPORTS)
        page = window.reports
        env.qtbot.waitUntil(page.build_button.isEnabled, timeout=WAIT_MS)  # the user's choices are in
        page.form.kind.setCurrentIndex(page.form.kind.findData(kind))
        return window, window.sidebar

    return open_


FORMS: list[Form] = [
    Form("editor: general", _editor_tab(0)),
    Form("editor: general, new visit", _editor_tab(0, loaded=False)),
    Form("editor: incidents", _editor_tab(1)),
    Form("editor: people", _editor_tab(2)),
    Form("editor: follow-ups", _editor_tab(3)),
    Form("editor: attachments", _editor_tab(4)),
    Form("first run: start", _wizard_page(0)),
    Form("first run: store protection", _wizard_page(1)),
    Form("first run: office", _wizard_page(2)),
    Form("first run: restore the office", _wizard_page(2, restoring=True)),
    Form("first run: administrator", _wizard_page(3)),
    Form("first run: language", _wizard_page(4)),
    Form("first run: demo data", _wizard_page(5)),
    Form("sync: export", _export),
    Form("sync: import preview", _preview),
    Form("sync: own card", _own_card),
    Form("sync: back up the office keys", _key_backup),
    Form("sync: restore the office keys", _restore_keys),
    Form("settings: encrypt the store", _encrypt_store),
    Form("settings: change the store passphrase", _change_passphrase),
    Form("sync: trust a card", _trust_card),
    Form("duplicates: merge", _merge),
    Form("unlock: passphrase", _unlock(account=False)),
    Form("unlock: passphrase and account", _unlock(account=True)),
    Form("lock screen", _lock_screen),
    Form("settings: wipe", _wipe),
    Form("users: add", _user),
    Form("home", _page(mw.HOME)),
    Form("monitoring: visits and filters", _page(mw.MONITORING, 0)),
    Form("monitoring: overdue", _page(mw.MONITORING, 1)),
    Form("projects", _page(mw.PROJECTS)),
    Form("sync: packets", _page(mw.SYNC, 0)),
    Form("sync: conflicts", _page(mw.SYNC, 1)),
    Form("sync: duplicates", _page(mw.SYNC, 2)),
    Form("reports: a period", _reports("situation")),
    Form("reports: a visit", _reports("visit")),
    Form("reports: a country", _reports("briefing")),
    Form("settings", _page(mw.SETTINGS)),
    Form("audit trail", _page(mw.AUDIT)),
    Form("users", _page(mw.USERS)),
]


# -- walking ---------------------------------------------------------------------------------------------


def _takes_tab(widget: QWidget) -> bool:
    policy = widget.focusPolicy()
    return (policy & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus and widget.focusProxy() is None


def _radio_stop(widget: QWidget) -> bool:
    """Of a group of exclusive radio buttons only the checked one is a Tab stop (arrows move inside)."""
    if not isinstance(widget, QRadioButton) or (not widget.autoExclusive() and widget.group() is None):
        return True
    group = widget.group()
    siblings = group.buttons() if group is not None else widget.parentWidget().findChildren(QRadioButton)
    checked = [b for b in siblings if b.isChecked()]
    return widget.isChecked() or (not checked and widget is siblings[0])


def _inputs(root: QWidget) -> list[QWidget]:
    """Every widget in ``root``'s window that Tab should reach: visible, enabled, taking Tab focus."""
    return [
        w
        for w in root.findChildren(QWidget)
        if w.window() is root.window()
        and w.isVisible()
        and w.isEnabled()
        and _takes_tab(w)
        and _radio_stop(w)
    ]


def focusable_inputs(root: QWidget) -> set[QWidget]:
    return set(_inputs(root))


def tab_cycle(
    qtbot: QtBot, start: QWidget, *, backward: bool = False, alone: bool = False, limit: int = 400
) -> list[QWidget]:
    """The widgets focus visits from ``start`` until it comes back to ``start``, in order.

    Repeats in a row count once (a date edit's sections); a widget that keeps Tab fails the walk,
    unless it is the form's only input (``alone``).
    """
    start.setFocus(Qt.FocusReason.TabFocusReason)
    first = QApplication.focusWidget()
    assert first is not None, f"{describe(start)} takes no focus"
    visited = [first]
    stay = 0
    modifier = Qt.KeyboardModifier.ShiftModifier if backward else Qt.KeyboardModifier.NoModifier
    for _step in range(limit):
        current = QApplication.focusWidget()
        assert current is not None, f"focus left the window after {describe(visited[-1])}"
        qtbot.keyClick(current, Qt.Key.Key_Tab, modifier)
        now = QApplication.focusWidget()
        if now is first and (len(visited) > 1 or alone):
            return visited
        assert now is not None, f"focus left the window after {describe(current)}"
        if now is visited[-1]:
            stay += 1
            assert stay < MAX_STEPS_IN_ONE_WIDGET, f"Tab stays in {describe(now)}"
            continue
        stay = 0
        visited.append(now)
    raise AssertionError(f"no way back to the start: {[describe(w) for w in visited[-12:]]}")


def describe(widget: QWidget | None) -> str:
    if widget is None:
        return "nothing"
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    name = widget.accessibleName() or widget.objectName() or text
    parent = widget.parentWidget()
    return f"{type(widget).__name__}({name!r} in {type(parent).__name__ if parent else '-'})"
