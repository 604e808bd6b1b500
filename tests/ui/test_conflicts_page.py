"""Conflicts and duplicates pages over real stores: concurrent edits settled, duplicates merged."""

from __future__ import annotations

from pathlib import Path

import pytest
from layout_checks import assert_fits
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS
from sync_offices import offices, visit

from fieldkit.context import Context
from fieldkit.services.conflicts import list_conflicts
from fieldkit.services.monitoring import get_visit, save_visit
from fieldkit.services.people import find_duplicates
from fieldkit.services.records import create_record, delete_record, get_record, update_record
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet
from ui.pages.conflicts_page import ConflictsPage
from ui.pages.duplicates_page import DuplicatesPage
from ui.workspace import load_workspace

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks", "english")

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", None)


def send(o: dict[str, Context], src: str, dst: str, tmp: Path) -> None:
    n = len(list(tmp.glob("*.fieldkit")))
    packet = export_packet(o[src], dst, tmp / f"{n:03d}-{src}-{dst}.fieldkit").paths[0]
    import_packet(o[dst], packet, max_delete_share=None)


def _conflicts_page(qtbot: QtBot, ctx: Context) -> ConflictsPage:
    page = ConflictsPage(load_workspace(ctx))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    with qtbot.waitSignals([page.loaded, page.detail_loaded], timeout=WAIT_MS):
        page.refresh()
    return page


def _two_offices_edit_one_visit(o: dict[str, Context], tmp: Path) -> str:
    v = save_visit(o["KE-NBO"], visit("Visit to Kamiti prison", "First account.")).value
    assert v.id is not None
    send(o, "KE-NBO", "ROEA", tmp)
    update_record(o["KE-NBO"], "monitoring_visit", v.id, {"narrative": "Field account, corrected."})
    update_record(o["ROEA"], "monitoring_visit", v.id, {"narrative": "Regional review."})
    send(o, "KE-NBO", "ROEA", tmp)
    return v.id


