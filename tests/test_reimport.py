"""A packet imported before is reported as such, not as a failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sync_offices import add_visits, offices

from fieldkit.cli.common import EXIT_REFUSED
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_files


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "fieldkit", "--db", str(db), *args]
    return subprocess.run(argv, capture_output=True, text=True, env={**os.environ}, timeout=120)


def _a_packet(tmp_path: Path) -> Path:
    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA"), ("ROEA", "regional-office", None)) as o:
        add_visits(o["KE-NBO"], 2)
        (tmp_path / "out").mkdir()
        return export_packet(o["KE-NBO"], "ROEA", tmp_path / "out" / "1.fieldkit").paths[0]


def test_importing_a_packet_again_is_exit_0_with_an_information_line(tmp_path: Path) -> None:
    packet, db = _a_packet(tmp_path), tmp_path / "ROEA.db"
    first = _cli(db, "sync", "import", str(packet))
    assert first.returncode == 0, first.stderr
    again = _cli(db, "sync", "import", str(packet))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("1.fieldkit: nothing to do: This packet was already imported on ")
    assert "refused" not in again.stdout + again.stderr
    as_json = _cli(db, "sync", "import", "--json", str(packet))
    assert as_json.returncode == 0, as_json.stderr
    [summary] = json.loads(as_json.stdout)
    assert (summary["status"], summary["sender"], summary["refusal"]) == ("already-imported", "KE-NBO", "")
    assert not (tmp_path / "ROEA.db.sync-log.jsonl").exists(), "logged as a refusal"


def test_a_folder_with_an_old_packet_and_a_bad_one_still_reports_the_refusal(tmp_path: Path) -> None:
    packet, db = _a_packet(tmp_path), tmp_path / "ROEA.db"
    assert _cli(db, "sync", "import", str(packet)).returncode == 0
    (packet.parent / "2.fieldkit").write_bytes(b"not a packet")
    done = _cli(db, "sync", "import", str(packet.parent))
    assert done.returncode == EXIT_REFUSED
    lines = done.stdout.splitlines()
    assert lines[0].startswith("1.fieldkit: nothing to do: ") and lines[1].startswith("2.fieldkit: refused: ")


def test_the_library_reports_who_sent_the_packet_imported_before(tmp_path: Path) -> None:
    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA"), ("ROEA", "regional-office", None)) as o:
        add_visits(o["KE-NBO"], 1)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "1.fieldkit").paths[0]
        [first] = import_files(o["ROEA"], [packet])
        [again] = import_files(o["ROEA"], [packet])
    assert first.status == "imported"
    assert (again.status, again.sender, again.packet_id) == ("already-imported", "KE-NBO", first.packet_id)
    assert not again.changes
