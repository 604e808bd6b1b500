"""A regional office consolidates packets from 20 field offices holding 100,000 visits in total,
into SQLite and into PostgreSQL; prints records/s for each.

PostgreSQL: a throwaway server is started here if the Debian binaries are installed
(scripts/setup.sh test installs them); otherwise that half is skipped with a note.
Run: .venv/bin/python bench/bench_consolidate.py [--visits 100000] [--offices 20]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import OUT, ROOT, cpu_note, fill_visits, line, peak_rss_mb

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.office import init_office
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_files

sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--offices", type=int, default=20)
    args = parser.parse_args()
    cpu_note()
    work = OUT / "consolidate"
    shutil.rmtree(work, ignore_errors=True)
    (work / "cards").mkdir(parents=True)
    region_card_store = open_context(work / "region-keys.db", create=True)
    init_office(region_card_store, "ROEA", "Regional office", "regional-office", "HQ")
    write_card(region_card_store, work / "ROEA.json")
    rng = random.Random(11)
    packets = []
    started = time.perf_counter()
    total = 0
    for n in range(args.offices):
        code = f"FO-{n + 1:02d}"
        ctx = open_context(work / f"{code}.db", create=True)
        init_office(ctx, code, f"Field office {n + 1}", "country-office", "ROEA")
        total += fill_visits(ctx, args.visits // args.offices, rng)
        write_card(ctx, work / "cards" / f"{code}.card")
        trust_card(ctx, read_card(ctx, work / "ROEA.json"))
        packets.extend(export_packet(ctx, "ROEA", work).paths)
        ctx.close()
    line("field offices filled and exported", f"{time.perf_counter() - started:.1f} s ({total:,} records)")

    # the regional office keeps its keys: both consolidations below use the same identity
    region_card_store.close()
    sqlite_db = work / "region-sqlite.db"
    shutil.copy(work / "region-keys.db", sqlite_db)
    consolidate_into(str(sqlite_db), work, packets, "SQLite")

    from pg_server import _bin_dir

    bin_dir = _bin_dir()
    if bin_dir is None:
        line("PostgreSQL", "skipped: PostgreSQL is not installed")
    else:
        with postgres(bin_dir) as url:
            consolidate_into(url, work, packets, "PostgreSQL", keys_from=work / "region-keys.db")
    line("peak memory of this process", f"{peak_rss_mb():.0f} MB")


def consolidate_into(
    url: str, work: Path, packets: list[Path], label: str, keys_from: Path | None = None
) -> None:
    region = open_context(url, create=True)
    if keys_from is not None:
        copy_identity(keys_from, region)
    for card in sorted((work / "cards").glob("*.card")):
        trust_card(region, read_card(region, card))
    started = time.perf_counter()
    results = import_files(region, packets)
    elapsed = time.perf_counter() - started
    applied = sum(r.new + r.updated for r in results)
    refused = [r for r in results if r.status == "refused"]
    line(
        f"{label}: {len(packets)} packets, {applied:,} records",
        f"{elapsed:.1f} s ({applied / elapsed:,.0f} records/s)",
    )
    for r in refused[:3]:
        line(f"{label}: refused {r.file}", r.reason)
    region.close()


def copy_identity(source: Path, target: Context) -> None:
    """Give a PostgreSQL store the regional office's identity (same keys as the SQLite one)."""
    from fieldkit.store.system import Office, OfficeSecret, OriginSequence

    src = open_context(source, create=True)
    with unchecked(), src.store.read() as s:
        office = s.get(Office, "ROEA")
        secret = s.get(OfficeSecret, "ROEA")
        assert office is not None and secret is not None
        values = {c.key: getattr(office, c.key) for c in Office.__table__.columns}
        keys = dict(secret.keys)
    src.close()
    with unchecked(), target.store.write() as s:
        s.add(Office(**values))
        s.add(OfficeSecret(code="ROEA", keys=keys))
        s.add(OriginSequence(origin_office="ROEA", last_seq=0))
    target.refresh_office()


@contextmanager
def postgres(bin_dir: Path) -> Iterator[str]:
    """A throwaway PostgreSQL server and database (the test suite's recipe)."""
    import psycopg
    from pg_server import running_postgres

    with running_postgres(bin_dir) as info:
        with psycopg.connect(
            host=info["host"], port=info["port"], user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute('CREATE DATABASE "bench"')
        yield f"postgresql+psycopg://postgres@/bench?host={info['host']}&port={info['port']}"


if __name__ == "__main__":
    tempfile.tempdir = str(OUT)
    main()
