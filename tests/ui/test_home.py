"""Home: the sync panel says so before any packet, then lists the last packet in and out per partner."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot
from shell_support import WAIT_MS, OpenWindow

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.services.dashboard import store_location
from fieldkit.store.system import SyncPacket
from fieldkit.sync.state import PartnerPackets, partner_packets

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
