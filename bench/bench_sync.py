"""Sync packets on the large demo store: export, import, and a small packet into a large store.

Floors measured in the same run: a plain JSON-lines dump of the same changes (export) and a
raw sqlite3 executemany of the same records into an empty store (import).
Goals (issue): import of 100,000 visits with their incidents < 10 s and within 3x the floor;
export within 2x the floor; a packet of 1,000 changes imports into the large store in < 1 s.
Run: .venv/bin/python bench/bench_sync.py
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import (
    OUT,
    cpu_note,
    cpu_seconds,
    fill_visits,
    fresh_copy,
    large_store,
    line,
    open_copy,
    peak_rss_mb,
)

from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.office import init_office
from fieldkit.store.codec import fields_of
from fieldkit.store.registry import record_models
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet


def dump_floor(db: str, out: str) -> tuple[float, int]:
    """Plain JSON-lines dump of every change-log row: the least an export can do."""
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for row in conn.execute(
            "SELECT origin_office, seq, record_type, record_id, version, op, at, by, data, "
            "parents, resolves FROM change_log ORDER BY origin_office, seq"
        ):
            fh.write(
                json.dumps(
                    {
                        "origin": row[0],
                        "seq": row[1],
                        "type": row[2],
                        "id": row[3],
                        "version": row[4],
                        "op": row[5],
                        "at": row[6],
                        "by": row[7],
                        "data": json.loads(row[8]),
                        "parents": json.loads(row[9]),
                        "resolves": json.loads(row[10]),
                    },
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                + "\n"
            )
            n += 1
    conn.close()
    return time.perf_counter() - started, n


def insert_floor(source: str, blank: str, *, every_row: bool = False) -> tuple[float, int]:
    """Raw executemany of every record row, type by type, into an empty store of the same schema.

    ``every_row`` adds what an import writes besides the records: their change-log rows and
    the search index (``source`` is then a store that imported them).
    """
    src = sqlite3.connect(source)
    tables = [(m.__tablename__, [f.name for f in fields_of(m)]) for m in record_models()]
    rows = {
        t: src.execute(f"SELECT {', '.join(cols)} FROM {t} WHERE origin_office != '*'").fetchall()
        for t, cols in tables
    }
    if every_row:
        log_columns = [c[1] for c in src.execute("PRAGMA table_info(change_log)")]
        tables.append(("change_log", log_columns))
        rows["change_log"] = src.execute(
            f"SELECT {', '.join(log_columns)} FROM change_log WHERE origin_office != '*'"
        ).fetchall()
        tables.append(("search_index", ["record_type", "record_id", "body"]))
        rows["search_index"] = src.execute("SELECT record_type, record_id, body FROM search_index").fetchall()
    src.close()
    dst = sqlite3.connect(blank)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    with dst:
        for table, cols in tables:
            marks = ", ".join("?" * len(cols))
            dst.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows[table])
    elapsed = time.perf_counter() - started
    dst.close()
    return elapsed, sum(len(r) for r in rows.values())


def checkpoint(ctx: Context) -> float:
    """Copy the WAL into the database now: an import leaves this to the next commit or to closing."""
    assert ctx.store.path is not None
    conn = sqlite3.connect(ctx.store.path)
    started = time.perf_counter()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def visits_and_incidents() -> None:
    """The issue's own case: a field office's 100,000 visits with their incidents, into an empty region."""
    for leftover in OUT.glob("vi-*"):
        leftover.unlink()
    field = open_context(OUT / "vi-field.db", create=True)
    init_office(field, "KE-NBO", "Kenya office", "country-office", "ROEA")
    region = open_context(OUT / "vi-region.db", create=True)
    init_office(region, "ROEA", "Regional office", "regional-office", "HQ")
    for src, dst in ((field, region), (region, field)):
        write_card(src, OUT / "vi-card")
        trust_card(dst, read_card(dst, OUT / "vi-card"))
    records = fill_visits(field, 100_000, random.Random(5), followups=False)
    packet = export_packet(field, "ROEA", OUT / "vi-packet.fieldkit").paths[0]
    region.close()  # checkpointed, so that the copies below hold the whole (empty) schema
    blank = fresh_copy(OUT / "vi-region.db", "vi-blank.db")
    blank_all = fresh_copy(OUT / "vi-region.db", "vi-blank-all.db")
    region = open_context(OUT / "vi-region.db", create=True)
    started = time.perf_counter()
    summary = import_packet(region, packet)
    elapsed = time.perf_counter() - started
    checkpoint_s = checkpoint(region)
    floor_s, floor_rows = insert_floor(str(field.store.path), str(blank))
    all_s, all_rows = insert_floor(str(region.store.path), str(blank_all), every_row=True)
    line("100,000 visits with their incidents: records", f"{summary.new:,} of {records:,}")
    line(
        "  import (verify, decrypt, validate, apply, index)",
        f"{elapsed:.1f} s ({summary.new / elapsed:,.0f} records/s) (goal: < 10 s)",
    )
    line("  floor: raw sqlite3 executemany of the same records", f"{floor_s:.2f} s ({floor_rows:,} rows)")
    line("  import / floor", f"{elapsed / floor_s:.1f}x (goal: within 3x)")
    line("  floor 2: the same for every row the import writes", f"{all_s:.2f} s ({all_rows:,} rows)")
    line("  import / floor 2", f"{elapsed / all_s:.1f}x")
    line("  then the WAL checkpoint SQLite runs later", f"{checkpoint_s:.1f} s")
    field.close()
    region.close()


def import_in_child(store: Path, packet: Path) -> dict[str, Any]:
    """Import in a process of its own, so that its peak memory is the import's alone."""
    done = subprocess.run(
        [sys.executable, __file__, "--import-into", str(store), str(packet)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _import_into(store: Path, packet: Path) -> None:
    ctx = open_context(store, create=True)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    summary = import_packet(ctx, packet)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "new": summary.new,
                "visits": summary.by_type.get("monitoring_visit", 0),
                "incidents": summary.by_type.get("incident", 0),
                "checkpoint": checkpoint(ctx),
                "peak_mb": peak_rss_mb(),
            }
        )
    )
    ctx.close()


