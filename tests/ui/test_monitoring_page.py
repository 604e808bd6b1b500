"""The monitoring list over a real store: search in any script, filters, sort, paging, delete, overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from shell_support import TODAY, WAIT_MS, MakeVisit, OpenWindow, followup, type_text

from fieldkit.context import Context
from fieldkit.i18n import ngettext
from fieldkit.services.monitoring import delete_visit
from fieldkit.services.monitoring_types import IncidentData, VisitFilter, VisitPage
from fieldkit.services.records import create_record
from fieldkit.services.visit_list import admin_areas, list_visits
from ui import paged_list
from ui.main_window import MONITORING, MainWindow
from ui.pages import visit_list
from ui.pages.monitoring import MonitoringPage

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")

ARABIC = "زار الفريق السجن المركزي ووثق شهادات المحتجزين عن التعذيب أثناء الاستجواب"
CHINESE = "监测小组走访了拘留中心，记录了被拘留者关于审讯期间遭受酷刑的陈述"


def _page(window: MainWindow) -> MonitoringPage:
    window.show_page(MONITORING)
    return window.monitoring


def _titles(page: MonitoringPage) -> list[str]:
    return [row.title for row in page.visits.model.rows()]


def _search(qtbot: QtBot, page: MonitoringPage, text: str) -> None:
    search = page.filters.search
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        search.clear()
        type_text(qtbot, search, text)


def _click_header(qtbot: QtBot, page: MonitoringPage, column: int) -> None:
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_list_shows_rows_labels_and_total(open_window: OpenWindow, make_visit: MakeVisit) -> None:
    make_visit(title="Kamiti prison", date_start=dt.date(2026, 3, 2), date_precision="month",
               confidentiality="confidential", location_text="Nairobi")  # fmt: skip
    make_visit(title="Trial of the Kisumu protesters", visit_type="trial-observation")
    page = _page(open_window())
    model = page.visits.model
    assert model.rowCount() == 2
    assert page.count_label.text() == "2 visits"
    kamiti = model.index_of(next(r.id for r in model.rows() if r.title == "Kamiti prison"))
    cells = [model.index(kamiti.row(), c).data() for c in range(model.columnCount())]
    assert cells == [
        "March 2026",
        "Kamiti prison",
        "Detention visit",
        "Nairobi",
        "Confidential",
        "1",
        "0",
        "KE-NBO",
    ]


def test_search_box_finds_arabic_and_chinese_words(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="Arabic report", narrative=ARABIC)
    make_visit(title="Chinese report", narrative=CHINESE)
    make_visit(title="English report", narrative="The team met the governor about land evictions.")
    page = _page(open_window())
    assert page.visits.total == 3
    _search(qtbot, page, "التعذيب")
    assert _titles(page) == ["Arabic report"]
    assert page.count_label.text() == "1 visit"
    _search(qtbot, page, "酷刑")
    assert _titles(page) == ["Chinese report"]
    _search(qtbot, page, "evictions")
    assert _titles(page) == ["English report"]
    _search(qtbot, page, "nowhere-to-be-found")
    assert _titles(page) == [] and page.count_label.text() == "0 visits"


def test_typing_is_debounced_into_one_query(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_visit(title="Arabic report", narrative=ARABIC)
    page = _page(open_window())
    queries: list[str] = []
    real = visit_list.list_visits

    def counting(ctx: object, flt: visit_list.VisitFilter, **kwargs: object) -> VisitPage:
        queries.append(flt.text)
        return real(ctx, flt, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(visit_list, "list_visits", counting)
    _search(qtbot, page, "السجن")
    qtbot.wait(2 * 250)
    assert queries == ["السجن"]
    assert _titles(page) == ["Arabic report"]


def test_filters_narrow_the_list(qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit) -> None:
    make_visit(title="Prison", date_start=TODAY - dt.timedelta(days=40), follow_ups=(followup(-2),))
    make_visit(title="Trial", visit_type="trial-observation", confidentiality="public",
               incidents=(IncidentData(summary="No lawyer", violation_types=("fair-trial",)),))  # fmt: skip
    make_visit(title="Camp", visit_type="idp-site-visit", follow_ups=(followup(5),))
    page = _page(open_window())
    filters = page.filters
    assert page.visits.total == 3

    def choose(combo_name: str, code: str) -> None:
        combo = getattr(filters, combo_name)
        with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
            combo.setCurrentIndex(combo.findData(code))

    choose("visit_type", "trial-observation")
    assert _titles(page) == ["Trial"]
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        filters.clear()
    assert page.visits.total == 3
    choose("followups", "overdue")
    assert _titles(page) == ["Prison"]
    choose("followups", "open")
    assert sorted(_titles(page)) == ["Camp", "Prison"]
    choose("followups", "none")
    assert _titles(page) == ["Trial"]
    filters.followups.setCurrentIndex(0)
    choose("confidentiality", "public")
    assert _titles(page) == ["Trial"]
    filters.confidentiality.setCurrentIndex(0)
    choose("violation", "torture")
    assert sorted(_titles(page)) == ["Camp", "Prison"]
    filters.violation.setCurrentIndex(0)
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        since = TODAY - dt.timedelta(days=10)
        filters.date_from.set_date(since)
    assert sorted(_titles(page)) == ["Camp", "Trial"]
    assert page.count_label.text() == "2 visits"


def test_header_click_sorts_in_the_store(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    beating = IncidentData(summary="Beating", violation_types=("torture",))
    make_visit(title="Bravo", date_start=TODAY - dt.timedelta(days=3), confidentiality="public",
               incidents=(beating, beating, beating), follow_ups=(followup(5),))  # fmt: skip
    make_visit(title="Alpha", date_start=TODAY - dt.timedelta(days=2),
               confidentiality="strictly-confidential", incidents=(),
               follow_ups=(followup(1), followup(2), followup(3, status="done")))  # fmt: skip
    make_visit(title="Charlie", date_start=TODAY - dt.timedelta(days=1), confidentiality="confidential",
               incidents=(beating, beating), follow_ups=(followup(1), followup(2), followup(4)))  # fmt: skip
    page = _page(open_window())
    assert _titles(page) == ["Charlie", "Alpha", "Bravo"]  # newest first
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        _click_header(qtbot, page, visit_list.COL_TITLE)
    assert (page.visits.sort, page.visits.descending) == ("title", False)
    assert _titles(page) == ["Alpha", "Bravo", "Charlie"]
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        _click_header(qtbot, page, visit_list.COL_TITLE)
    assert _titles(page) == ["Charlie", "Bravo", "Alpha"]
    # the counts sort too, in the store (incidents 3, 0, 2; open follow-ups 1, 2, 3)
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        _click_header(qtbot, page, visit_list.COL_INCIDENTS)
    assert page.visits.sort == "incidents"
    assert _titles(page) == ["Alpha", "Charlie", "Bravo"]
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        _click_header(qtbot, page, visit_list.COL_FOLLOWUPS)
    assert _titles(page) == ["Bravo", "Alpha", "Charlie"]
    # confidentiality by level (public < confidential < strictly confidential), not by label
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        _click_header(qtbot, page, visit_list.COL_CONFIDENTIALITY)
    assert _titles(page) == ["Bravo", "Charlie", "Alpha"]
    header = page.table.horizontalHeader()
    assert header.sortIndicatorSection() == visit_list.COL_CONFIDENTIALITY


def test_location_shows_the_place_then_the_free_text(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, ctx: Context
) -> None:
    county = create_record(ctx, "admin_area", {"name": "Nairobi", "level": 1})
    kibera = create_record(ctx, "admin_area", {"name": "Kibera", "level": 2, "parent_id": county["id"]})
    make_visit(title="Filed and described", admin_area_id=kibera["id"],
               location_text="Central police station", date_start=TODAY - dt.timedelta(days=1))  # fmt: skip
    make_visit(title="Free text repeats the place", admin_area_id=kibera["id"],
               location_text="Kibera, Nairobi", date_start=TODAY - dt.timedelta(days=2))  # fmt: skip
    make_visit(title="Free text only", location_text="Near the market",
               date_start=TODAY - dt.timedelta(days=3))  # fmt: skip
    page = _page(open_window())
    model = page.visits.model
    cells = {r.title: model.index(i, visit_list.COL_LOCATION) for i, r in enumerate(model.rows())}
    assert cells["Filed and described"].data() == "Kibera, Nairobi · Central police station"
    assert cells["Filed and described"].data(Qt.ItemDataRole.ToolTipRole) == (
        "Nairobi › Kibera\nCentral police station"
    )
    assert cells["Free text repeats the place"].data() == "Kibera, Nairobi"
    assert cells["Free text only"].data() == "Near the market"
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        _click_header(qtbot, page, visit_list.COL_LOCATION)
    assert _titles(page)[-1] == "Free text only"  # "Kibera" before "Near the market"


def _wait_idle(qtbot: QtBot, page: MonitoringPage) -> None:
    qtbot.waitUntil(lambda: not page.visits.busy, timeout=WAIT_MS)


def test_scroll_bar_covers_the_whole_result_and_pages_load_on_demand(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(visit_list, "PAGE_SIZE", 4)
    monkeypatch.setattr(visit_list, "CACHED_PAGES", 3)
    monkeypatch.setattr(paged_list, "PREFETCH_ROWS", 1)
    for n in range(60):
        make_visit(title=f"Visit {n:02d}", date_start=TODAY - dt.timedelta(days=n), incidents=())
    window = open_window()
    page = _page(window)
    visits, model, table = page.visits, page.visits.model, page.table
    _wait_idle(qtbot, page)
    assert model.rowCount() == 60 and page.count_label.text() == "60 visits"
    assert 4 <= len(model.rows()) < 60  # only what fills the viewport, not everything
    bar = table.verticalScrollBar()
    assert bar.maximum() >= 59 * table.rowHeight(0) - table.viewport().height()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    table.setFocus()
    table.selectRow(1)
    qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    last = model.index(59, visit_list.COL_TITLE)
    assert last.data() == "Loading…"  # until its page is in
    assert table.currentIndex().row() == 59 and visits.current_row() is None
    qtbot.waitUntil(lambda: last.data() == "Visit 59", timeout=WAIT_MS)
    # the row made current while it was loading is still current now that its page is in
    current = visits.current_row()
    assert table.currentIndex().row() == 59 and current is not None and current.title == "Visit 59"
    assert len(model.held_pages()) <= 3  # the cache stays bounded
    bar.setValue(bar.maximum() // 2)  # as when the bar is dragged
    middle = table.rowAt(table.viewport().height() // 2)
    qtbot.waitUntil(lambda: model.index(middle, 1).data() == f"Visit {middle:02d}", timeout=WAIT_MS)
    # pages arriving and leaving the cache leave the selection and the current row alone
    assert table.selectionModel().isRowSelected(1) and table.currentIndex().row() == 59
    _wait_idle(qtbot, page)
    assert len(model.held_pages()) <= 3


def test_sorting_pages_from_the_store_too(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(visit_list, "PAGE_SIZE", 4)
    monkeypatch.setattr(paged_list, "PREFETCH_ROWS", 1)
    for n in range(40):
        make_visit(title=f"Visit {n:02d}", date_start=TODAY - dt.timedelta(days=n), incidents=())
    window = open_window()
    page = _page(window)
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        _click_header(qtbot, page, visit_list.COL_TITLE)
    model, table = page.visits.model, page.table
    assert model.rowCount() == 40 and model.held_pages() == [0]
    table.scrollToBottom()
    qtbot.waitUntil(lambda: model.index(39, 1).data() == "Visit 39", timeout=WAIT_MS)
    assert model.index(0, 1).data() in ("Visit 00", "Loading…")


def test_removing_a_visit_moves_the_rows_below_it_up(
    qtbot: QtBot,
    open_window: OpenWindow,
    make_visit: MakeVisit,
    monkeypatch: pytest.MonkeyPatch,
    ctx: Context,
) -> None:
    monkeypatch.setattr(visit_list, "PAGE_SIZE", 4)
    monkeypatch.setattr(paged_list, "PREFETCH_ROWS", 1)
    made = [make_visit(title=f"Visit {n:02d}", date_start=TODAY - dt.timedelta(days=n), incidents=())
            for n in range(60)]  # fmt: skip
    page = _page(open_window())
    _wait_idle(qtbot, page)
    visits, model = page.visits, page.visits.model
    held = len(model.rows())
    assert held < 60
    delete_visit(ctx, made[1].id)
    visits.visit_removed(made[1].id)
    assert model.rowCount() == 59 and page.count_label.text() == "59 visits"
    assert [r.title for r in model.rows()][:2] == ["Visit 00", "Visit 02"]
    # the gap the move left at the end of what was held is filled from the store
    qtbot.waitUntil(lambda: len(model.rows()) >= held and not visits.busy, timeout=WAIT_MS)
    titles = [r.title for r in model.rows()]
    assert titles == [f"Visit {n:02d}" for n in range(60) if n != 1][: len(titles)]


def test_a_stale_answer_never_overwrites_a_newer_one(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="Old answer")
    page = _page(open_window())
    visits = page.visits
    stale_generation = visits._generation
    with qtbot.waitSignal(visits.loaded, timeout=WAIT_MS):
        page.filters.search.setText("nothing-matches-this")
    assert visits.model.rowCount() == 0
    old_page = VisitPage([], 1, 0)
    visits._query_arrived(stale_generation, old_page)  # what a slow earlier query would deliver late
    visits._page_arrived(stale_generation, old_page)
    assert visits.model.rowCount() == 0 and visits.total == 0


def test_delete_key_confirms_tombstones_and_restore_brings_back(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="Keep me", date_start=TODAY - dt.timedelta(days=1))
    make_visit(title="Delete me", date_start=TODAY - dt.timedelta(days=2))
    window = open_window()
    page = _page(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    page.table.setFocus()
    page.table.selectRow(1)
    assert page.visits.selected_rows()[0].title == "Delete me"
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    box = next(b for b in page.findChildren(QMessageBox) if b.isVisible())
    assert "Delete me" in box.text()
    delete = next(b for b in box.findChildren(QPushButton) if b.text() == "Delete")
    with qtbot.waitSignal(page.data_changed, timeout=WAIT_MS):
        qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    assert _titles(page) == ["Keep me"] and page.count_label.text() == "1 visit"

    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        page.filters.show_deleted.setChecked(True)
    assert _titles(page) == ["Delete me"]
    assert page.count_label.text() == "1 deleted visit"
    assert page.restore_button.isVisible() and not page.delete_button.isEnabled()
    page.table.selectRow(0)
    assert page.restore_button.isEnabled()
    with qtbot.waitSignal(page.data_changed, timeout=WAIT_MS):
        qtbot.mouseClick(page.restore_button, Qt.MouseButton.LeftButton)
    assert _titles(page) == []
    with qtbot.waitSignal(page.visits.loaded, timeout=WAIT_MS):
        page.filters.show_deleted.setChecked(False)
    assert sorted(_titles(page)) == ["Delete me", "Keep me"]


def test_cancelled_delete_keeps_the_visit(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit
) -> None:
    make_visit(title="Still here")
    page = _page(open_window())
    page.table.selectRow(0)
    page.delete_selected()
    box = next(b for b in page.findChildren(QMessageBox) if b.isVisible())
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(100)
    assert _titles(page) == ["Still here"]


def test_overdue_view_lists_by_due_date_and_opens_the_visit(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = make_visit(
        title="Late visit",
        follow_ups=(followup(-2, action="Call the lawyer"), followup(-20, action="Write to the minister")),
    )
    others = (followup(-7, action="Visit again"), followup(3, action="Not yet"),
              followup(-30, status="done", action="Done already"))  # fmt: skip
    make_visit(title="Other visit", follow_ups=others)
    window = open_window()
    page = _page(window)
    opened: list[str] = []
    monkeypatch.setattr(window.editing, "open_visit", opened.append)
    with qtbot.waitSignal(page.overdue.loaded, timeout=WAIT_MS):
        page.show_overdue()
    rows = page.overdue.model.rows()
    assert [(r.action, r.days_overdue) for r in rows] == [
        ("Write to the minister", 20), ("Visit again", 7), ("Call the lawyer", 2),
    ]  # fmt: skip
    assert page.overdue.count_label.text() == "3 overdue follow-ups"
    table = page.overdue.table
    cell = table.visualRect(page.overdue.model.index(0, 2)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)  # a double-click begins so
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert opened == [late.id]


def test_enter_opens_the_selected_visit(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit = make_visit(title="Open me")
    window = open_window()
    page = _page(window)
    opened: list[str] = []
    monkeypatch.setattr(window.editing, "open_visit", opened.append)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    page.table.setFocus()
    page.table.setCurrentIndex(page.visits.model.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened == [visit.id]
    cell = page.table.visualRect(page.visits.model.index(0, 1)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert opened == [visit.id, visit.id]


@pytest.fixture
def demo(ctx: Context) -> Context:
    from fieldkit.demo import generate

    generate(ctx, "small", seed=1)
    return ctx


def test_demo_store_first_page_then_filters_and_location_subareas(
    qtbot: QtBot, demo: Context, open_window: OpenWindow
) -> None:
    everything = list_visits(demo, limit=1).total
    page = _page(open_window())
    visits = page.visits
    assert visits.total == everything > 0
    assert page.count_label.text() == ngettext("{count} visit", "{count} visits", everything).format(
        count=f"{everything:,}"
    )
    assert visits.model.rowCount() == everything  # the scroll bar covers them all
    assert len(visits.model.rows()) == min(everything, visit_list.PAGE_SIZE)  # one page held, fast
    # A region includes the places under it.
    window_areas = page.filters.location
    all_areas = [window_areas.itemData(i) for i in range(1, window_areas.count())]
    areas = admin_areas(demo)
    region = next(a for a in areas if a.level == 1 and any(c.parent_id == a.id for c in areas))
    assert region.id in all_areas

    def total(area_id: str) -> int:
        return list_visits(demo, VisitFilter(admin_area_id=area_id), limit=1).total

    with qtbot.waitSignal(visits.loaded, timeout=WAIT_MS):
        window_areas.setCurrentIndex(window_areas.findData(region.id))
    assert 0 < visits.total == total(region.id) < everything
    children = [c for c in areas if c.parent_id == region.id]
    assert visits.total >= sum(total(c.id) for c in children) > 0


@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)])
def test_the_title_column_keeps_its_room_and_no_column_is_cut_to_nothing(
    qtbot: QtBot, open_window: OpenWindow, make_visit: MakeVisit, size: tuple[int, int]
) -> None:
    make_visit(
        title="Visit to the remand prison and the police cells of the district", location_text="Kibera"
    )
    window = open_window()
    page = _page(window)
    window.resize(*size)
    table, header = page.table, page.table.horizontalHeader()
    em = table.fontMetrics().horizontalAdvance("M")

    def fitted() -> bool:
        return header.length() == table.viewport().width()

    qtbot.waitUntil(fitted, timeout=WAIT_MS)  # the columns fill the view, no horizontal scrolling
    floor = visit_list.TITLE_FLOOR_EMS * em
    assert header.sectionSize(visit_list.COL_TITLE) >= floor
    assert min(header.sectionSize(c) for c in range(header.count())) >= 3 * em
    # a wider column (dragged, or from a restored header state) never squeezes the title below its floor
    header.resizeSection(visit_list.COL_TYPE, 40 * em)
    assert header.sectionSize(visit_list.COL_TITLE) >= floor
    header.resizeSection(visit_list.COL_TYPE, 10 * em)
    qtbot.waitUntil(fitted, timeout=WAIT_MS)
    if size == (1366, 768):  # room to spare goes to the title
        others = sum(header.sectionSize(c) for c in range(header.count()) if c != visit_list.COL_TITLE)
        assert header.sectionSize(visit_list.COL_TITLE) == table.viewport().width() - others > floor
