"""The visit editor, driven through its widgets against a real SQLite store.

Store work runs on the op lanes, so tests wait with waitSignal/waitUntil, never processEvents.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QMessageBox,
    QTreeWidgetItem,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shell_support import TODAY

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies, vocabularies
from fieldkit.errors import NotFound
from fieldkit.services.drafts import list_drafts, save_draft
from fieldkit.services.monitoring import get_visit, save_visit
from fieldkit.services.monitoring_types import AreaRow, IncidentData, VisitData, VisitFilter, visit_to_payload
from fieldkit.services.visit_list import admin_areas, list_visits
from fieldkit.store.records import AdminArea
from ui import ops
from ui.editor import visit_editor
from ui.editor.visit_dialog import VisitEditorDialog
from ui.editor.visit_editor import VisitEditor
from ui.editor.widgets import INVALID_PROPERTY, CodeCombo, CodeTree, FieldError

pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")

WAIT_MS = 10_000
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a2d3a5d40000000049454e44ae426082"
)


@pytest.fixture
def vocab(ctx: Context) -> Vocabularies:
    return vocabularies(ctx)


@pytest.fixture
def areas(ctx: Context) -> list[AreaRow]:
    with unchecked(), ctx.write() as (_session, writer):
        kenya = writer.create(AdminArea, {"name": "Kenya", "level": 0, "country_code": "KEN"})
        nairobi = writer.create(AdminArea, {"name": "Nairobi", "level": 1, "parent_id": kenya.id})
        writer.create(AdminArea, {"name": "Kibera", "level": 2, "parent_id": nairobi.id})
    return admin_areas(ctx)


@pytest.fixture
def settled(qtbot: QtBot, ctx: Context) -> Iterator[None]:
    """Torn down before ``ctx``: every op delivered and every editor window gone before the store closes."""
    yield
    for dialog in list(VisitEditorDialog._open.values()):
        if shiboken6.isValid(dialog):
            dialog._may_close = True
            dialog.close()
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)


@pytest.fixture
def editor(
    qtbot: QtBot, ctx: Context, vocab: Vocabularies, areas: list[AreaRow], settled: None
) -> VisitEditor:
    widget = VisitEditor(ctx, vocab, areas)
    qtbot.addWidget(widget)
    widget.resize(1300, 720)
    widget.show()
    qtbot.waitExposed(widget)
    # keys go to the active window: on a real X server a shown window is not active by itself
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=WAIT_MS)
    return widget


def choose(combo: CodeCombo, code: str) -> None:
    index = combo.findData(code)
    assert index >= 0, code
    combo.setCurrentIndex(index)


def check(tree: CodeTree, *codes: str) -> None:
    for code in codes:
        items = [i for i in tree._items() if i.data(0, Qt.ItemDataRole.UserRole) == code]
        assert items, code
        item: QTreeWidgetItem = items[0]
        item.setCheckState(0, Qt.CheckState.Checked)


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def message_box(widget: QWidget) -> QMessageBox:
    boxes = [b for b in widget.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


def wait_gone(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.waitUntil(lambda: not shiboken6.isValid(widget), timeout=WAIT_MS)


def fill_required(qtbot: QtBot, editor: VisitEditor, title: str) -> None:
    qtbot.keyClicks(editor.general.title, title)
    choose(editor.general.visit_type, "detention-visit")


def error_text(label: FieldError) -> str:
    return label.text() if label.isVisibleTo(label.window()) else ""


def _label(editor: VisitEditor, key: str) -> FieldError:
    return editor.general.fields._errors[key]


# -- filling and saving -------------------------------------------------------------------------


def test_a_visit_with_two_incidents_and_a_follow_up_is_stored(
    qtbot: QtBot, ctx: Context, editor: VisitEditor, areas: list[AreaRow]
) -> None:
    g = editor.general
    kibera = next(a for a in areas if a.name == "Kibera")
    fill_required(qtbot, editor, "Visit to Kamiti prison")
    choose(g.confidentiality, "confidential")
    choose(g.precision, "month")  # only month and year matter: any day in March is stored as the 1st
    g.date_start.edit.set_date(dt.date(2026, 3, 17))
    g.area.setCurrentIndex(g.area.findData(kibera.id))
    qtbot.keyClicks(g.location, "Block C")
    qtbot.keyClicks(g.latitude, "-1.3133")
    qtbot.keyClicks(g.longitude, "36.7892")
    qtbot.keyClicks(g.team, "A. Mwangi, L. Chen")
    choose(g.institution_type, "prison")
    qtbot.keyClicks(g.narrative, "Detainees describe overcrowding.")
    assert editor.is_dirty()

    inc = editor.incidents
    editor.tabs.setCurrentWidget(inc)
    click(qtbot, inc.add_button)
    qtbot.keyClicks(inc.summary, "Beating on arrival")
    check(inc.violations, "torture")
    check(inc.rights, "freedom-from-torture")
    check(inc.groups, "women")
    inc.victims.spin("female", "adult-18-59").setValue(2)
    choose(inc.perpetrator, "prison-staff")
    choose(inc.pattern, "pattern")
    choose(inc.reliability, "reliable")
    inc.date.check.setChecked(True)  # type: ignore[union-attr]
    inc.date.edit.set_date(dt.date(2026, 3, 2))
    click(qtbot, inc.add_button)
    qtbot.keyClicks(inc.summary, "No access to a lawyer")
    check(inc.violations, "arbitrary-detention")
    assert inc.table.rowCount() == 2

    people = editor.people
    editor.tabs.setCurrentWidget(people)
    click(qtbot, people.add_button)
    qtbot.keyClicks(people.code, "V-01")
    choose(people.sex, "female")
    people.incident.setCurrentIndex(people.incident.findData(1))
    assert not people.restricted.isVisible()  # identifying details stay hidden until asked for
    people.show_identity.setChecked(True)
    assert people.restricted.isVisible()
    qtbot.keyClicks(people.full_name, "Amina Yusuf")

    fu = editor.follow_ups
    editor.tabs.setCurrentWidget(fu)
    click(qtbot, fu.add_button)
    qtbot.keyClicks(fu.action, "Write to the prison director")
    qtbot.keyClicks(fu.responsible, "L. Chen")
    fu.due.check.setChecked(True)  # type: ignore[union-attr]
    fu.due.edit.set_date(dt.date(2026, 4, 1))

    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(editor.tabs, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S
    stored: VisitData = saved.args[0]
    assert stored.id is not None and editor.visit_id == stored.id
    assert not editor.is_dirty()
    assert editor.draft_key == f"visit:{stored.id}"

    visit = get_visit(ctx, stored.id)
    assert (visit.title, visit.visit_type, visit.confidentiality) == (
        "Visit to Kamiti prison", "detention-visit", "confidential",
    )  # fmt: skip
    assert (visit.date_precision, visit.date_start, visit.date_end) == ("month", dt.date(2026, 3, 1), None)
    assert (visit.admin_area_id, visit.location_text) == (kibera.id, "Block C")
    assert (visit.latitude, visit.longitude) == (-1.3133, 36.7892)
    assert (visit.team, visit.institution_type) == ("A. Mwangi, L. Chen", "prison")
    assert visit.narrative == "Detainees describe overcrowding."
    by_summary = {i.summary: i for i in visit.incidents}
    assert set(by_summary) == {"Beating on arrival", "No access to a lawyer"}
    beating = by_summary["Beating on arrival"]
    assert beating.violation_types == ("torture",)
    assert (beating.rights, beating.affected_groups) == (("freedom-from-torture",), ("women",))
    assert beating.victims == {"female/adult-18-59": 2}
    assert (beating.perpetrator_type, beating.pattern, beating.source_reliability) == (
        "prison-staff", "pattern", "reliable",
    )  # fmt: skip
    assert beating.incident_date == dt.date(2026, 3, 2)
    assert by_summary["No access to a lawyer"].violation_types == ("arbitrary-detention",)
    (person,) = visit.people
    assert (person.code, person.sex, person.full_name) == ("V-01", "female", "Amina Yusuf")
    assert person.incident_index is not None
    assert visit.incidents[person.incident_index].summary == "No access to a lawyer"
    (follow_up,) = visit.follow_ups
    assert (follow_up.action, follow_up.responsible, follow_up.status) == (
        "Write to the prison director", "L. Chen", "open",
    )  # fmt: skip
    assert follow_up.due_date == dt.date(2026, 4, 1)

    # The form now shows the stored visit: children carry their ids into the next save.
    assert all(i.id for i in editor.value().incidents)
    qtbot.keyClicks(g.title, " (second visit)")
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        editor.save()
    again = get_visit(ctx, stored.id)
    assert again.title == "Visit to Kamiti prison (second visit)"
    assert {i.id for i in again.incidents} == {i.id for i in visit.incidents}
    qtbot.waitUntil(lambda: not list_drafts(ctx), timeout=WAIT_MS)


def test_new_dates_start_on_the_context_clocks_day(qtbot: QtBot, editor: VisitEditor) -> None:
    assert editor.general.date_start.date() == TODAY  # a new visit starts today
    inc = editor.incidents
    editor.tabs.setCurrentWidget(inc)
    click(qtbot, inc.add_button)
    inc.date.check.setChecked(True)  # type: ignore[union-attr]
    assert inc.date.date() == TODAY
    fu = editor.follow_ups
    editor.tabs.setCurrentWidget(fu)
    click(qtbot, fu.add_button)
    fu.due.check.setChecked(True)  # type: ignore[union-attr]
    assert fu.due.date() == TODAY
    choose(fu.status, "done")
    assert fu.completed.date() == TODAY  # done today, unless the user says otherwise


def test_removing_an_incident_keeps_people_linked_to_the_right_one(qtbot: QtBot, editor: VisitEditor) -> None:
    inc, people = editor.incidents, editor.people
    for summary in ("First", "Second"):
        click(qtbot, inc.add_button)
        qtbot.keyClicks(inc.summary, summary)
    click(qtbot, people.add_button)
    people.incident.setCurrentIndex(people.incident.findData(1))
    assert "Second" in people.incident.currentText()
    inc.table.setCurrentCell(0, 0)
    click(qtbot, inc.remove_button)
    assert [p.incident_index for p in people.items()] == [0]
    assert "Second" in people.incident.currentText()


def test_keyboard_alone_reaches_and_sets_the_fields(qtbot: QtBot, editor: VisitEditor) -> None:
    g = editor.general
    g.title.setFocus()
    qtbot.keyClicks(g.title, "Keyboard")
    qtbot.keyClick(g.title, Qt.Key.Key_Tab)
    assert g.visit_type.hasFocus()
    qtbot.keyClick(g.narrative, Qt.Key.Key_Tab)  # Tab leaves the narrative instead of typing a tab
    assert "\t" not in g.narrative.toPlainText()

    inc = editor.incidents
    editor.tabs.setCurrentWidget(inc)
    click(qtbot, inc.add_button)
    focused = QApplication.focusWidget()
    assert focused is not None and inc.date.isAncestorOf(focused)
    qtbot.keyClicks(inc.violations.filter, "tortur")  # the filter narrows the long hierarchy
    tree = inc.violations.tree
    match = next(i for i in inc.violations._items() if i.data(0, Qt.ItemDataRole.UserRole) == "torture")
    assert not match.isHidden()
    assert sum(not i.isHidden() for i in inc.violations._items()) < 10
    tree.setFocus()
    tree.setCurrentItem(match)
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert inc.items()[0].violation_types == ("torture",)


# -- validation -----------------------------------------------------------------------------------


def test_problems_show_beside_their_fields_and_nothing_is_saved(
    qtbot: QtBot, ctx: Context, editor: VisitEditor
) -> None:
    g = editor.general
    assert editor.errors() == {}  # a fresh form does not scold
    choose(g.visit_type, "detention-visit")
    g.date_start.edit.set_date(dt.date(2026, 3, 10))
    g.date_end.check.setChecked(True)  # type: ignore[union-attr]
    g.date_end.edit.set_date(dt.date(2026, 3, 2))
    # Live check: the end date was touched, so its problem shows without saving once the cursor leaves it.
    assert g.date_end.isAncestorOf(QApplication.focusWidget())
    g.area.setFocus()
    qtbot.waitUntil(lambda: "date_end" in editor.errors(), timeout=WAIT_MS)
    assert "title" not in editor.errors()  # untouched, so not yet
    click(qtbot, editor.incidents.add_button)  # an incident without a violation type

    editor.save()
    qtbot.waitUntil(lambda: "title" in editor.errors(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    title_error, end_error = _label(editor, "title"), _label(editor, "date_end")
    assert error_text(title_error) == "Give the visit a title"
    assert error_text(end_error) == "The end date is before the start date"
    assert g.title.property(INVALID_PROPERTY) is True
    assert g.date_end.property(INVALID_PROPERTY) is True
    assert error_text(_label(editor, "visit_type")) == ""
    assert "incidents[0].violation_types" in editor.errors()
    assert not editor.tabs.tabIcon(0).isNull() and not editor.tabs.tabIcon(1).isNull()
    assert editor.tabs.tabIcon(2).isNull()
    assert "problem" in editor.banner.text()
    assert editor.tabs.currentIndex() == 0 and g.title.hasFocus()  # the cursor goes to the first problem
    assert list_visits(ctx, VisitFilter()).total == 0
    assert editor.visit_id is None and editor.is_dirty()

    # Fixing a field clears its message at the next live check.
    qtbot.keyClicks(g.title, "Fixed")
    qtbot.waitUntil(lambda: "title" not in editor.errors(), timeout=WAIT_MS)
    assert error_text(title_error) == "" and g.title.property(INVALID_PROPERTY) is False
    assert "date_end" in editor.errors()


def test_text_the_core_cannot_read_is_caught_before_saving(
    qtbot: QtBot, ctx: Context, editor: VisitEditor
) -> None:
    fill_required(qtbot, editor, "Coordinates")
    qtbot.keyClicks(editor.general.latitude, "north")
    editor.general.area.setEditText("Atlantis")
    editor.save()
    assert {"latitude", "admin_area_id"} <= set(editor.errors())
    assert not editor.is_saving()
    assert list_visits(ctx, VisitFilter()).total == 0


# -- the window: dirty guard, one window per visit, delete ------------------------------------------


def test_closing_with_unsaved_changes_asks_first(
    qtbot: QtBot,
    ctx: Context,
    vocab: Vocabularies,
    areas: list[AreaRow],
    settled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(visit_editor, "DRAFT_DELAY_MS", 200)
    dialog = VisitEditorDialog.open_new(None, ctx, vocab, areas)
    qtbot.waitExposed(dialog)
    assert not dialog.isModal() and not dialog.isWindowModified()
    dialog.close()  # nothing typed: closes without a question
    wait_gone(qtbot, dialog)

    dialog = VisitEditorDialog.open_new(None, ctx, vocab, areas)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.editor.general.title, "Half-typed")
    assert dialog.isWindowModified() and "Half-typed" not in dialog.windowTitle()  # record text stays out
    qtbot.keyClick(dialog.editor.general.title, Qt.Key.Key_Escape)  # Esc asks too
    box = message_box(dialog)
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    assert dialog.isVisible() and dialog.editor.general.title.text() == "Half-typed"

    qtbot.waitUntil(lambda: bool(list_drafts(ctx)), timeout=WAIT_MS)  # autosaved meanwhile
    dialog.close()
    click(qtbot, message_box(dialog).button(QMessageBox.StandardButton.Discard))
    wait_gone(qtbot, dialog)
    qtbot.waitUntil(lambda: not list_drafts(ctx), timeout=WAIT_MS)  # Discard drops the draft too
    assert list_visits(ctx, VisitFilter()).total == 0

    dialog = VisitEditorDialog.open_new(None, ctx, vocab, areas)
    fill_required(qtbot, dialog.editor, "Saved on the way out")
    dialog.close()
    click(qtbot, message_box(dialog).button(QMessageBox.StandardButton.Save))
    wait_gone(qtbot, dialog)
    assert [r.title for r in list_visits(ctx, VisitFilter()).rows] == ["Saved on the way out"]


def test_one_window_per_visit_and_delete(
    qtbot: QtBot, ctx: Context, vocab: Vocabularies, areas: list[AreaRow], settled: None
) -> None:
    visit = save_visit(ctx, _visit("Existing")).value
    assert visit.id is not None
    dialog = VisitEditorDialog.open_visit(None, ctx, vocab, areas, visit.id)
    qtbot.waitUntil(lambda: dialog.editor.visit_id == visit.id and dialog.editor.isEnabled(), timeout=WAIT_MS)
    assert dialog.editor.general.title.text() == "Existing"
    assert VisitEditorDialog.open_visit(None, ctx, vocab, areas, visit.id) is dialog

    click(qtbot, dialog.delete_button)
    box = message_box(dialog)
    delete = next(b for b in box.buttons() if b.text() == "&Delete")
    with qtbot.waitSignal(dialog.deleted, timeout=WAIT_MS) as deleted:
        click(qtbot, delete)
    assert deleted.args == [visit.id]
    wait_gone(qtbot, dialog)
    with pytest.raises(NotFound):
        get_visit(ctx, visit.id)
    assert get_visit(ctx, visit.id, include_deleted=True).deleted


def _visit(title: str) -> VisitData:
    return VisitData(
        title=title,
        visit_type="detention-visit",
        date_start=dt.date(2026, 3, 2),
        incidents=(IncidentData(summary="Beating", violation_types=("torture",)),),
    )


# -- drafts ---------------------------------------------------------------------------------------


def test_a_draft_brings_typing_back_after_a_crash(
    qtbot: QtBot,
    ctx: Context,
    vocab: Vocabularies,
    areas: list[AreaRow],
    settled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(visit_editor, "DRAFT_DELAY_MS", 0)  # the autosave as soon as typing stops
    dialog = VisitEditorDialog.open_new(None, ctx, vocab, areas)
    qtbot.keyClicks(dialog.editor.general.title, "Night visit")
    qtbot.keyClicks(dialog.editor.general.narrative, "The guards refused entry at first.")
    key = dialog.editor.draft_key
    assert key.startswith("visit:new:")
    qtbot.waitUntil(lambda: bool(list_drafts(ctx)), timeout=WAIT_MS)
    (draft,) = list_drafts(ctx)
    assert (draft.key, draft.title, draft.record_id) == (key, "Night visit", None)

    # A crash: the window goes away without any question or save.
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    dialog.deleteLater()
    wait_gone(qtbot, dialog)
    assert VisitEditorDialog.find_open(key) is None

    restored = VisitEditorDialog.open_draft(None, ctx, vocab, areas, key)
    general = restored.editor.general
    qtbot.waitUntil(lambda: general.title.text() == "Night visit", timeout=WAIT_MS)
    assert general.narrative.toPlainText() == "The guards refused entry at first."
    assert restored.editor.is_dirty() and restored.isWindowModified()
    assert restored.editor.draft_key == key
    assert VisitEditorDialog.open_draft(None, ctx, vocab, areas, key) is restored

    choose(general.visit_type, "detention-visit")
    with qtbot.waitSignal(restored.saved, timeout=WAIT_MS):
        click(qtbot, restored.save_button)
    qtbot.waitUntil(lambda: not list_drafts(ctx), timeout=WAIT_MS)
    assert [r.title for r in list_visits(ctx, VisitFilter()).rows] == ["Night visit"]


def test_a_draft_that_cannot_be_saved_says_so_without_the_typing(
    qtbot: QtBot,
    ctx: Context,
    vocab: Vocabularies,
    areas: list[AreaRow],
    settled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ctx.store.path is not None
    with sqlite3.connect(ctx.store.path) as conn:  # any failure inside the write will do
        conn.execute(
            "create trigger no_drafts before insert on draft begin select raise(abort, 'no room'); end"
        )
    conn.close()
    monkeypatch.setattr(visit_editor, "DRAFT_DELAY_MS", 0)
    dialog = VisitEditorDialog.open_new(None, ctx, vocab, areas)
    qtbot.keyClicks(dialog.editor.general.narrative, "Detainee 114 described the beatings.")
    status = dialog.editor.status
    qtbot.waitUntil(lambda: status.text().startswith("The draft could not be saved"), timeout=WAIT_MS)
    assert (
        status.text() == "The draft could not be saved: the store refused the change"
    )  # not the driver's text
    assert "Detainee 114" not in status.text() and "INSERT" not in status.text()
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    dialog.deleteLater()
    wait_gone(qtbot, dialog)


def test_opening_a_visit_offers_changes_left_in_a_draft(
    qtbot: QtBot, ctx: Context, vocab: Vocabularies, areas: list[AreaRow], settled: None
) -> None:
    visit = save_visit(ctx, _visit("As saved")).value
    assert visit.id is not None
    unsaved = dataclasses.replace(visit, title="As typed before the power cut")
    save_draft(
        ctx, f"visit:{visit.id}", "monitoring_visit", visit.id, unsaved.title, visit_to_payload(unsaved)
    )
    dialog = VisitEditorDialog.open_visit(None, ctx, vocab, areas, visit.id)
    qtbot.waitUntil(lambda: any(b.isVisible() for b in dialog.findChildren(QMessageBox)), timeout=WAIT_MS)
    assert dialog.editor.general.title.text() == "As saved"
    box = message_box(dialog)
    click(qtbot, next(b for b in box.buttons() if b.text() == "&Restore"))
    qtbot.waitUntil(lambda: dialog.editor.general.title.text() == unsaved.title, timeout=WAIT_MS)
    assert dialog.editor.is_dirty() and dialog.editor.visit_id == visit.id
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.editor.save()
    assert get_visit(ctx, visit.id).title == unsaved.title
    qtbot.waitUntil(lambda: not list_drafts(ctx), timeout=WAIT_MS)


# -- attachments ----------------------------------------------------------------------------------


def _pick_file(qtbot: QtBot, editor: VisitEditor, path: Path) -> None:
    """Type the path into the chooser's file name box and accept, as a keyboard user would."""
    qtbot.waitUntil(lambda: editor.attachments.file_dialog is not None, timeout=WAIT_MS)
    chooser = editor.attachments.file_dialog
    assert chooser is not None
    name_box = chooser.findChild(QLineEdit, "fileNameEdit")
    assert name_box is not None
    name_box.setText(str(path))
    chooser.accept()


