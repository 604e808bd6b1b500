"""One date format and one set of digits per language, on every screen that shows dates.

The window is walked in Arabic and Chinese (the list, the overdue tab, Home, the editor with its
child tables and date fields): every date shown is the language's one form, no ISO or numeric
date leaks, and Arabic shows Western digits only, Qt's own spin boxes included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shell_support import TODAY, WAIT_MS, MakeVisit, OpenWindow, followup

from fieldkit.context import Context
from fieldkit.formatting import format_day, format_visit_date
from fieldkit.i18n import current_language, set_language
from fieldkit.services.monitoring import get_visit
from fieldkit.services.monitoring_types import IncidentData
from ui.app import apply_language
from ui.editor.visit_editor import VisitEditor
from ui.pages.conflicts_page import FieldChoice, show_value
from ui.workspace import load_workspace

#: any date written as digits and separators, or ISO: the window never shows these
NUMERIC_DATE = re.compile(r"\b\d{1,4}[-/.\u200f]{1,2}\d{1,2}[-/.\u200f]{1,2}\d{2,4}\b")
ARABIC_INDIC = re.compile(r"[\u0660-\u0669\u06f0-\u06f9]")
#: the one form of a day (alone, or as a span) per language
DAY_FORMS = {
    "zh": re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"),
    "ar": re.compile(r"\d{1,2}(?:[–-]\d{1,2})? [\u0621-\u064a]+ \d{4}"),
}


@pytest.fixture
def window_language(qtbot: QtBot) -> Iterator[None]:
    yield
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_language(app, "en")


def _texts(root: QWidget) -> list[str]:
    """Every text a widget tree shows: labels, fields, buttons, combo boxes, spin boxes, cells."""
    out: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel | QLineEdit | QAbstractButton | QAbstractSpinBox):
            out.append(widget.text())
        elif isinstance(widget, QComboBox):
            out.append(widget.currentText())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(min(model.rowCount(), 200)):
                column = 0  # list models hide columnCount(): walk until the row ends
                while (index := model.index(row, column)).isValid():
                    value = index.data(Qt.ItemDataRole.DisplayRole)
                    if value is not None:
                        out.append(str(value))
                    column += 1
    return [t for t in out if t]


def _check(texts: list[str], lang: str) -> None:
    for text in texts:
        assert not NUMERIC_DATE.search(text), (lang, text)
        if lang == "ar":
            assert not ARABIC_INDIC.search(text), text


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_every_screen_shows_dates_in_the_one_form(
    qtbot: QtBot,
    ctx: Context,
    open_window: OpenWindow,
    make_visit: MakeVisit,
    window_language: None,
    lang: str,
) -> None:
    start = TODAY - dt.timedelta(days=40)
    overdue = followup(-12)
    visit = make_visit(
        title="Prison",
        date_start=start,
        date_end=start + dt.timedelta(days=2),
        incidents=(IncidentData(summary="Beating", violation_types=("torture",), incident_date=start),),
        follow_ups=(overdue, followup(30)),
    )
    make_visit(title="Camp", date_start=TODAY - dt.timedelta(days=3))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    set_language(lang)
    apply_language(app, lang)
    assert QLocale().toString(12345).replace(QLocale().groupSeparator(), "") == "12345"
    window = open_window()
    page = window.monitoring
    qtbot.waitUntil(lambda: page.visits.model.rowCount() == 2, timeout=WAIT_MS)
    page.show_overdue()
    qtbot.waitUntil(lambda: page.overdue.model.rowCount() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.home.total_card.value_label.text() != "", timeout=WAIT_MS)

    shown = _texts(window)
    _check(shown, lang)
    span = format_visit_date(start, start + dt.timedelta(days=2), "day", lang)
    due = format_day(overdue.due_date, lang)
    assert DAY_FORMS[lang].search(span) and DAY_FORMS[lang].search(due)
    assert span in shown  # the list
    assert any(due in text for text in shown)  # the overdue tab (and Home)

    workspace = load_workspace(ctx)
    editor = VisitEditor(ctx, workspace.vocab, list(workspace.areas))
    qtbot.addWidget(editor)
    editor.load(dataclasses.replace(get_visit(ctx, visit.id)))
    in_editor = _texts(editor)
    _check(in_editor, lang)
    assert format_day(start, lang) in in_editor  # the start date field and the incidents table
    assert due in in_editor  # the follow-ups table
    assert sum(DAY_FORMS[lang].fullmatch(t) is not None for t in in_editor) >= 3


def test_conflict_values_show_dates_in_the_one_form(qtbot: QtBot, language_zh: None) -> None:
    assert show_value("2026-10-16") == "2026年10月16日"  # dates travel as ISO text
    assert show_value("Room 2026-10") == "Room 2026-10"
    parent = QWidget()
    qtbot.addWidget(parent)
    # the box for a new value holds the stored text itself, not its display form
    assert FieldChoice("Due", "due_date", "2026-10-16", ["2026-10-17"], parent).edit.text() == "2026-10-16"
    assert FieldChoice("Notes", "notes", "", ["x"], parent).edit.text() == ""


@pytest.fixture
def language_zh() -> Iterator[None]:
    before = current_language()
    set_language("zh")
    yield
    set_language(before)
