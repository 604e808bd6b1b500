"""RowTableModel: Qt model contract, display/sort roles, fine-grained updates, proxies."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ui.table_model import Column, RowRole, RowSortProxy, RowTableModel, SortRole

pytest_plugins = ["qt_fixtures"]  # until the top-level conftest registers it
pytestmark = pytest.mark.usefixtures("no_thread_leaks")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    born: dt.date | None
    cases: int


PEOPLE = [
    Person(1, "amina", dt.date(1990, 5, 1), 3),
    Person(2, "Bashir", None, 0),
    Person(3, "chen", dt.date(1985, 1, 20), 12),
    Person(4, "Dalia", dt.date(2001, 11, 2), 1),
]


def _display(value: object) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return f"#{value}"


def _model(rows: list[Person] = PEOPLE) -> RowTableModel[Person]:
    columns: list[Column[Person]] = [
        Column("Name", lambda p: p.name, sort_key=lambda p: p.name.casefold(), tooltip=lambda p: f"#{p.id}"),
        Column("Born", lambda p: p.born),
        Column(
            "Cases",
            lambda p: p.cases,
            alignment=Qt.AlignmentFlag.AlignRight,
            decoration=lambda p: QColor("red") if p.cases > 10 else None,
        ),
    ]
    model = RowTableModel(columns, display=_display)
    model.set_rows(rows)
    return model


def _column(model: QAbstractItemModel, column: int = 0) -> list[object]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_model_contract(qtmodeltester: ModelTester) -> None:
    qtmodeltester.check(_model())
    qtmodeltester.check(_model([]))


def test_proxy_contract(qtmodeltester: ModelTester) -> None:
    proxy = RowSortProxy()
    proxy.setSourceModel(_model())
    proxy.sort(1)
    qtmodeltester.check(proxy)


def test_roles() -> None:
    model = _model()
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    assert model.headerData(9, Qt.Orientation.Horizontal) is None
    assert _column(model, 0) == ["amina", "Bashir", "chen", "Dalia"]
    assert _column(model, 1) == ["01.05.1990", None, "20.01.1985", "02.11.2001"]  # through `display`
    assert _column(model, 2) == ["#3", "#0", "#12", "#1"]
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "#1"
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.index(2, 2).data(Qt.ItemDataRole.DecorationRole) == QColor("red")
    assert model.index(0, 2).data(Qt.ItemDataRole.DecorationRole) is None
    assert model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) == Qt.AlignmentFlag.AlignRight
    assert model.index(3, 0).data(RowRole) == PEOPLE[3]
    assert model.index(1, 1).data(SortRole) is None
    assert model.index(0, 1).data(SortRole) == dt.date(1990, 5, 1).toordinal()
    assert model.rows() == tuple(PEOPLE)


def test_sort_through_a_proxy_by_sort_role() -> None:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(_model())
    proxy.setSortRole(SortRole)
    proxy.sort(0)
    assert _column(proxy) == ["amina", "Bashir", "chen", "Dalia"]  # sort_key casefolds
    proxy.sort(1)
    assert _column(proxy) == ["chen", "amina", "Dalia", "Bashir"]  # dates compared as dates, None last
    proxy.sort(2, Qt.SortOrder.DescendingOrder)
    assert _column(proxy) == ["chen", "amina", "Dalia", "Bashir"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (Qt.SortOrder.AscendingOrder, ["chen", "amina", "Dalia", "Bashir"]),
        (Qt.SortOrder.DescendingOrder, ["Dalia", "amina", "chen", "Bashir"]),  # missing dates stay last
    ],
)
def test_row_sort_proxy_sorts_in_the_model(order: Qt.SortOrder, expected: list[str]) -> None:
    model = _model()
    proxy = RowSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(1, order)
    assert _column(proxy) == expected
    assert _column(model) == expected
    model.set_rows(reversed(PEOPLE))  # a reload keeps the user's sort
    assert _column(proxy) == expected


def test_sort_keeps_persistent_indexes_on_their_row(qtbot: QtBot) -> None:
    model = _model()
    dalia = QPersistentModelIndex(model.index(3, 2))
    with qtbot.waitSignals([model.layoutAboutToBeChanged, model.layoutChanged], timeout=1000):
        model.sort(0, Qt.SortOrder.DescendingOrder)
    assert _column(model) == ["Dalia", "chen", "Bashir", "amina"]
    assert (dalia.row(), dalia.column()) == (0, 2)
    assert model.row_at(dalia) == PEOPLE[3]


def test_update_row_emits_data_changed_for_that_row_only(qtbot: QtBot) -> None:
    model = _model()
    changed = Person(3, "Chen Li", dt.date(1985, 1, 20), 13)
    with (
        qtbot.assertNotEmitted(model.modelReset),
        qtbot.assertNotEmitted(model.layoutChanged),
        qtbot.waitSignal(model.dataChanged, timeout=1000) as blocker,
    ):
        model.update_row(3, changed)
    top_left, bottom_right = blocker.args[0], blocker.args[1]
    assert (top_left.row(), top_left.column(), bottom_right.row(), bottom_right.column()) == (2, 0, 2, 2)
    assert model.index(2, 0).data() == "Chen Li"
    with pytest.raises(KeyError):
        model.update_row(99, changed)


def test_update_row_can_change_the_key() -> None:
    model = _model()
    model.update_row(2, Person(20, "Bashir", None, 0))
    assert model.index_of(20).row() == 1
    assert not model.index_of(2).isValid()
    with pytest.raises(ValueError, match="duplicate"):
        model.update_row(20, Person(1, "clash", None, 0))


def test_remove_row_emits_rows_removed_and_reindexes(qtbot: QtBot) -> None:
    model = _model()
    seen: list[tuple[str, bool, int, int]] = []
    model.rowsAboutToBeRemoved.connect(lambda p, a, b: seen.append(("about", p.isValid(), a, b)))
    model.rowsRemoved.connect(lambda p, a, b: seen.append(("done", p.isValid(), a, b)))
    with qtbot.assertNotEmitted(model.modelReset):
        model.remove_row(2)
    assert seen == [("about", False, 1, 1), ("done", False, 1, 1)]
    assert _column(model) == ["amina", "chen", "Dalia"]
    model.update_row(4, Person(4, "Dalia H.", None, 1))  # keys after the removed row moved up
    assert model.index(2, 0).data() == "Dalia H."
    with pytest.raises(KeyError):
        model.remove_row(2)


def test_add_row_emits_rows_inserted(qtbot: QtBot) -> None:
    model = _model()
    with qtbot.waitSignal(model.rowsInserted, timeout=1000) as blocker:
        model.add_row(Person(5, "Emeka", None, 0))
    assert blocker.args[1:] == [4, 4]
    assert model.index_of(5).row() == 4
    with pytest.raises(ValueError, match="duplicate"):
        model.add_row(Person(5, "again", None, 0))


def test_row_at_maps_through_proxies() -> None:
    model = _model()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterFixedString("chen")
    assert proxy.rowCount() == 1
    assert model.row_at(proxy.index(0, 1)) == PEOPLE[2]
    assert model.row_at(QModelIndex()) is None
    assert model.row_at(_model().index(0, 0)) is None  # another model's index


def test_set_rows_rejects_duplicate_keys() -> None:
    model = _model()
    with pytest.raises(ValueError, match="duplicate"):
        model.set_rows([PEOPLE[0], PEOPLE[0]])
    assert model.rowCount() == 4  # unchanged


def test_custom_key_function() -> None:
    model = RowTableModel[str]([Column[str]("Word", lambda w: w)], key=str.lower)
    model.set_rows(["Alpha", "beta"])
    model.update_row("alpha", "ALPHA")
    assert _column(model) == ["ALPHA", "beta"]


def test_hundred_thousand_rows_sort_in_the_model() -> None:
    rows = [Person(i, f"name{(i * 7919) % 100_000:05d}", None, i % 17) for i in range(100_000)]
    model = _model(rows)
    proxy = RowSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(0)
    assert proxy.index(0, 0).data() == "name00000"
    assert proxy.index(99_999, 0).data() == "name99999"