def test_attachments_round_trip(qtbot: QtBot, ctx: Context, editor: VisitEditor, tmp_path: Path) -> None:
    visit = save_visit(ctx, _visit("With a photo")).value
    editor.load(visit)
    page = editor.attachments
    editor.tabs.setCurrentWidget(page)
    photo = tmp_path / "cell.png"
    photo.write_bytes(PNG)
    qtbot.keyClicks(page.caption, "Cell 4")
    click(qtbot, page.add_button)
    _pick_file(qtbot, editor, photo)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT_MS)
    assert visit.id is not None
    (stored,) = get_visit(ctx, visit.id).attachments
    assert (stored.filename, stored.caption, stored.media_type, stored.size) == (
        "cell.png", "Cell 4", "image/png", len(PNG),
    )  # fmt: skip
    assert not editor.is_dirty()  # already in the store: nothing left to save

    copy = tmp_path / "out" / "copy.png"
    copy.parent.mkdir()
    page.table.selectRow(0)
    click(qtbot, page.save_as_button)
    _pick_file(qtbot, editor, copy)
    qtbot.waitUntil(lambda: copy.exists() and copy.read_bytes() == PNG, timeout=WAIT_MS)

    page.table.selectRow(0)
    click(qtbot, page.remove_button)
    assert editor.is_dirty()
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        editor.save()
    assert get_visit(ctx, visit.id).attachments == ()


