"""Keyboard only: Tab and Shift+Tab reach every input of every form once per round, both ways, in
left-to-right and right-to-left layouts. The forms are listed in ``focus_forms.FORMS``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from focus_forms import FORMS, Form, FormEnv, describe, focusable_inputs, tab_cycle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from fieldkit.context import Context
from ui.editor.visit_dialog import VisitEditorDialog

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")


@pytest.fixture
def env(qtbot: QtBot, ctx: Context, tmp_path: Path) -> Iterator[FormEnv]:
    forms = FormEnv(qtbot, ctx, tmp_path)
    yield forms
    forms.close()
    QApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


@pytest.mark.parametrize("direction", [Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft])
@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_tab_and_shift_tab_reach_every_input_once(
    qtbot: QtBot, env: FormEnv, form: Form, direction: Qt.LayoutDirection
) -> None:
    QApplication.setLayoutDirection(direction)
    root, start = form.open(env)
    root.activateWindow()
    qtbot.waitUntil(root.isActiveWindow)
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
        g.title, g.visit_type, g.confidentiality, g.precision, g.date_start.edit, g.date_end.check,
        g.date_end.edit, g.area, g.location, g.latitude, g.longitude, g.team, g.institution_type,
        g.institutions, g.counterparts, g.narrative,
    ]  # fmt: skip
    cycle = tab_cycle(qtbot, tab_bar)
    assert cycle[1 : len(fields) + 1] == fields, [describe(w) for w in cycle]
    buttons = [dialog.save_button, dialog.save_close_button, dialog.close_button]  # Delete: not stored yet
    assert set(cycle[len(fields) + 1 :]) == set(buttons)
