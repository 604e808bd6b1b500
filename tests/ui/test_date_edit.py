"""The one date input: typed in the user's language, shown as the list shows it, opens on today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shell_support import TODAY, type_text

from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.formatting import format_visit_date
from fieldkit.i18n import current_language, set_language
from ui.date_edit import DateEdit
from ui.editor.widgets import ApproxDateEdit
from ui.pages.visit_filters import VisitFilterBar


@pytest.fixture
def language() -> Iterator[None]:
    before = current_language()
    yield
    set_language(before)


def _edit(qtbot: QtBot, ctx: Context) -> DateEdit:
    edit = DateEdit(today=ctx.today, placeholder="Any date")
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    return edit


def _type(qtbot: QtBot, edit: DateEdit, text: str) -> None:
    """Type over what the field shows, and press Enter."""
    edit.line.setFocus()
    edit.line.selectAll()
    type_text(qtbot, edit.line, text)
    qtbot.keyClick(edit.line, Qt.Key.Key_Return)


def test_an_empty_date_opens_the_calendar_on_today(qtbot: QtBot, ctx: Context, language: None) -> None:
    set_language("en")
    edit = _edit(qtbot, ctx)
    assert edit.date() is None and edit.line.text() == "" and edit.line.placeholderText() == "Any date"
    qtbot.keyClick(edit.line, Qt.Key.Key_F4)
    popup = edit.popup
    assert popup is not None and popup.isVisible()
    assert popup.calendar.selectedDate() == QDate(TODAY.year, TODAY.month, TODAY.day)
    # Escape closes it and leaves the field empty
    qtbot.keyClick(popup.calendar, Qt.Key.Key_Escape)
    assert not popup.isVisible() and edit.date() is None


def test_keyboard_choice_from_the_calendar(qtbot: QtBot, ctx: Context, language: None) -> None:
    set_language("en")
    edit = _edit(qtbot, ctx)
    with qtbot.waitSignal(edit.changed):
        qtbot.keyClick(edit.line, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
        popup = edit.popup
        assert popup is not None
        view = popup.calendar.focusWidget() or popup.calendar
        qtbot.keyClick(view, Qt.Key.Key_Right)
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert edit.date() == TODAY + dt.timedelta(days=1)
    assert edit.popup is None
    QApplication.processEvents()


@pytest.mark.parametrize(
    ("lang", "typed"),
    [
        ("en", "10/16/26"),  # the language's short form
        ("en", "Oct 16, 2026"),  # as the list shows it
        ("en", "2026-10-16"),  # ISO
        ("fr", "16/10/2026"),
        ("ru", "16.10.2026"),
        ("es", "16/10/26"),
        ("ar", "16/10/2026"),
        ("zh", "2026/10/16"),
    ],
)
def test_a_typed_date_is_read_in_the_language_and_shown_as_the_list_shows_it(
    qtbot: QtBot, ctx: Context, language: None, lang: str, typed: str
) -> None:
    set_language(lang)
    edit = _edit(qtbot, ctx)
    with qtbot.waitSignal(edit.changed):
        _type(qtbot, edit, typed)
    day = dt.date(2026, 10, 16)
    assert edit.date() == day and edit.is_valid()
    assert edit.line.text() == format_visit_date(day, day, "day", lang)  # the list's own format


def test_chinese_and_arabic_typing_through_the_input_method(
    qtbot: QtBot, ctx: Context, language: None
) -> None:
    for lang, typed in (("zh", "2026年10月16日"), ("ar", "١٦/١٠/٢٠٢٦")):
        set_language(lang)
        edit = _edit(qtbot, ctx)
        _type(qtbot, edit, typed)
        assert edit.date() == dt.date(2026, 10, 16), lang
        assert "١" not in edit.line.text()  # shown with the one set of digits


def test_text_that_names_no_date_is_marked_and_filters_nothing_away(
    qtbot: QtBot, ctx: Context, language: None
) -> None:
    set_language("en")
    edit = _edit(qtbot, ctx)
    _type(qtbot, edit, "2026-03-01")
    changes: list[None] = []
    edit.changed.connect(lambda: changes.append(None))
    _type(qtbot, edit, "2026-02-30")
    assert not edit.is_valid() and edit.date() == dt.date(2026, 3, 1) and not changes
    assert "like" in edit.line.toolTip()
    _type(qtbot, edit, "1985")
    assert not edit.is_valid()
    # clearing the text is "no date", at once
    edit.line.clear()
    assert edit.date() is None and changes


def test_a_year_or_a_month_is_typed_as_such(qtbot: QtBot, ctx: Context, language: None) -> None:
    set_language("en")
    edit = _edit(qtbot, ctx)
    edit.set_kind("year")
    _type(qtbot, edit, "1985")
    assert edit.date() == dt.date(1985, 1, 1) and edit.line.text() == "1985"
    edit.set_kind("month")
    _type(qtbot, edit, "March 2026")
    assert edit.date() == dt.date(2026, 3, 1) and edit.line.text() == "March 2026"
    assert edit.open_calendar() is None  # no calendar for a month


def test_filter_bar_reads_typed_dates(qtbot: QtBot, ctx: Context, language: None) -> None:
    set_language("en")
    bar = VisitFilterBar(vocabularies(ctx), (), today=ctx.today)
    qtbot.addWidget(bar)
    bar.show()
    with qtbot.waitSignal(bar.changed):
        _type(qtbot, bar.date_from, "10/1/26")
    assert bar.current_filter().date_from == dt.date(2026, 10, 1)
    assert bar.current_filter().date_to is None
    with qtbot.waitSignal(bar.changed):
        bar.clear()
    assert bar.current_filter().date_from is None and bar.date_from.line.text() == ""


def test_editor_dates_keep_their_precision_and_optional_state(
    qtbot: QtBot, ctx: Context, language: None
) -> None:
    set_language("en")
    field = ApproxDateEdit(today=TODAY, optional=True, toggle_name="There is a due date")
    qtbot.addWidget(field)
    field.show()
    field.set_date(None)
    assert field.date() is None and not field.edit.isEnabled()
    assert field.check is not None
    field.check.setChecked(True)
    assert field.date() == TODAY
    _type(qtbot, field.edit, "6/2/26")
    assert field.date() == dt.date(2026, 6, 2)
    field.set_precision("month")
    assert field.date() == dt.date(2026, 6, 1) and field.edit.line.text() == "June 2026"


def test_the_calendar_opens_on_the_reading_side(qtbot: QtBot, ctx: Context, language: None) -> None:
    set_language("ar")
    edit = _edit(qtbot, ctx)
    edit.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    edit.resize(400, edit.sizeHint().height())
    popup = edit.open_calendar()
    assert popup is not None and popup.layoutDirection() == Qt.LayoutDirection.RightToLeft
    left_edge = edit.mapToGlobal(edit.rect().topLeft()).x()
    right_edge = edit.mapToGlobal(edit.rect().topRight()).x()
    # under the field's right end (a window frame may shift it by a pixel or two), not its left
    assert abs(popup.geometry().right() - right_edge) <= 4
    assert popup.geometry().left() > left_edge + 50
    edit.close_calendar()
    QApplication.processEvents()
