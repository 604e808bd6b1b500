"""PagedRowModel: the whole result's row count, placeholders, a bounded page cache, moves."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ui.paged_model import PagedRowModel
from ui.table_model import Column

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")


@dataclass(frozen=True)
class Row:
    id: int
    name: str


def _rows(start: int, count: int) -> list[Row]:
    return [Row(i, f"row {i}") for i in range(start, start + count)]


def _model(total: int = 100, *, max_pages: int = 3) -> PagedRowModel[Row]:
    columns: list[Column[Row]] = [Column("Id", lambda r: r.id), Column("Name", lambda r: r.name)]
    model = PagedRowModel(columns, page_size=10, max_pages=max_pages, placeholder_column=1)
    model.reset(total, _rows(0, 10))
    return model


def test_the_model_contract_holds_while_pages_come_and_go(qtmodeltester: ModelTester) -> None:
    model = _model()
    qtmodeltester.check(model)
    model.put_rows(50, _rows(50, 10), 100)
    model.put_rows(90, _rows(90, 10), 105)  # the result grew meanwhile
    model.remove_row(55)
    model.set_total(40)
    qtmodeltester.check(model)


def test_rows_not_held_show_a_placeholder_and_ask_for_their_page_once(qtbot: QtBot) -> None:
    model = _model()
    assert model.rowCount() == 100
    assert model.index(3, 1).data() == "row 3"
    with qtbot.waitSignal(model.pages_wanted, timeout=1000) as wanted:
        cells = [model.index(r, c).data() for r in (42, 43, 77) for c in (0, 1)]
    assert cells == [None, "Loading…"] * 3
    assert model.index(42, 1).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert wanted.args == [[4, 7]]
    model.put_rows(40, _rows(40, 10), 100)
    assert model.index(42, 1).data() == "row 42" and model.row_at(model.index(42, 0)) == Row(42, "row 42")


def test_the_cache_forgets_the_least_recently_used_page() -> None:
    model = _model(max_pages=3)
    model.put_rows(10, _rows(10, 10), 100)
    model.touch_pages([0])
    model.put_rows(20, _rows(20, 10), 100)
    model.put_rows(30, _rows(30, 10), 100)
    assert model.held_pages() == [0, 2, 3]
    assert not model.index_of(15).isValid() and model.index_of(35).row() == 35
    assert len(model.rows()) == 30


def test_a_removed_row_moves_the_rows_after_it_up_and_leaves_a_gap_to_fill() -> None:
    model = _model()
    model.put_rows(10, _rows(10, 10), 100)
    model.remove_row(5)
    assert model.rowCount() == 99
    assert model.index(5, 1).data() == "row 6" and model.index_of(19).row() == 18
    assert not model.page_complete(1)  # position 19 must come from the store again
    model.put_rows(10, [Row(i + 1, f"row {i + 1}") for i in range(10, 20)], 99)
    assert model.page_complete(1) and model.index(19, 1).data() == "row 20"


def test_a_row_that_moved_to_another_page_is_never_shown_twice() -> None:
    model = _model()
    model.put_rows(10, [Row(9, "row 9 moved"), *_rows(11, 9)], 100)
    assert model.index_of(9).row() == 10
    assert model.index(9, 1).data() == "Loading…"
