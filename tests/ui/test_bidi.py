"""A cell's text direction follows its text, whatever the window's direction; its alignment stays
the window's."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QTableView
from pytestqt.qtbot import QtBot

from fieldkit.i18n import isolate
from ui.bidi import ContentDirectionStyle, cell_option, content_direction, follow_content_direction
from ui.table_model import Column, RowTableModel

pytest_plugins = ["qt_fixtures"]

LTR, RTL = Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft
LEADING = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
ARABIC = "الأطفال في الحجز"
ENGLISH = "Children held"


@dataclass(frozen=True)
class Row:
    id: int
    text: str


def test_content_direction_is_the_first_strong_character_outside_isolates() -> None:
    assert content_direction(ARABIC) == RTL
    assert content_direction(ENGLISH) == LTR
    assert content_direction("2026-03-02, 15") is None
    assert content_direction("") is None
    # an isolated Latin path does not decide the direction of the Arabic sentence around it
    assert content_direction(f"{isolate('/media/usb', 'ar')} غير موجود") == RTL
    assert content_direction("« KE-NBO »") == LTR


def test_a_cell_takes_its_texts_direction_and_keeps_the_windows_alignment() -> None:
    option = QStyleOptionViewItem()
    option.text, option.direction, option.displayAlignment = ARABIC + ".", LTR, LEADING
    arabic_in_english = cell_option(option)
    assert arabic_in_english.direction == RTL
    assert arabic_in_english.displayAlignment & Qt.AlignmentFlag.AlignLeft
    assert arabic_in_english.displayAlignment & Qt.AlignmentFlag.AlignAbsolute
    option.text, option.direction = "/media/usb/KE-NBO.fieldkit", RTL
    path_in_arabic = cell_option(option)
    assert path_in_arabic.direction == LTR
    assert path_in_arabic.displayAlignment & Qt.AlignmentFlag.AlignRight
    option.text = "12"  # no strong character: as the window has it
    assert cell_option(option).direction == RTL


def _ink(image: QImage, rect: QRect, background: QColor) -> list[tuple[int, int]]:
    return [
        (x, y)
        for y in range(rect.top() + 1, rect.bottom())
        for x in range(rect.left(), rect.right())
        if image.pixelColor(x, y).lightness() < background.lightness() - 60
    ]


def _letters_start(image: QImage, rect: QRect, background: QColor) -> int:
    """The left edge of the letters, leaving out what sits low on the line (a full stop)."""
    ink = _ink(image, rect, background)
    assert ink, "the row drew nothing"
    top, bottom = min(y for _x, y in ink), max(y for _x, y in ink)
    middle = (top + bottom) // 2
    return min(x for x, y in ink if y <= middle)


def test_an_arabic_sentence_in_an_english_window_ends_with_its_full_stop_on_the_left(
    qtbot: QtBot, qapp: QApplication
) -> None:
    assert isinstance(qapp, QApplication)
    follow_content_direction(qapp)
    assert isinstance(qapp.style(), ContentDirectionStyle)
    model: RowTableModel[Row] = RowTableModel([Column("Text", lambda r: r.text)])
    model.set_rows([Row(1, ARABIC + "."), Row(2, ARABIC)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setLayoutDirection(LTR)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setShowGrid(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.resize(600, 160)
    view.show()
    qtbot.waitExposed(view)
    image = view.viewport().grab().toImage()
    background = view.palette().base().color()
    with_stop = _letters_start(image, view.visualRect(model.index(0, 0)), background)
    without = _letters_start(image, view.visualRect(model.index(1, 0)), background)
    # read right to left, the full stop comes last: on the left, pushing the letters right
    assert with_stop > without + 1
    assert with_stop < view.width() // 2, "the cell keeps the English window's alignment"


@pytest.mark.parametrize("window_direction", [LTR, RTL])
def test_a_column_stays_aligned_on_the_windows_reading_side(
    qtbot: QtBot, qapp: QApplication, window_direction: Qt.LayoutDirection
) -> None:
    assert isinstance(qapp, QApplication)
    follow_content_direction(qapp)
    model: RowTableModel[Row] = RowTableModel([Column("Text", lambda r: r.text)])
    model.set_rows([Row(1, ARABIC), Row(2, ENGLISH)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setLayoutDirection(window_direction)
    view.setModel(model)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.resize(700, 160)
    view.show()
    qtbot.waitExposed(view)
    image = view.viewport().grab().toImage()
    background = view.palette().base().color()
    middle = image.width() // 2
    for row in (0, 1):
        xs = [x for x, _y in _ink(image, view.visualRect(model.index(row, 0)), background)]
        if window_direction == LTR:
            assert max(xs) < middle
        else:
            assert min(xs) > middle