def test_attaching_to_a_new_visit_saves_it_first(
    qtbot: QtBot, ctx: Context, editor: VisitEditor, tmp_path: Path
) -> None:
    fill_required(qtbot, editor, "New with a file")
    photo = tmp_path / "note.txt"
    photo.write_text("hello")
    editor.tabs.setCurrentWidget(editor.attachments)
    click(qtbot, editor.attachments.add_button)
    box = message_box(editor)
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        click(qtbot, box.button(QMessageBox.StandardButton.Save))
    _pick_file(qtbot, editor, photo)
    qtbot.waitUntil(lambda: editor.attachments.table.rowCount() == 1, timeout=WAIT_MS)
    assert editor.visit_id is not None
    assert [a.filename for a in get_visit(ctx, editor.visit_id).attachments] == ["note.txt"]


# -- layout ---------------------------------------------------------------------------------------


def test_fits_a_small_laptop_screen_also_right_to_left(
    qtbot: QtBot, ctx: Context, vocab: Vocabularies, areas: list[AreaRow], settled: None
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for direction in (Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft):
        app.setLayoutDirection(direction)
        try:
            dialog = VisitEditorDialog.open_new(None, ctx, vocab, areas)
            hint = dialog.minimumSizeHint()
            assert hint.width() <= 1366 and hint.height() <= 700, hint
            assert dialog.editor.general.narrative.tabChangesFocus()  # Tab moves on, for keyboard use
            dialog.close()
        finally:
            app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_delete_waits_until_the_visit_exists(
    qtbot: QtBot, ctx: Context, vocab: Vocabularies, areas: list[AreaRow], settled: None
) -> None:
    dialog = VisitEditorDialog.open_new(None, ctx, vocab, areas)
    qtbot.waitExposed(dialog)
    assert not dialog.delete_button.isEnabled()  # nothing stored yet: Close is how it goes away
    fill_required(qtbot, dialog.editor, "Soon stored")
    assert not dialog.delete_button.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        click(qtbot, dialog.save_button)
    assert dialog.delete_button.isEnabled()

    # a draft of a visit never saved restores into a window that has nothing to delete either
    key = "visit:new:restored"
    save_draft(ctx, key, "monitoring_visit", None, "Draft", visit_to_payload(_visit("Draft")))
    restored = VisitEditorDialog.open_draft(None, ctx, vocab, areas, key)
    qtbot.waitUntil(lambda: restored.editor.general.title.text() == "Draft", timeout=WAIT_MS)
    assert not restored.delete_button.isEnabled()
