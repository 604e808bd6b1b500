"""Packets of the large demo store: peak memory both ways, and exports to a country office.

Each export runs in a process of its own, so that its peak memory is the export's alone.
Floors measured in the same run: the peak memory of a process that opens the same store and
reads its coverage (what any export costs before writing a line), and a plain JSON-lines
dump of the change log (time).
Goals (issue 10): peak memory of exporting, and of importing, the whole large store as one
packet < 400 MB each;
export of a regional store to one country office within 2x the time per change of an export
of the same store to headquarters.
Run: .venv/bin/python bench/bench_export.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_sync import dump_floor, import_in_child
from common import OUT, cpu_note, cpu_seconds, fresh_copy, large_store, line, peak_rss_mb

from fieldkit.access import unchecked
from fieldkit.opening import open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.office import init_office
from fieldkit.sync.export import export_packet
from fieldkit.sync.state import coverage

#: a country office of the large demo store, with about 59,000 changes of its own
COUNTRY = "CD-FIH"
#: exports to headquarters and to the country office, in turns: the ratio moves from run to run
RUNS = 3


def in_child(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _child(task: str, store: Path, *rest: str) -> None:
    ctx = open_context(store, create=True)
    if task == "baseline":
        with unchecked(), ctx.store.read() as session:
            held = coverage(session)
        print(json.dumps({"origins": len(held), "peak_mb": peak_rss_mb()}))
    else:
        to, out = rest
        started, cpu_started = time.perf_counter(), cpu_seconds()
        result = export_packet(ctx, to, Path(out), full=True)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        size = sum(p.stat().st_size for p in result.paths)
        measured = {
            "seconds": seconds,
            "cpu": cpu,
            "changes": result.changes,
            "bytes": size,
            "peak_mb": peak_rss_mb(),
        }
        print(json.dumps(measured))
    ctx.close()


def partner(region_db: Path, code: str, kind: str, parent: str | None) -> None:
    """A store for office ``code``; it and the region trust each other."""
    path = OUT / f"export-{code}.db"
    for leftover in OUT.glob(path.name + "*"):
        leftover.unlink()
    office = open_context(path, create=True)
    init_office(office, code, f"Office {code}", kind, parent)
    region = open_context(region_db, create=True)
    write_card(office, OUT / f"export-{code}.card")
    trust_card(region, read_card(region, OUT / f"export-{code}.card"))
    write_card(region, OUT / "export-region.card")
    trust_card(office, read_card(office, OUT / "export-region.card"))
    office.close()
    region.close()


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], Path(sys.argv[3]), *sys.argv[4:])
        return
    cpu_note()
    region_db = fresh_copy(large_store(), "export-region.db")
    partner(region_db, "HQ", "headquarters", None)
    partner(region_db, COUNTRY, "country-office", "ROEA")
    for leftover in OUT.glob("export-out-*"):
        leftover.unlink()

    baseline = in_child("baseline", str(region_db))
    to_hq = in_child("export", str(region_db), "HQ", str(OUT / "export-out-hq.fieldkit"))
    floor_s, dumped = dump_floor(str(region_db), str(OUT / "export-floor.jsonl"))
    line("export to headquarters: changes", f"{to_hq['changes']:,} ({to_hq['bytes'] / 1e6:.0f} MB packet)")
    line("  time", f"{to_hq['seconds']:.1f} s ({to_hq['changes'] / to_hq['seconds']:,.0f} changes/s)")
    line("  floor: plain JSON-lines dump of the change log", f"{floor_s:.1f} s ({dumped:,} rows)")
    line("  peak memory of the exporting process", f"{to_hq['peak_mb']:,.0f} MB (goal: < 400 MB)")
    line("  floor: a process that opens the store and reads its coverage", f"{baseline['peak_mb']:,.0f} MB")

    ratios = []
    for run in range(1, RUNS + 1):
        to_country = in_child("export", str(region_db), COUNTRY, str(OUT / "export-out-country.fieldkit"))
        if run > 1:  # the first run's export to headquarters is the one measured above
            to_hq = in_child("export", str(region_db), "HQ", str(OUT / "export-out-hq.fieldkit"))
        per_change = {
            kind: (to_country[kind] / to_country["changes"]) / (to_hq[kind] / to_hq["changes"])
            for kind in ("seconds", "cpu")
        }
        ratios.append(per_change["seconds"])
        line(f"export to a country office ({COUNTRY}), run {run}: changes", f"{to_country['changes']:,}")
        line(
            "  time (processor time)",
            f"{to_country['seconds']:.1f} s ({to_country['cpu']:.1f} s); to headquarters "
            f"{to_hq['seconds']:.1f} s ({to_hq['cpu']:.1f} s)",
        )
        line("  peak memory of the exporting process", f"{to_country['peak_mb']:,.0f} MB")
        line(
            "  time per change, country office / headquarters",
            f"{per_change['seconds']:.2f}x (processor time {per_change['cpu']:.2f}x) (goal: within 2x)",
        )
    line("  time per change over the runs", f"{min(ratios):.2f}-{max(ratios):.2f}x")

    # the other way: the whole-store packet into headquarters' empty store
    imported = import_in_child(OUT / "export-HQ.db", OUT / "export-out-hq.fieldkit")
    line("import of that packet at headquarters: records", f"{imported['new']:,}")
    line("  time (processor time)", f"{imported['seconds']:.1f} s ({imported['cpu']:.1f} s)")
    line("  peak memory of the importing process", f"{imported['peak_mb']:,.0f} MB (goal: < 400 MB)")


if __name__ == "__main__":
    main()
