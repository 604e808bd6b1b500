"""What the Sync page counts as changes to send: never sent vs waiting for acknowledgement."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sync_offices import add_visits, offices

from fieldkit.cli.main import main
from fieldkit.services.monitoring import get_visit, save_visit
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet
from fieldkit.sync.outbox import outgoing_changes

FIELD = ("KE-NBO", "country-office", "ROEA")
NEIGHBOUR = ("UG-KLA", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", None)


def test_export_moves_changes_from_not_sent_to_awaiting_ack(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        field = o["KE-NBO"]
        add_visits(field, 3)
        before = outgoing_changes(field)["ROEA"]
        assert before.awaiting_ack == 0 and before.not_sent > 0

        first = export_packet(field, "ROEA", tmp_path / "first.fieldkit")
        after = outgoing_changes(field)["ROEA"]
        assert before.not_sent == first.changes
        assert after.not_sent == 0 and after.awaiting_ack == first.changes

        add_visits(field, 1, prefix="Later")
        more = outgoing_changes(field)["ROEA"]
        assert more.awaiting_ack == first.changes and more.not_sent == 5  # a visit and its four children

        # the region's reply acknowledges the first packet: only the later visit is left
        import_packet(o["ROEA"], first.paths[0])
        reply = export_packet(o["ROEA"], "KE-NBO", tmp_path / "reply.fieldkit")
        import_packet(field, reply.paths[0])
        acked = outgoing_changes(field)["ROEA"]
        assert (acked.not_sent, acked.awaiting_ack) == (5, 0)

        second = export_packet(field, "ROEA", tmp_path / "second.fieldkit")
        assert second.changes == 5 and outgoing_changes(field)["ROEA"].awaiting_ack == 5


def test_an_unacknowledged_packet_is_sent_again_and_counted_once(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        field = o["KE-NBO"]
        add_visits(field, 2)
        export_packet(field, "ROEA", tmp_path / "lost.fieldkit")
        add_visits(field, 1, prefix="Later")
        status = outgoing_changes(field)["ROEA"]
        again = export_packet(field, "ROEA", tmp_path / "again.fieldkit")
        assert again.changes == status.total == 15
        assert outgoing_changes(field)["ROEA"] == type(status)("ROEA", 0, 15)


def test_counts_only_what_the_partner_may_receive(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, NEIGHBOUR, REGION) as o:
        field = o["KE-NBO"]
        add_visits(field, 2)
        # another country office gets no monitoring records of ours
        neighbour = outgoing_changes(field)["UG-KLA"]
        packet = export_packet(field, "UG-KLA", tmp_path / "neighbour.fieldkit")
        assert neighbour.total == packet.changes == 0
        assert outgoing_changes(field)["ROEA"].not_sent == 10


def test_the_command_line_status_shows_the_same_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        field = o["KE-NBO"]
        add_visits(field, 2)
        export_packet(field, "ROEA", tmp_path / "first.fieldkit")
        add_visits(field, 1, prefix="Later")
        expected = outgoing_changes(field)["ROEA"]
        db = str(field.store.path)
        field.close()
        assert main(["--db", db, "sync", "status", "--json"]) == 0
        [row] = json.loads(capsys.readouterr().out)
        assert (row["not_sent"], row["awaiting_ack"]) == (expected.not_sent, expected.awaiting_ack) == (5, 10)
        assert main(["--db", db, "sync", "status"]) == 0
        line = capsys.readouterr().out
        assert "5 changes not yet sent; 10 changes sent, not yet confirmed" in line


def test_an_office_is_counted_its_own_records_edited_elsewhere(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, NEIGHBOUR, REGION) as o:
        field, region = o["KE-NBO"], o["ROEA"]
        [visit_id] = add_visits(field, 1)
        import_packet(region, export_packet(field, "ROEA", tmp_path / "up.fieldkit").paths[0])
        edited = replace(get_visit(region, visit_id), narrative="Checked by the region.")
        save_visit(region, edited)
        status = outgoing_changes(region)
        back = export_packet(region, "KE-NBO", tmp_path / "back.fieldkit")
        assert status["KE-NBO"].not_sent == back.changes > 0  # its own visit, edited at the region
        neighbour = export_packet(region, "UG-KLA", tmp_path / "neighbour.fieldkit")
        assert status["UG-KLA"].total == neighbour.changes == 0
