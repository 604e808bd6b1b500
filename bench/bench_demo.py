"""Demo data generation and the bulk insert path it rests on.

1. ``demo --scale large`` (20 offices, 100,000 visits and their records) into a fresh store.
   Goal (issue): under 2 minutes on the 2-core reference machine.
2. 100,000 monitoring-visit rows through ``Writer.bulk_create`` against a raw
   ``sqlite3.executemany`` of the same rows (same columns and values, one transaction, same
   PRAGMAs: WAL, synchronous=NORMAL, foreign keys on), each into a fresh store with the same
   schema. bulk_create also writes a change-log and an audit row per record, so the raw path is
   timed twice: visits only, and visits plus the same change-log and audit rows.
Run: .venv/bin/python bench/bench_demo.py [--skip-large] [--rows N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from common import cpu_note, line, peak_rss_mb

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.demo import generate
from fieldkit.ids import uuid7
from fieldkit.opening import open_context
from fieldkit.services.office import init_office
from fieldkit.store.changes import Writer
from fieldkit.store.codec import content_fields, encode_values
from fieldkit.store.records import MonitoringVisit

OFFICE, USER = "KE-NBO", "bench@KE-NBO"
BASE = dt.datetime(2025, 1, 1, 8, 0)


def new_store(path: Path) -> Context:
    ctx = open_context(path, create=True)
    init_office(ctx, OFFICE, "Kenya office", "country-office")
    return ctx


def bench_large(folder: Path) -> None:
    ctx = new_store(folder / "large.db")
    started = time.perf_counter()
    counts = generate(ctx, "large", seed=1)
    seconds = time.perf_counter() - started
    ctx.close()
    total = sum(counts.values())
    size = sum(p.stat().st_size for p in folder.glob("large.db*"))
    line(
        "demo large: records",
        f"{total:,} ({counts['monitoring_visit']:,} visits, {size / 1e9:.2f} GB on disk)",
    )
    line("demo large", f"{seconds:.1f} s ({total / seconds:,.0f} records/s) (goal: < 120 s)")


def visit_rows(n: int) -> list[dict[str, Any]]:
    """Content rows with explicit ids and times, as the demo passes them to bulk_create."""
    rng = random.Random(1)
    rows = []
    for i in range(n):
        at = BASE + dt.timedelta(seconds=i * 97)
        rows.append(
            {
                "id": uuid7((at - dt.datetime(1970, 1, 1)) // dt.timedelta(milliseconds=1), rng),
                "created_at": at,
                "title": f"Visit to the remand prison, district {i % 40}",
                "visit_type": "detention-visit",
                "date_start": at.date(),
                "date_end": at.date(),
                "date_precision": "day",
                "admin_area_id": None,
                "location_text": "Kibra, Nairobi",
                "latitude": -1.3 + rng.random(),
                "longitude": 36.8 + rng.random(),
                "team": "Grace Otieno, Peter Kamau",
                "institution_type": "prison",
                "institutions": "",
                "counterparts": "Officer in charge",
                "narrative": "The facility, built for 250 detainees, held more than twice that number. " * 4,
                "confidentiality": "internal",
            }
        )
    return rows


def _sql_value(value: Any) -> Any:
    """A value as SQLAlchemy's SQLite dialect binds it."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def raw_tables(rows: list[dict[str, Any]]) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """The rows bulk_create writes (record, change log, audit), ready for executemany."""
    names = [s.name for s in content_fields(MonitoringVisit)]
    visits, changes, audits = [], [], []
    for seq, row in enumerate(rows, 1):
        at, content = row["created_at"], {k: row[k] for k in names}
        record = {
            "id": row["id"],
            "origin_office": OFFICE,
            "created_at": at,
            "created_by": USER,
            "updated_at": at,
            "updated_by": USER,
            "version": 1,
            "deleted": False,
            **content,
        }
        visits.append(record)
        changes.append(
            {
                "origin_office": OFFICE,
                "seq": seq,
                "record_type": "monitoring_visit",
                "record_id": row["id"],
                "version": 1,
                "op": "create",
                "at": at,
                "by": USER,
                "data": json.dumps(encode_values(MonitoringVisit, content)),
                "parents": "[]",
                "resolves": "[]",
            }
        )
        audits.append(
            {
                "at": at,
                "actor": USER,
                "action": "create",
                "record_type": "monitoring_visit",
                "record_id": row["id"],
                "origin_office": OFFICE,
                "seq": seq,
                "old": None,
            }
        )
    out = {}
    for table, dicts in (("monitoring_visit", visits), ("change_log", changes), ("audit_log", audits)):
        columns = list(dicts[0])
        out[table] = (columns, [tuple(_sql_value(d[c]) for c in columns) for d in dicts])
    return out


def raw_insert(path: Path, tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for table, (columns, values) in tables.items():
        marks = ", ".join("?" * len(columns))
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def bench_bulk(folder: Path, n: int) -> None:
    rows = visit_rows(n)
    ctx = new_store(folder / "bulk.db")
    started = time.perf_counter()
    with unchecked(), ctx.store.write() as session:
        Writer(session, OFFICE, USER, now=lambda: BASE, rng=random.Random(2)).bulk_create(
            MonitoringVisit, rows
        )
    bulk_s = time.perf_counter() - started
    ctx.close()

    started = time.perf_counter()
    tables = raw_tables(rows)
    build_s = time.perf_counter() - started
    seconds = {}
    for label, wanted in (("visits", ["monitoring_visit"]), ("all", list(tables))):
        path = folder / f"raw-{label}.db"
        new_store(path).close()  # the same schema, indexes and triggers
        seconds[label] = raw_insert(path, {t: tables[t] for t in wanted})
        check = sqlite3.connect(path)
        assert check.execute("SELECT count(*) FROM monitoring_visit").fetchone()[0] == n
        check.close()

    line(f"bulk_create: {n:,} visits", f"{bulk_s:.2f} s ({n / bulk_s:,.0f} records/s)")
    line("  ... plus one change-log and one audit row each", f"{3 * n / bulk_s:,.0f} rows/s in all")
    line(
        f"raw executemany: the same {n:,} visit rows",
        f"{seconds['visits']:.2f} s ({n / seconds['visits']:,.0f} rows/s)",
    )
    line(
        "raw executemany: visits + change-log + audit rows",
        f"{seconds['all']:.2f} s ({3 * n / seconds['all']:,.0f} rows/s)",
    )
    line(
        "  ... counting the time to build those rows in Python",
        f"{seconds['all'] + build_s:.2f} s (bulk_create: {bulk_s / (seconds['all'] + build_s):.2f}x)",
    )
    line("bulk_create / raw visits only", f"{bulk_s / seconds['visits']:.2f}x")
    line("bulk_create / raw, same three tables", f"{bulk_s / seconds['all']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-large", action="store_true", help="only the bulk insert comparison")
    parser.add_argument("--rows", type=int, default=100_000, help="rows for the bulk insert comparison")
    args = parser.parse_args()
    cpu_note()
    with tempfile.TemporaryDirectory(prefix="fieldkit-bench-demo-") as tmp:
        folder = Path(tmp)
        if not args.skip_large:
            bench_large(folder)
        bench_bulk(folder, args.rows)
    line("peak memory of this process", f"{peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
