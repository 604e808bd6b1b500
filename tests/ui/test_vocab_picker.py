"""The one term picker: tree order and depth, search that keeps the way to a match, keyboard only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies, vocabularies
from fieldkit.i18n import current_language, set_language
from ui.editor.widgets import CodeCombo, CodeTree
from ui.pages.visit_filters import VisitFilterBar
from ui.vocab_picker import (
    CODE_ROLE,
    DEPTH_ROLE,
    PickItem,
    TermPicker,
    TermPopup,
    vocabulary_items,
)

PARENT = "torture-and-ill-treatment"


@pytest.fixture
def language() -> Iterator[None]:
    before = current_language()
    yield
    set_language(before)


def _index_of(popup: TermPopup, code: str) -> QModelIndex:
    found = popup.proxy.match(popup.proxy.index(0, 0), CODE_ROLE, code, 1, Qt.MatchFlag.MatchExactly)
    assert found, code
    return found[0]


def _picker(qtbot: QtBot, vocab: Vocabularies, *, rtl: bool = False) -> TermPicker:
    picker = TermPicker.for_vocabulary(vocab, "violation_type", empty="Any violation")
    if rtl:
        picker.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    return picker


def test_the_violation_list_is_a_tree_with_depths(qtbot: QtBot, ctx: Context, language: None) -> None:
    set_language("en")
    picker = _picker(qtbot, vocabularies(ctx))
    parent = picker.findData(PARENT, CODE_ROLE)
    child = picker.findData("torture", CODE_ROLE)
    assert 0 < parent < child
    assert picker.itemData(parent, DEPTH_ROLE) == 0 and picker.itemData(child, DEPTH_ROLE) == 1
    assert picker.itemText(child) == "Torture"  # no padding in the closed box's text
    popup = picker.open_popup("")
    root = popup.proxy.index(0, 0)
    assert popup.proxy.data(root, CODE_ROLE) is None  # "any" first
    parent_index = _index_of(popup, PARENT)
    children = [
        popup.proxy.data(popup.proxy.index(i, 0, parent_index), CODE_ROLE)
        for i in range(popup.proxy.rowCount(parent_index))
    ]
    assert "torture" in children and "cruel-inhuman-degrading-treatment" in children
    # the tree view indents children by its own indentation
    rect_parent = popup.tree.visualRect(parent_index)
    rect_child = popup.tree.visualRect(popup.proxy.index(children.index("torture"), 0, parent_index))
    assert rect_child.left() - rect_parent.left() >= popup.tree.indentation() > 0
    picker.hidePopup()


def test_right_to_left_indents_children_to_the_left(qtbot: QtBot, ctx: Context, language: None) -> None:
    set_language("ar")
    picker = _picker(qtbot, vocabularies(ctx), rtl=True)
    popup = picker.open_popup("")
    parent_index = _index_of(popup, PARENT)
    child_index = popup.proxy.index(0, 0, parent_index)
    assert popup.tree.visualRect(child_index).right() < popup.tree.visualRect(parent_index).right()
    assert popup.proxy.data(parent_index, Qt.ItemDataRole.DisplayRole) == "التعذيب وسوء المعاملة"
    picker.hidePopup()


def test_typing_filters_in_the_interface_language_and_keeps_ancestors(
    qtbot: QtBot, ctx: Context, language: None
) -> None:
    set_language("zh")
    picker = _picker(qtbot, vocabularies(ctx))
    popup = picker.open_popup("")
    popup.filter.insert("酷刑")  # "torture" (QTest cannot type outside Latin-1)
    shown = popup.visible_codes()
    assert PARENT in shown and "torture" in shown
    assert None not in shown and "right-to-life" not in shown
    # a matching parent keeps all its children reachable, as choosing one of them refines it
    assert "overcrowding" in shown
    popup.filter.clear()
    popup.filter.insert("大屠杀")  # a child only: its parent shows as the way to it
    assert popup.visible_codes() == ["right-to-life", "massacre"]
    picker.hidePopup()


def test_keyboard_only_choice_and_escape(qtbot: QtBot, ctx: Context, language: None) -> None:
    set_language("en")
    picker = _picker(qtbot, vocabularies(ctx))
    changes: list[int] = []
    picker.currentIndexChanged.connect(changes.append)
    picker.setFocus()
    qtbot.keyClicks(picker, "tort")  # typing on the closed box opens the search with the text
    popup = picker.popup
    assert popup is not None and popup.isVisible() and popup.filter.text() == "tort"
    assert popup.visible_codes()[0] == PARENT
    qtbot.keyClick(popup.filter, Qt.Key.Key_Down)
    assert popup.proxy.data(popup.tree.currentIndex(), CODE_ROLE) == "torture"
    qtbot.keyClick(popup.filter, Qt.Key.Key_Return)
    assert picker.popup is None and picker.currentData(CODE_ROLE) == "torture" and changes
    # Escape leaves the choice alone
    picker.showPopup()
    popup = picker.popup
    assert popup is not None
    assert popup.proxy.data(popup.tree.currentIndex(), CODE_ROLE) == "torture"  # opens on the choice
    qtbot.keyClick(popup.tree, Qt.Key.Key_Down)
    qtbot.keyClick(popup.tree, Qt.Key.Key_Escape)
    assert picker.popup is None and picker.currentData(CODE_ROLE) == "torture"
    QApplication.processEvents()  # deleteLater of the closed pop-up


def test_set_items_keeps_the_choice_and_reports_a_lost_one(qtbot: QtBot) -> None:
    picker = TermPicker()
    qtbot.addWidget(picker)
    picker.set_items([PickItem("Any", None), PickItem("A", "a"), PickItem("A1", "a1", "a")])
    picker.setCurrentIndex(picker.findData("a1", CODE_ROLE))
    assert picker.itemData(picker.currentIndex(), DEPTH_ROLE) == 1
    assert not picker.set_items([PickItem("Any", None), PickItem("A1", "a1"), PickItem("B", "b")])
    assert picker.code() == "a1"
    assert picker.set_items([PickItem("Any", None), PickItem("B", "b")])
    assert picker.code() is None


def test_editor_pickers_are_term_pickers_and_the_tree_filter_keeps_children(
    qtbot: QtBot, ctx: Context, language: None
) -> None:
    set_language("en")
    vocab = vocabularies(ctx)
    combo = CodeCombo(vocab, "violation_type", empty="None")
    qtbot.addWidget(combo)
    assert isinstance(combo, TermPicker)
    combo.set_code("torture")
    assert combo.code() == "torture"
    tree = CodeTree(vocab, "violation_type", title="Violation types")
    qtbot.addWidget(tree)
    tree.show()
    qtbot.keyClicks(tree.filter, "Torture and ill")
    visible = [str(i.data(0, CODE_ROLE)) for i in tree._items() if not i.isHidden()]
    assert visible[0] == PARENT and "overcrowding" in visible and "massacre" not in visible
    qtbot.keyClick(tree.filter, Qt.Key.Key_Down)
    assert tree.tree.hasFocus() or tree.tree.currentItem() is not None
    current = tree.tree.currentItem()
    assert current is not None and current.data(0, CODE_ROLE) == PARENT
    qtbot.keyClick(tree.tree, Qt.Key.Key_Space)
    assert tree.codes() == (PARENT,)


def test_vocabulary_items_name_the_parent_in_the_tooltip(ctx: Context, language: None) -> None:
    set_language("en")
    items = {i.code: i for i in vocabulary_items(vocabularies(ctx), "violation_type")}
    assert items["torture"].parent_code == PARENT
    assert items["torture"].tooltip == "Torture and ill-treatment › Torture"
    assert items[PARENT].tooltip is None


def test_the_violation_filter_offers_the_parent_by_keyboard(
    qtbot: QtBot, ctx: Context, language: None
) -> None:
    set_language("en")
    bar = VisitFilterBar(vocabularies(ctx), (), today=ctx.today)
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitExposed(bar)
    bar.violation.setFocus()
    qtbot.keyClick(bar.violation, "T")
    popup = bar.violation.popup
    assert popup is not None
    qtbot.keyClicks(popup.filter, "orture and")
    assert popup.visible_codes()[0] == PARENT
    with qtbot.waitSignal(bar.changed):
        qtbot.keyClick(popup.filter, Qt.Key.Key_Return)
    # the filter carries the parent; the list service matches its descendants
    assert bar.current_filter().violation_type == PARENT
    QApplication.processEvents()
