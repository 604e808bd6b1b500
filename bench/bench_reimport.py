"""Offering a packet that was imported before: how much it costs to be told "already imported".

Each figure is measured in a process of its own (peak resident memory, ``VmHWM``), beside the
floor measured in the same run: a process that opens the same store and imports nothing.
Goal (issue 10): the check does not read the whole packet, so its peak stays near the floor
whatever the packet's size.
Run: .venv/bin/python bench/bench_reimport.py [VISITS]   (default 20,000 visits)
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import OUT, cpu_note, fill_visits, line, peak_rss_mb

from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.office import init_office
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_files, import_packet


def _office(code: str, kind: str, parent: str | None) -> Context:
    store = OUT / f"reimport-{code}.db"
    for leftover in OUT.glob(store.name + "*"):
        leftover.unlink()
    ctx = open_context(store, create=True)
    init_office(ctx, code, f"Office {code}", kind, parent)
    return ctx


def _trust_each_other(a: Context, b: Context) -> None:
    for one, other in ((a, b), (b, a)):
        card = OUT / f"reimport-{other.office}.card.json"
        write_card(other, card)
        trust_card(one, read_card(one, card))


def offer_in_child(store: Path, packet: Path | None) -> dict[str, Any]:
    """Offer ``packet`` (None: nothing, the floor) in a process of its own."""
    done = subprocess.run(
        [sys.executable, __file__, "--offer", str(store), str(packet or "")],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _offer(store: Path, packet: str) -> None:
    ctx = open_context(store, create=True)
    started = time.perf_counter()
    statuses = [r.status for r in import_files(ctx, [Path(packet)])] if packet else []
    seconds = time.perf_counter() - started
    ctx.close()
    print(json.dumps({"seconds": seconds, "statuses": statuses, "peak_mb": peak_rss_mb()}))


def main() -> None:
    if sys.argv[1:2] == ["--offer"]:
        _offer(Path(sys.argv[2]), sys.argv[3])
        return
    visits = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    cpu_note()
    OUT.mkdir(parents=True, exist_ok=True)
    sender, receiver = _office("KE-NBO", "country-office", "ROEA"), _office("ROEA", "regional-office", None)
    _trust_each_other(sender, receiver)
    records = fill_visits(sender, visits, random.Random(7))
    packet = OUT / "reimport.fieldkit"
    packet.unlink(missing_ok=True)
    export_packet(sender, "ROEA", packet)
    import_packet(receiver, packet)
    store = Path(str(receiver.store.path))
    sender.close()
    receiver.close()

    floor = offer_in_child(store, None)
    again = offer_in_child(store, packet)
    line("packet", f"{packet.stat().st_size / 1e6:,.1f} MB ({records:,} records)")
    line("already imported: status", ", ".join(again["statuses"]))
    line("already imported: time", f"{again['seconds']:.2f} s")
    line("already imported: peak memory of the process", f"{again['peak_mb']:,.0f} MB")
    line("  floor: open the same store, offer nothing", f"{floor['peak_mb']:,.0f} MB")
    line("  above the floor", f"{again['peak_mb'] - floor['peak_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