def main() -> None:
    if sys.argv[1:2] == ["--import-into"]:
        _import_into(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    cpu_note()
    visits_and_incidents()
    if "--only-visits" in sys.argv:
        return
    source_db = large_store()
    region = open_copy(source_db, "sync-region.db")
    hq_db = OUT / "sync-hq.db"
    for leftover in OUT.glob("sync-hq.db*"):
        leftover.unlink()
    hq = open_context(hq_db, create=True)
    init_office(hq, "HQ", "Headquarters", "headquarters", None)
    write_card(region, OUT / "region.card")
    write_card(hq, OUT / "hq.card")
    trust_card(region, read_card(region, OUT / "hq.card"))
    trust_card(hq, read_card(hq, OUT / "region.card"))

    started = time.perf_counter()
    result = export_packet(region, "HQ", OUT, full=True)
    export_s = time.perf_counter() - started
    floor_s, dumped = dump_floor(str(region.store.path), str(OUT / "floor.jsonl"))
    size = sum(p.stat().st_size for p in result.paths)
    line("export: changes written", f"{result.changes:,} ({size / 1e6:.0f} MB packet)")
    line("export: time", f"{export_s:.1f} s ({result.changes / export_s:,.0f} changes/s)")
    line("export floor: plain JSON-lines dump of the change log", f"{floor_s:.1f} s ({dumped:,} rows)")
    line("export / floor", f"{export_s / floor_s:.2f}x (goal: within 2x)")

    hq.close()
    measured = import_in_child(hq_db, result.paths[0])
    hq = open_context(hq_db, create=True)
    import_s, records = measured["seconds"], measured["new"]
    visits, incidents = measured["visits"], measured["incidents"]
    blank = fresh_copy(hq_db, "sync-blank.db")
    with sqlite3.connect(blank) as conn:  # the same schema, emptied of records
        for model in reversed(record_models()):
            conn.execute(f"DELETE FROM {model.__tablename__} WHERE origin_office != '*'")
    floor_import_s, floor_rows = insert_floor(str(source_db), str(blank))
    line("import: records applied", f"{records:,} ({visits:,} visits, {incidents:,} incidents)")
    line(
        "import: time (verify, decrypt, validate, apply, index)",
        f"{import_s:.1f} s ({records / import_s:,.0f} records/s; processor time {measured['cpu']:.1f} s)",
    )
    line(
        "import floor: raw sqlite3 executemany of the same records",
        f"{floor_import_s:.1f} s ({floor_rows:,} rows)",
    )
    line("import / floor", f"{import_s / floor_import_s:.2f}x (goal: within 3x)")
    line("import: then the WAL checkpoint SQLite runs later", f"{measured['checkpoint']:.1f} s")
    line("import: peak memory of the importing process", f"{measured['peak_mb']:,.0f} MB")

    # a packet of 1,000 changes into the large store
    from fieldkit.demo import mutate

    # headquarters acknowledges what it holds, so the next packet carries only new changes
    reply = export_packet(hq, "ROEA", OUT / "reply.fieldkit")
    import_packet(region, reply.paths[0])
    mutate(region, 1000, seed=3)
    small = export_packet(region, "HQ", OUT / "small.fieldkit")
    started = time.perf_counter()
    small_summary = import_packet(hq, small.paths[0], max_delete_share=None)
    small_s = time.perf_counter() - started
    line(
        "1,000-change packet into the large store",
        f"{small_s * 1000:.0f} ms ({small.changes:,} changes, {small_summary.updated:,} updated)",
    )
    line("peak memory of this process", f"{peak_rss_mb():.0f} MB")
    region.close()
    hq.close()


if __name__ == "__main__":
    main()
