"""One ``changes_applied`` signal: an import's places and terms reach the filters and the editor without
a restart, and a save refreshes only the pages that show what it changed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shell_support import TODAY, WAIT_MS, MakeVisit, OpenWindow
from sync_offices import visit

from fieldkit.changeset import ChangeSet
from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.monitoring import save_visit
from fieldkit.services.office import init_office
from fieldkit.services.records import create_record, update_record
from fieldkit.services.vocab import add_term
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet
from ui import ops
from ui.main_window import MainWindow
from ui.pages.sync_dialogs import PreviewItem

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")


@pytest.fixture
def region(ctx: Context, tmp_path: Path) -> Iterator[Context]:
    """The regional office, a trusted partner of ``ctx`` (KE-NBO) both ways."""
    other = open_context(tmp_path / "ROEA.db", create=True)
    try:
        init_office(other, "ROEA", "Regional office", "regional-office")
        write_card(other, tmp_path / "ROEA.card.json")
        write_card(ctx, tmp_path / "KE-NBO.card.json")
        trust_card(ctx, read_card(ctx, tmp_path / "ROEA.card.json"))
        trust_card(other, read_card(other, tmp_path / "KE-NBO.card.json"))
        yield other
    finally:
        other.close()


def _import(qtbot: QtBot, window: MainWindow, packet: Path) -> None:
    page = window.sync.packets
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT_MS) as preview:
        page.import_paths([packet])
    items: list[PreviewItem] = preview.args[0]
    assert [i.summary.status for i in items] == ["preview"]
    dialog = page.preview_dialog
    assert dialog is not None
    with qtbot.waitSignal(window.workspace_loaded, timeout=WAIT_MS):
        dialog.import_button.click()


def _idle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: ops.running_op_count() == 0, timeout=WAIT_MS)


def test_an_import_brings_its_places_and_terms_to_the_filters_and_the_editor(
    qtbot: QtBot, open_window: OpenWindow, ctx: Context, region: Context, tmp_path: Path
) -> None:
    visit_id = save_visit(ctx, visit("At the school")).value.id
    assert visit_id is not None
    import_packet(region, export_packet(ctx, "ROEA", tmp_path / "out.fieldkit").paths[0])
    # the region files the office's visit under a place and a visit type it adds
    area = create_record(region, "admin_area", {"name": "Kibera", "level": 0})
    add_term(region, "visit_type", "school-visit", {"en": "School visit"})
    filed = {"admin_area_id": area["id"], "visit_type": "school-visit"}
    update_record(region, "monitoring_visit", visit_id, filed)
    packet = export_packet(region, "KE-NBO", tmp_path / "in.fieldkit").paths[0]

    window = open_window()
    filters = window.monitoring.filters
    assert filters.location.findData(area["id"]) < 0 and filters.visit_type.findData("school-visit") < 0
    open_before = window.editing.new_visit()
    assert open_before.editor.general.area.findData(area["id"]) < 0

    _import(qtbot, window, packet)

    place = filters.location.findData(area["id"])
    assert place > 0 and filters.location.itemText(place) == "Kibera"
    term = filters.visit_type.findData("school-visit")
    assert term > 0 and filters.visit_type.itemText(term) == "School visit"
    assert open_before.editor.general.area.findData(area["id"]) > 0
    # the imported visit opens with its place by name, not by id
    dialog = window.editing.open_visit(visit_id)
    area_combo = dialog.editor.general.area
    qtbot.waitUntil(lambda: dialog.editor.general.title.text() == "At the school", timeout=WAIT_MS)
    assert area_combo.currentText() == "Kibera" and area_combo.area() == (area["id"], True)
    # and the list finds it by the new term and place, and labels its type
    visits = window.monitoring.visits
    with qtbot.waitSignal(visits.loaded, timeout=WAIT_MS):
        filters.location.setCurrentIndex(place)
    assert [r.title for r in visits.model.rows()] == ["At the school"]
    assert visits.model.index(0, 2).data(Qt.ItemDataRole.DisplayRole) == "School visit"
    for editor in (open_before, dialog):
        editor.close()
    _idle(qtbot)


def test_a_chosen_place_that_is_still_there_stays_chosen(
    qtbot: QtBot, open_window: OpenWindow, ctx: Context
) -> None:
    kept = create_record(ctx, "admin_area", {"name": "Mombasa", "level": 0})
    window = open_window()
    filters = window.monitoring.filters
    visits = window.monitoring.visits
    with qtbot.waitSignal(visits.loaded, timeout=WAIT_MS):
        filters.location.setCurrentIndex(filters.location.findData(kept["id"]))
    added = create_record(ctx, "admin_area", {"name": "Kisumu", "level": 0})
    with qtbot.waitSignal(window.workspace_loaded, timeout=WAIT_MS):
        window.changes_applied.emit(ChangeSet.of({"admin_area"}))
    assert filters.location.findData(added["id"]) > 0
    assert filters.location.currentData() == kept["id"]
    assert filters.current_filter().admin_area_id == kept["id"]
    _idle(qtbot)


def test_a_save_refreshes_the_list_and_home_but_not_the_sync_page(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="Already there")
    window = open_window()
    _idle(qtbot)
    loads: Counter[str] = Counter()
    signals = {
        "home": window.home.loaded,
        "visits": window.monitoring.visits.loaded,
        "overdue": window.monitoring.overdue.loaded,
        "packets": window.sync.packets.loaded,
        "conflicts": window.sync.conflicts.loaded,
        "workspace": window.workspace_loaded,
    }
    for name, signal in signals.items():
        signal.connect(lambda *_args, name=name: loads.update([name]))

    dialog = window.editing.new_visit()
    general = dialog.editor.general
    qtbot.keyClicks(general.title, "Saved in the editor")
    general.visit_type.setCurrentIndex(general.visit_type.findData("detention-visit"))
    with qtbot.waitSignal(window.changes_applied, timeout=WAIT_MS) as applied:
        dialog.save_button.click()
    assert applied.args[0].touches("monitoring_visit")
    _idle(qtbot)
    assert loads == Counter({"home": 1, "visits": 1, "overdue": 1})
    titles = {r.title for r in window.monitoring.visits.model.rows()}
    assert titles == {"Already there", "Saved in the editor"}
    assert window.home.total_card.value_label.text() == "2"
    dialog.close()
    _idle(qtbot)


def test_a_refresh_keeps_the_selection_where_the_rows_moved(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, ctx: Context
) -> None:
    make_visit(title="Older", date_start=TODAY - dt.timedelta(days=5))
    make_visit(title="Chosen", date_start=TODAY - dt.timedelta(days=4))
    window = open_window()
    visits = window.monitoring.visits
    window.monitoring.table.selectAll()
    assert {r.title for r in visits.selected_rows()} == {"Chosen", "Older"}
    # newest first: the rows already shown move down one
    newest = save_visit(ctx, replace(visit("Newest"), date_start=TODAY))
    with qtbot.waitSignal(visits.loaded, timeout=WAIT_MS):
        window.changes_applied.emit(newest.changes)
    assert [r.title for r in visits.model.rows()] == ["Newest", "Chosen", "Older"]
    assert {r.title for r in visits.selected_rows()} == {"Chosen", "Older"}
    _idle(qtbot)