def test_a_concurrent_edit_is_shown_and_resolved_with_a_new_value(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        visit_id = _two_offices_edit_one_visit(o, tmp_path)
        page = _conflicts_page(qtbot, o["ROEA"])
        assert page.count_label.text() == "1 open conflict"
        model = page.model
        cells = [model.index(0, c).data() for c in range(model.columnCount())]
        assert cells[:4] == ["Monitoring visit", "Visit to Kamiti prison", "Narrative", "Both edited"]
        assert {cells[4], cells[6]} == {"Field account, corrected.", "Regional review."}
        assert cells[5].startswith("\u2068tester\u2069, ")  # isolated: a Latin name inside Arabic text

        detail = page.detail
        assert detail is not None and [f.name for f in detail.fields] == ["narrative"]
        choice = detail.fields[0]
        assert choice.keep.isChecked() and not choice.edit.isEnabled()
        current = get_visit(o["ROEA"], visit_id).narrative
        assert choice.current == current and choice.others == [cells[6]]
        choice.new.setChecked(True)
        assert choice.edit.isEnabled() and choice.edit.text() == current
        choice.edit.setText("Agreed account.")
        with qtbot.waitSignals([page.data_changed, page.loaded], timeout=WAIT_MS):
            page.resolve_button.click()
        assert get_visit(o["ROEA"], visit_id).narrative == "Agreed account."
        assert list_conflicts(o["ROEA"]) == []
        assert model.rowCount() == 0 and page.count_label.text() == ""
        assert page.empty.isVisibleTo(page) and page.detail is None

        # the resolution travels: the field office ends up with the same narrative
        send(o, "ROEA", "KE-NBO", tmp_path)
        assert get_visit(o["KE-NBO"], visit_id).narrative == "Agreed account."


def test_taking_the_other_value(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        visit_id = _two_offices_edit_one_visit(o, tmp_path)
        page = _conflicts_page(qtbot, o["ROEA"])
        assert page.detail is not None
        choice = page.detail.fields[0]
        other = choice.others[0]
        choice.take[0].setChecked(True)
        with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
            page.resolve_current()
        assert get_visit(o["ROEA"], visit_id).narrative == other


def test_an_edit_to_a_deleted_record_can_be_restored(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        v = save_visit(o["KE-NBO"], visit()).value
        assert v.id is not None
        follow_up = v.follow_ups[0].id
        assert follow_up is not None
        send(o, "KE-NBO", "ROEA", tmp_path)
        update_record(o["ROEA"], "follow_up", follow_up, {"responsible": "Regional desk"})
        delete_record(o["KE-NBO"], "follow_up", follow_up)
        send(o, "KE-NBO", "ROEA", tmp_path)
        page = _conflicts_page(qtbot, o["ROEA"])
        assert page.model.index(0, 3).data() == "Edited and deleted"
        detail = page.detail
        assert detail is not None and detail.deletion is not None
        assert detail.deletion.delete.isChecked()  # the record is deleted now: keeping that is the default
        detail.deletion.restore.setChecked(True)
        with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
            page.resolve_button.click()
        record = get_record(o["ROEA"], "follow_up", follow_up)
        assert not record["deleted"] and record["responsible"] == "Regional desk"
        assert list_conflicts(o["ROEA"]) == []


def _participant(ctx: Context, name: str, sex: str, year: int) -> str:
    values = {"full_name": name, "sex": sex, "birth_year": year, "position": "", "email": "", "phone": ""}
    return str(create_record(ctx, "participant", values)["id"])


def test_duplicates_across_scripts_are_found_and_merged(qtbot: QtBot, ctx: Context) -> None:
    latin = _participant(ctx, "Mohammed Al-Haddad", "male", 1980)
    arabic = _participant(ctx, "محمد الحداد", "male", 1980)
    _participant(ctx, "Amina Diallo", "female", 1990)
    page = DuplicatesPage(load_workspace(ctx))
    qtbot.addWidget(page)
    assert not page.merge_button.isEnabled()
    # the types offered are those declared mergeable
    assert [page.kind.itemData(i) for i in range(page.kind.count())] == ["organisation", "participant"]
    page.set_record_type("participant")
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.find_button.click()
    assert page.model.rowCount() == 1 and page.count_label.text() == "1 likely pair"
    names = {page.model.index(0, 0).data(), page.model.index(0, 2).data()}
    assert names == {"Mohammed Al-Haddad", "محمد الحداد"}
    assert "same birth year" in page.model.index(0, 5).data()
    assert page.merge_button.isEnabled()

    page.merge_button.click()
    dialog = page.merge_dialog
    assert dialog is not None and dialog.keep_first.isChecked()
    keep_arabic = dialog.keep_second if dialog.pair.second.id == arabic else dialog.keep_first
    keep_arabic.setChecked(True)
    assert dialog.keep_and_merge() == (arabic, latin)
    with qtbot.waitSignals([page.data_changed, page.loaded], timeout=WAIT_MS):
        dialog.merge_button.click()
    assert page.model.rowCount() == 0 and page.count_label.text() == "0 likely pairs"
    assert get_record(ctx, "participant", latin, include_deleted=True)["deleted"]
    assert not get_record(ctx, "participant", arabic)["deleted"]
    assert find_duplicates(ctx, "participant") == []

    page.set_record_type("organisation")
    assert page.record_type() == "organisation" and page.count_label.text() == ""
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.find_pairs()
    assert page.model.rowCount() == 0


def test_a_conflict_fits_the_space_a_small_screen_leaves(qtbot: QtBot, tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        _two_offices_edit_one_visit(o, tmp_path)
        page = _conflicts_page(qtbot, o["ROEA"])
        assert page.detail is not None and not page.empty.isVisibleTo(page)
        # a 1024x540 window less its sidebar, menu, status bar, page heading and tab bar
        page.resize(840, 400)
        page.show()
        qtbot.waitExposed(page)
        assert page.minimumSizeHint().width() <= 840 and page.minimumSizeHint().height() <= 400
        assert_fits(qtbot, page, "conflicts page with a conflict")
        assert page.resolve_button.isVisibleTo(page)
