"""An encrypted store against the same plain store, measured in the same run.

A field office of VISITS visits (with their incidents and follow-ups, ``common.fill_visits``) is
built plain, copied, and the copy encrypted in place (``fieldkit store encrypt``'s function) with
the production key-derivation costs. Then, on each: opening (with the key derivation), the
monitoring list's first page, sorted by title and filtered, full-text search, a full packet
export to the regional office, and its import into an empty (plain or encrypted) regional store.
A third column opens the plain store through SQLCipher's own SQLite without a key (and, as a
plain store, with SQLite's default 2 MiB page cache, where an encrypted store keeps 64 MiB),
which tells what the library costs apart from what encryption costs.
Goals (issue): opening < 2 s with the key derivation; every other figure within 1.3x plain.
Exports and imports are repeated (``--repeat``, in turns) and their medians compared; their
processor time is shown too, which a load elsewhere on the machine disturbs less than the clock.
Run: PYTHONPATH=. .venv/bin/python bench/encrypted_store.py [--visits N] [--repeat N]
"""

from __future__ import annotations

import argparse
import functools
import random
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from common import OUT, cpu_note, fill_visits, line

from fieldkit.context import Context
from fieldkit.opening import Credentials, open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.office import init_office
from fieldkit.services.search import search_records
from fieldkit.services.visit_list import list_visits
from fieldkit.store import cipher, encryption, engine, files
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

PASSPHRASE = "bench passphrase, not a secret"
UNLOCK = Credentials(passphrase=lambda: PASSPHRASE)


def _remove(path: Path) -> None:
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()


def _copy(src: Path, dst: Path) -> Path:
    _remove(dst)
    shutil.copy(src, dst)
    return dst


def build(visits: int) -> tuple[Path, Path, Path, Path]:
    """The plain and encrypted field stores, and the plain and encrypted empty regional stores."""
    OUT.mkdir(parents=True, exist_ok=True)
    field, region = OUT / "enc-field-plain.db", OUT / "enc-region-plain.db"
    for path in (field, region):
        _remove(path)
    started = time.perf_counter()
    field_ctx = open_context(field, create=True)
    init_office(field_ctx, "KE-NBO", "Kenya office", "country-office", "ROEA")
    region_ctx = open_context(region, create=True)
    init_office(region_ctx, "ROEA", "Regional office", "regional-office", "HQ")
    for src, dst in ((field_ctx, region_ctx), (region_ctx, field_ctx)):
        write_card(src, OUT / "enc-card")
        trust_card(dst, read_card(dst, OUT / "enc-card"))
    records = fill_visits(field_ctx, visits, random.Random(11))
    field_ctx.close()
    region_ctx.close()
    line("store built (plain)", f"{records:,} records in {time.perf_counter() - started:.1f} s")
    field_enc = _copy(field, OUT / "enc-field-encrypted.db")
    started = time.perf_counter()
    encryption.encrypt_store(field_enc, PASSPHRASE)
    line("  encrypting it in place (export, verify, replace)", f"{time.perf_counter() - started:.1f} s")
    region_enc = _copy(region, OUT / "enc-region-encrypted.db")
    encryption.encrypt_store(region_enc, PASSPHRASE)
    return field, field_enc, region, region_enc


@contextmanager
def sqlcipher_library() -> Iterator[None]:
    """Stores opened in this block use SQLCipher's SQLite without a key: what the library costs
    before any encryption, told apart from what encryption costs."""
    from sqlcipher3 import dbapi2

    real = engine.create_engine
    engine.create_engine = functools.partial(real, module=dbapi2)  # type: ignore[assignment]
    try:
        yield
    finally:
        engine.create_engine = real


def _open(path: Path, variant: str) -> Context:
    if variant == "library":
        with sqlcipher_library():
            return open_context(path)
    return open_context(path, credentials=UNLOCK if variant == "encrypted" else None)


VARIANTS = ("plain", "library", "encrypted")


def compare(label: str, ms: dict[str, float], goal: float = 1.3) -> float:
    ratio = ms["encrypted"] / ms["plain"] if ms["plain"] else 1.0
    verdict = "ok" if ratio <= goal else "over"
    line(
        label,
        f"plain {ms['plain']:7.1f} ms  sqlcipher lib {ms['library']:7.1f}  encrypted {ms['encrypted']:7.1f}"
        f"  {ratio:4.2f}x ({verdict}; library alone {ms['library'] / ms['plain']:4.2f}x)",
    )
    return ratio


