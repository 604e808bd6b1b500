"""Home: the figures first, nothing false while loading, the last packet in and out per partner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, MakeVisit, OpenWindow, followup

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.domain.vocab import vocabularies
from fieldkit.i18n import current_language, set_language
from fieldkit.services.dashboard import store_location
from fieldkit.services.monitoring_types import FollowUpRow
from fieldkit.store.system import SyncPacket
from fieldkit.sync.state import PartnerPackets, partner_packets
from ui.ops import shutdown_ops
from ui.pages.home import HomePage

pytest_plugins = ["qt_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leaks")

T0 = dt.datetime(2026, 3, 1, 9, 30)


def _packet(
    packet_id: str, direction: str, sender: str, recipients: list[str], at: dt.datetime
) -> SyncPacket:
    return SyncPacket(
        packet_id=packet_id, direction=direction, sender=sender, recipients=recipients, at=at, by="tester",
        file_name=f"{packet_id}.fkp", ranges={}, summary={},
    )  # fmt: skip


def _record_packets(ctx: Context) -> None:
    with unchecked(), ctx.store.write() as session:
        session.add_all([
            _packet("p1", "in", "ROEA", ["KE-NBO"], T0),
            _packet("p2", "in", "ROEA", ["KE-NBO"], T0 + dt.timedelta(days=2)),
            _packet("p3", "out", "KE-NBO", ["ROEA", "KE-MSA"], T0 + dt.timedelta(days=1)),
            _packet("p4", "out", "KE-NBO", ["KE-MSA"], T0 + dt.timedelta(days=5)),
        ])  # fmt: skip


def test_last_packet_in_and_out_per_partner(ctx: Context) -> None:
    assert partner_packets(ctx) == []
    _record_packets(ctx)
    assert partner_packets(ctx) == [
        PartnerPackets("KE-MSA", None, T0 + dt.timedelta(days=5)),
        PartnerPackets("ROEA", T0 + dt.timedelta(days=2), T0 + dt.timedelta(days=1)),
    ]


def test_store_location_masks_a_server_password(ctx: Context) -> None:
    assert store_location(ctx).display == str(ctx.store.path)

    class FakeStore:
        path = None
        backend = "postgresql"
        url = "postgresql+psycopg://fieldkit:s3cret@db.example/fieldkit"

    shown = store_location(Context(store=FakeStore())).display  # type: ignore[arg-type]
    assert "s3cret" not in shown and "fieldkit:***@db.example" in shown


def test_home_shows_no_packets_then_the_partners(qtbot: QtBot, open_window: OpenWindow, ctx: Context) -> None:
    window = open_window()
    home = window.home
    qtbot.waitUntil(lambda: home.total_card.value_label.text() == "0", timeout=WAIT_MS)
    assert home.no_packets.isVisible() and not home.partner_view.isVisible()
    _record_packets(ctx)
    with qtbot.waitSignal(home.loaded, timeout=WAIT_MS):
        home.refresh()
    assert not home.no_packets.isVisible() and home.partner_view.isVisible()
    model = home.partner_model
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["KE-MSA", "ROEA"]
    assert model.index(0, 1).data() == "Never"
    assert "2026" in model.index(1, 1).data()


@pytest.fixture
def home_page(qtbot: QtBot, ctx: Context, english: None) -> Iterator[HomePage]:
    page = HomePage(ctx, vocabularies(ctx))
    qtbot.addWidget(page)
    page.resize(1024, 600)
    page.show()
    qtbot.waitExposed(page)
    yield page
    shutdown_ops()  # the store closes after this test: nothing may still read it


def test_home_says_nothing_false_while_it_loads(
    qtbot: QtBot, home_page: HomePage, ctx: Context, make_visit: MakeVisit
) -> None:
    make_visit(title="Late", follow_ups=(followup(-3),))
    _record_packets(ctx)
    assert home_page.total_card.value_label.text() == "…"
    assert home_page.partners_loading.isVisible() and not home_page.no_packets.isVisible()
    shown: list[bool] = []  # whether "no packets yet" was up, right after the refresh and at each part
    loaded: list[bool] = []
    home_page.figures_shown.connect(lambda: shown.append(home_page.no_packets.isVisible()))
    home_page.loaded.connect(lambda: loaded.append(True))
    home_page.refresh()
    shown.append(home_page.no_packets.isVisible())
    qtbot.waitUntil(lambda: bool(loaded), timeout=WAIT_MS)
    shown.append(home_page.no_packets.isVisible())
    assert home_page.total_card.value_label.text() == "1"
    assert home_page.overdue_card.value_label.text() == "1"
    assert shown == [False, False, False]  # never "no packets yet" on a store with partners
    assert not home_page.partners_loading.isVisible() and home_page.partner_view.isVisible()
    assert [r.action for r in home_page.overdue_model.rows()] == ["Write to the director"]


def test_chinese_due_dates_fit_their_column(qtbot: QtBot, ctx: Context) -> None:
    before = current_language()
    set_language("zh")
    try:
        page = HomePage(ctx, vocabularies(ctx))
        qtbot.addWidget(page)
        late = FollowUpRow("f", "v", "访问", "写信", "", dt.date(2026, 12, 28), "open", 3, "KE-NBO")
        page.overdue_model.set_rows([late])
        view = page.overdue_view
        text = page.overdue_model.index(0, 0).data()
        assert "年" in text or "月" in text  # a date as Chinese writes it
        assert view.columnWidth(0) >= view.fontMetrics().horizontalAdvance(text) + 8
    finally:
        set_language(before)
