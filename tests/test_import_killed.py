"""An import killed part way (kill -9, a power cut) leaves the store as it was, and the same
packet imported again gives the store an uninterrupted import gives."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from fixed_clock import SteppingClock
from sync_offices import add_visits, offices
from test_sync_bad_input import FIELD, HQ, REGION

from fieldkit.opening import open_context
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

ROOT = Path(__file__).resolve().parent.parent

#: imports in batches of two changes and kills itself when the third batch starts, with the
#: first two written inside the open transaction
KILLED_IMPORT = """
import os, signal, sys
from pathlib import Path
from fieldkit.opening import open_context
from fieldkit.progress import Progress
from fieldkit.sync import importer

importer.BATCH = 2
batches = 0

def listener(done, total, label):
    global batches
    if label.startswith("Importing"):
        batches += 1
        if batches == 3:
            os.kill(os.getpid(), signal.SIGKILL)

ctx = open_context(Path(sys.argv[1]))
importer.import_packet(ctx, Path(sys.argv[2]), progress=Progress(listener))
"""


def dump(db: Path) -> list[str]:
    """Every row of every table, as SQL: what the store holds, whatever its pages look like."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def import_once(db: Path, packet: Path) -> None:
    ctx = open_context(db)
    ctx.now = SteppingClock()
    try:
        import_packet(ctx, packet)
    finally:
        ctx.close()


def test_an_import_killed_part_way_then_retried_equals_one_never_interrupted(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION, HQ) as o:
        add_visits(o["KE-NBO"], 4)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "p.fieldkit").paths[0]
        o["ROEA"].close()
        store = tmp_path / "ROEA.db"
        untouched = tmp_path / "untouched.db"
        shutil.copy(store, untouched)
        before = dump(store)

        killed = subprocess.run(
            [sys.executable, "-c", KILLED_IMPORT, str(store), str(packet)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert dump(store) == before, "a killed import left part of its changes"

        import_once(store, packet)
        import_once(untouched, packet)
        after = dump(store)
        assert after != before
        assert after == dump(untouched)
        o["ROEA"] = open_context(store)