def interleaved_ms(calls: dict[str, Callable[[], object]], runs: int = 9) -> dict[str, float]:
    """Median milliseconds of each call, run in turns after one warming call each, so that a load
    elsewhere on the machine falls on all alike."""
    for fn in calls.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, fn in calls.items():
            times[name].append(_seconds(fn) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="exports and imports of each store, in turns")
    args = parser.parse_args()
    cpu_note()
    kdf = cipher.kdf_params
    line(
        "key derivation (Argon2id)",
        f"{kdf.memory_cost_kib // 1024} MiB, t={kdf.time_cost}, p={kdf.parallelism}",
    )
    field_plain, field_enc, region_plain, region_enc = build(args.visits)
    # the same plain stores again, for SQLCipher's library without a key: one library per file
    field = {
        "plain": field_plain,
        "library": _copy(field_plain, OUT / "enc-field-library.db"),
        "encrypted": field_enc,
    }
    region = {
        "plain": region_plain,
        "library": _copy(region_plain, OUT / "enc-region-library.db"),
        "encrypted": region_enc,
    }
    header = cipher.require_header(field_enc)
    derive = statistics.median(
        _seconds(lambda: cipher.unlock(field_enc, PASSPHRASE, header)) for _ in range(5)
    )
    line("key derivation alone", f"{derive * 1000:.0f} ms")
    opening = {
        name: statistics.median(_seconds(lambda n=name: _open(field[n], n).close()) for _ in range(5))
        for name in ("plain", "encrypted")
    }
    line(
        "opening (upgrade check, key derivation)",
        f"plain {opening['plain'] * 1000:.0f} ms  "
        f"encrypted {opening['encrypted'] * 1000:.0f} ms (goal: < 2 s)",
    )

    ratios: list[float] = []
    contexts = {name: _open(field[name], name) for name in VARIANTS}
    try:
        cases: list[tuple[str, Callable[[Context], object]]] = [
            ("monitoring list: first page, newest first", lambda c: list_visits(c, VisitFilter(), limit=100)),
            (
                "monitoring list: sorted by title",
                lambda c: list_visits(c, VisitFilter(), sort="title", descending=False, limit=100),
            ),
            (
                "monitoring list: filtered by violation",
                lambda c: list_visits(c, VisitFilter(violation_type="torture"), limit=100),
            ),
            ("monitoring list: text search", lambda c: list_visits(c, VisitFilter(text="lawyer"), limit=100)),
            ("search: every record type, ranked", lambda c: search_records(c, "overcrowded cells")),
        ]
        for label, case in cases:
            calls = {name: functools.partial(case, ctx) for name, ctx in contexts.items()}
            ratios.append(compare(label, interleaved_ms(calls)))

        packets: dict[str, Path] = {}
        exported: dict[str, list[float]] = {name: [] for name in contexts}
        export_cpu: dict[str, list[float]] = {name: [] for name in contexts}
        for _ in range(args.repeat):  # in turns, as above: a load elsewhere falls on all alike
            for name, ctx in contexts.items():
                folder = OUT / f"enc-packets-{name}"
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                started, cpu = time.perf_counter(), time.process_time()
                packets[name] = export_packet(ctx, "ROEA", folder, full=True).paths[0]
                exported[name].append((time.perf_counter() - started) * 1000)
                export_cpu[name].append((time.process_time() - cpu) * 1000)
        ratios.append(compare("packet export (full, to ROEA)", _medians(exported)))
        compare("  its processor time", _medians(export_cpu))
    finally:
        for ctx in contexts.values():
            ctx.close()

    imported: dict[str, list[float]] = {name: [] for name in VARIANTS}
    import_cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.repeat):
        for name in VARIANTS:
            copy = _copy(region[name], OUT / f"{region[name].stem}-import.db")
            if name == "encrypted":
                shutil.copy(files.header_path(region[name]), files.header_path(copy))
            ctx = _open(copy, name)
            started, cpu = time.perf_counter(), time.process_time()
            summary = import_packet(ctx, packets[name])
            imported[name].append((time.perf_counter() - started) * 1000)
            import_cpu[name].append((time.process_time() - cpu) * 1000)
            ctx.close()
            assert summary.new > 0
    ratios.append(compare("packet import (into an empty regional store)", _medians(imported)))
    compare("  its processor time", _medians(import_cpu))
    line("largest ratio", f"{max(ratios):.2f}x (goal: within 1.3x)")


def _medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in times.items()}


def _seconds(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
