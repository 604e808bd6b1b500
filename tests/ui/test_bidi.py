"""A cell's text direction follows its text, whatever the window's direction."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from fieldkit.i18n import isolate
from ui.bidi import ContentDirectionStyle, content_direction, follow_content_direction
from ui.table_model import Column, RowTableModel

pytest_plugins = ["qt_fixtures"]

LTR, RTL = Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft
ARABIC = "زيارة إلى سجن كاميتي."
ENGLISH = "Visit to Kamiti prison."


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


def _ink_columns(image: QImage, top: int, bottom: int, background: QColor) -> list[int]:
    """The x positions holding any pixel darker than the background between two rows of pixels."""
    found = []
    for x in range(image.width()):
        for y in range(top, bottom):
            if image.pixelColor(x, y).lightness() < background.lightness() - 60:
                found.append(x)
                break
    return found


@pytest.mark.parametrize("window_direction", [LTR, RTL])
def test_an_arabic_cell_starts_at_the_right_and_an_english_one_at_the_left(
    qtbot: QtBot, qapp: QApplication, window_direction: Qt.LayoutDirection
) -> None:
    assert isinstance(qapp, QApplication)
    follow_content_direction(qapp)
    assert isinstance(qapp.style(), ContentDirectionStyle)
    model: RowTableModel[Row] = RowTableModel([Column("Text", lambda r: r.text)])
    model.set_rows([Row(1, ARABIC), Row(2, ENGLISH)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setLayoutDirection(window_direction)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setShowGrid(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.resize(700, 200)
    view.show()
    qtbot.waitExposed(view)
    image = view.viewport().grab().toImage()
    background = view.palette().base().color()
    middle = image.width() // 2
    for row, starts_right in ((0, True), (1, False)):
        rect = view.visualRect(model.index(row, 0))
        ink = _ink_columns(image, rect.top() + 2, rect.bottom() - 1, background)
        assert ink, f"row {row} drew nothing"
        if starts_right:
            assert min(ink) > middle, "the Arabic sentence sits at the right"
        else:
            assert max(ink) < middle, "the English sentence sits at the left"
