"""Warnings in the visit editor: shown beside the field in their own colour, never stopping a save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.services.monitoring import get_visit, save_visit
from fieldkit.services.monitoring_types import FollowUpData, PersonData, VisitData
from ui import ops
from ui.editor.visit_editor import VisitEditor
from ui.editor.widgets import ERROR_STYLE, INVALID_PROPERTY, WARNING_STYLE, FieldError

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")

WAIT_MS = 10_000


@pytest.fixture
def editor(qtbot: QtBot, ctx: Context) -> Iterator[VisitEditor]:
    widget = VisitEditor(ctx, vocabularies(ctx), [])
    qtbot.addWidget(widget)
    widget.resize(1300, 720)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)


def shown(label: FieldError) -> str:
    return label.text() if label.isVisibleTo(label.window()) else ""


def test_warnings_show_beside_their_fields_and_the_visit_still_saves(
    qtbot: QtBot, ctx: Context, editor: VisitEditor
) -> None:
    stored = save_visit(
        ctx,
        VisitData(
            title="Visit to Kamiti prison",
            visit_type="detention-visit",
            date_start=dt.date(2026, 3, 2),
            confidentiality="internal",
            people=(PersonData(code="V-1", age_group="child-0-11", birth_year=1980),),
            follow_ups=(FollowUpData(action="Write to the director", due_date=dt.date(2026, 2, 1)),),
        ),
    ).value
    editor.load(stored)
    editor.tabs.setCurrentWidget(editor.people)
    age = editor.people.fields._errors["age_group"]
    assert shown(age).startswith("Born in 1980")
    assert age.styleSheet() == WARNING_STYLE
    assert editor.people.age_group.property(INVALID_PROPERTY) is not True
    editor.tabs.setCurrentWidget(editor.follow_ups)
    assert shown(editor.follow_ups.fields._errors["due_date"]) == "Due before the visit took place"
    assert editor.errors() == {} and editor.banner.text() == ""  # warnings never fill the error strip

    # fixing the birth year takes the warning away at the next live check
    editor.tabs.setCurrentWidget(editor.people)
    editor.people.birth_year.setValue(2020)
    qtbot.waitUntil(lambda: shown(age) == "", timeout=WAIT_MS)

    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        editor.save()
    assert get_visit(ctx, stored.id or "").people[0].birth_year == 2020


def test_an_error_on_a_field_outranks_its_warning(qtbot: QtBot, editor: VisitEditor) -> None:
    label = editor.general.fields._errors["title"]
    editor.general.fields.show({"title": "Give the visit a title"}, {"title": "A warning"})
    assert shown(label) == "Give the visit a title" and label.styleSheet() == ERROR_STYLE
    assert editor.general.title.property(INVALID_PROPERTY) is True
    editor.general.fields.show({}, {"title": "A warning"})
    assert shown(label) == "A warning" and label.styleSheet() == WARNING_STYLE
    assert editor.general.title.property(INVALID_PROPERTY) is False
    assert editor.general.fields.first_invalid() is None
