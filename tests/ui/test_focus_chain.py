"""Keyboard only: Tab and Shift+Tab reach every input of every form once per round, both ways, in
left-to-right and right-to-left layouts. The forms are listed in ``focus_forms.FORMS``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6
from focus_forms import FORMS, Form, FormEnv, describe, focusable_inputs, tab_cycle
from PySide6.QtCore import QLocale, QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QMenuBar,
    QPushButton,
    QTabBar,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS

from fieldkit.context import Context
from ui import ops
from ui.app import apply_language
from ui.editor.visit_dialog import VisitEditorDialog

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")


@pytest.fixture
def env(qtbot: QtBot, ctx: Context, tmp_path: Path) -> Iterator[FormEnv]:
    forms = FormEnv(qtbot, ctx, tmp_path)
    yield forms
    forms.close()
    QApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def activate(qtbot: QtBot, form: Form, root: QWidget) -> None:
    """Make the form's window the active one, as a user's click would, or say what stands in the way.

    What opening the form started (a page's first load) ends first: on a real X server a window
    cannot take the focus from one still coming up. What earlier forms left is put away when a form
    opens (``FormEnv.clear``), so one request is enough.
    """
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    root.raise_()
    root.activateWindow()
    try:
        qtbot.waitUntil(root.isActiveWindow, timeout=WAIT_MS)
    except Exception as exc:
        active, modal = QApplication.activeWindow(), QApplication.activeModalWidget()
        raise AssertionError(
            f"{form.name}: its window never became active (active: "
            f"{active.windowTitle() if active is not None else 'none'!r}, modal: "
            f"{modal.windowTitle() if modal is not None else 'none'!r})"
        ) from exc


@pytest.mark.parametrize("direction", [Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft])
@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_tab_and_shift_tab_reach_every_input_once(
    qtbot: QtBot, env: FormEnv, form: Form, direction: Qt.LayoutDirection
) -> None:
    QApplication.setLayoutDirection(direction)
    root, start = form.open(env)
    activate(qtbot, form, root)
    expected = focusable_inputs(root)
    assert start in expected, describe(start)

    alone = len(expected) == 1
    forward = tab_cycle(qtbot, start, alone=alone)
    twice = [describe(w) for w in forward if forward.count(w) > 1]
    assert not twice, f"{form.name}: Tab reaches these more than once a round: {twice}"
    missed = sorted(describe(w) for w in expected - set(forward))
    assert not missed, f"{form.name}: Tab never reaches {missed}"
    extra = sorted(describe(w) for w in set(forward) - expected)
    assert not extra, f"{form.name}: Tab stops on {extra}, which take no input"

    for box in root.findChildren(QDialogButtonBox):
        buttons = [w for w in forward if isinstance(w, QAbstractButton) and box.isAncestorOf(w)]
        seen = sorted(buttons, key=lambda b: b.mapTo(box, QPoint(0, 0)).x())
        if direction == Qt.LayoutDirection.RightToLeft:
            seen.reverse()
        assert [b.text() for b in buttons] == [b.text() for b in seen], (
            f"{form.name}: buttons out of reading order"
        )

    backward = tab_cycle(qtbot, start, backward=True, alone=alone)
    assert [describe(w) for w in backward] == [describe(w) for w in [forward[0], *reversed(forward[1:])]], (
        f"{form.name}: Shift+Tab does not retrace Tab"
    )


def test_the_visit_form_reads_top_to_bottom_then_the_buttons(qtbot: QtBot, env: FormEnv) -> None:
    dialog, tab_bar = FORMS[0].open(env)
    assert isinstance(dialog, VisitEditorDialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    g = dialog.editor.general
    assert g.date_end.check is not None
    fields = [
        g.title, g.visit_type, g.confidentiality, g.precision, g.date_start.edit.line, g.date_end.check,
        g.date_end.edit.line, g.area, g.location, g.latitude, g.longitude, g.team, g.institution_type,
        g.institutions, g.counterparts, g.narrative,
    ]  # fmt: skip
    cycle = tab_cycle(qtbot, tab_bar)
    assert cycle[1 : len(fields) + 1] == fields, [describe(w) for w in cycle]
    # then the buttons as they stand, left to right (Delete is off: the visit is not stored yet)
    buttons = [dialog.save_button, dialog.save_close_button, dialog.close_button]
    buttons.sort(key=lambda b: b.mapTo(dialog, QPoint(0, 0)).x())
    assert cycle[len(fields) + 1 :] == buttons


# -- mnemonics --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mnemonic:
    key: Qt.Key
    owner: QWidget
    text: str


def _key(text: str) -> Qt.Key | None:
    sequence = QKeySequence.mnemonic(text)
    return sequence[0].key() if not sequence.isEmpty() else None


def visible_mnemonics(root: QWidget) -> list[Mnemonic]:
    """Every underlined letter the user can see in ``root``'s window: labels, buttons, group boxes,
    tab titles and, in the main window, the menu titles (Alt+letter opens those too)."""
    window = root.window()
    found: list[Mnemonic] = []
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisible():
            continue
        texts: list[str] = []
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts = [widget.text()]
        elif isinstance(widget, QGroupBox):
            texts = [widget.title()]
        elif isinstance(widget, QTabBar):
            texts = [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
        elif isinstance(widget, QMenuBar):
            texts = [a.text() for a in widget.actions() if a.isVisible()]
        for text in texts:
            key = _key(text)
            if key is not None:
                found.append(Mnemonic(key, widget, text))
    return found


def _focus_target(widget: QWidget) -> QWidget:
    while (proxy := widget.focusProxy()) is not None:
        widget = proxy
    return widget


MNEMONIC_LANGUAGES = ["en", "fr", "es", "ru", "ar", "zh"]
#: letters the catalogs give twice on one page; translators reassign them when the catalogs are
#: regenerated (the English texts, which the catalogs follow, are clash-free), then drop them here
CATALOG_CLASHES: set[tuple[str, str]] = set()  # (language, form) pairs whose catalog still clashes


@pytest.fixture
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    lang = str(request.param)
    before = QLocale()
    apply_language(qapp, lang)
    yield lang
    apply_language(qapp, "en")
    QLocale.setDefault(before)


def mnemonic_problems(qtbot: QtBot, form: Form, root: QWidget, language: str) -> list[str]:
    """What is wrong with the underlined letters of one open form (nothing: an empty list)."""
    mnemonics = visible_mnemonics(root)
    by_key: dict[Qt.Key, list[str]] = {}
    for m in mnemonics:
        by_key.setdefault(m.key, []).append(m.text)
    clashes = {QKeySequence(k).toString(): texts for k, texts in by_key.items() if len(texts) > 1}
    if (language, form.name) in CATALOG_CLASHES:
        return [] if clashes else [f"{form.name}: the catalog is fixed; drop it from CATALOG_CLASHES"]
    problems = [f"{form.name}: Alt+{key} is {texts}" for key, texts in clashes.items()]
    window = root.window()
    for label in window.findChildren(QLabel):  # a buddy also tells screen readers what a field is
        buddy = label.buddy()
        if label.isVisible() and buddy is not None and buddy.focusPolicy() == Qt.FocusPolicy.NoFocus:
            problems.append(f"{form.name}: {label.text()!r} labels {describe(buddy)}, which takes no focus")
    for m in mnemonics:
        if not isinstance(m.owner, (QLabel, QGroupBox)):
            continue  # buttons, tabs and menus act on their letter: unique is what matters
        where = f"{form.name}: Alt+{m.text!r}"
        targets = focusable_inputs(m.owner)  # a group box: whichever of its inputs comes first
        if isinstance(m.owner, QLabel):
            buddy = m.owner.buddy()
            if buddy is None or buddy.focusPolicy() == Qt.FocusPolicy.NoFocus:
                problems.append(f"{where} has no buddy that takes focus (QLabel then ignores the letter)")
                continue
            targets = {_focus_target(buddy)}
        if not targets or not all(t.isEnabled() and t.isVisible() for t in targets):
            problems.append(f"{where} names no field that can take the cursor")
            continue
        away = next(w for w in focusable_inputs(root) if w not in targets)
        away.setFocus()  # start somewhere else, so that arriving means something
        qtbot.keyClick(root.window(), m.key, Qt.KeyboardModifier.AltModifier)
        focused = QApplication.focusWidget()
        if focused not in targets:
            problems.append(f"{where} went to {describe(focused)}")
    return problems


@pytest.mark.parametrize("language", MNEMONIC_LANGUAGES, indirect=True)
def test_every_mnemonic_shown_works_and_none_is_used_twice(qtbot: QtBot, env: FormEnv, language: str) -> None:
    problems: list[str] = []
    for form in FORMS:  # one window for all its pages: building it per form would be slow
        root, _start = form.open(env)
        activate(qtbot, form, root)
        problems += mnemonic_problems(qtbot, form, root, language)
    assert not problems, f"[{language}]\n" + "\n".join(problems)


# -- Enter and Escape ---------------------------------------------------------------------------------------


def _accept_button(dialog: QDialog) -> QPushButton | None:
    for box in dialog.findChildren(QDialogButtonBox):
        for button in box.buttons():
            if box.buttonRole(button) == QDialogButtonBox.ButtonRole.AcceptRole and button.isEnabled():
                assert isinstance(button, QPushButton)
                return button
    return None


def _outcome(qtbot: QtBot, dialog: QDialog, key: Qt.Key) -> int | None:
    """What pressing ``key`` in the dialog's first field did: its result once it closed, or None."""
    results: list[int] = []
    dialog.finished.connect(results.append)
    focused = QApplication.focusWidget()
    assert focused is not None and dialog.isAncestorOf(focused)
    qtbot.keyClick(focused, key)
    # a dialog that saves through the store lane closes once its op has finished
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    return results[0] if results else None


def _enter_problems(qtbot: QtBot, form: Form, root: QDialog) -> list[str]:
    if isinstance(root, VisitEditorDialog):  # Enter in a field must not save or close the visit
        closed = _outcome(qtbot, root, Qt.Key.Key_Return) is not None
        return [f"{form.name}: Enter saves or closes the visit"] if closed or root.editor.is_saving() else []
    if isinstance(root, QWizard):
        page, last = root.currentId(), root.pageIds()[-1]
        if page != last and root.button(QWizard.WizardButton.NextButton).isEnabled():
            focused = QApplication.focusWidget()
            assert focused is not None
            qtbot.keyClick(focused, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: root.currentId() != page, timeout=WAIT_MS)
        return []  # the last page's Enter would set the office up, which is not for this test
    if (
        _accept_button(root) is not None
        and _outcome(qtbot, root, Qt.Key.Key_Return) != QDialog.DialogCode.Accepted
    ):
        return [f"{form.name}: Enter does not accept it"]
    return []


def test_enter_accepts_and_escape_cancels_every_dialog(qtbot: QtBot, env: FormEnv) -> None:
    problems: list[str] = []
    for form in FORMS:
        root, start = form.open(env)
        if not isinstance(root, QDialog):
            continue
        activate(qtbot, form, root)
        start.setFocus()
        result = _outcome(qtbot, root, Qt.Key.Key_Escape)
        if result == QDialog.DialogCode.Accepted or (shiboken6.isValid(root) and root.isVisible()):
            problems.append(f"{form.name}: Escape does not cancel it")

        root, start = form.open(env)
        activate(qtbot, form, root)
        start.setFocus()
        problems += _enter_problems(qtbot, form, root)
    assert not problems, "\n".join(problems)
