"""An encrypted store against the same plain store, measured in the same run.

A field office of VISITS visits (with their incidents and follow-ups, ``common.fill_visits``) is
built plain, copied, and the copy encrypted in place (``fieldkit store encrypt``'s function) with
the production key-derivation costs. Then, on each: opening (with the key derivation), the
monitoring list's first page, sorted by title and filtered, full-text search, a full packet
export to the regional office, and its import into an empty (plain or encrypted) regional store.
Goals (issue): opening < 2 s with the key derivation; every other figure within 1.3x plain.
Run: PYTHONPATH=. .venv/bin/python bench/encrypted_store.py [--visits N]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from common import OUT, cpu_note, fill_visits, line

from fieldkit.context import Context
from fieldkit.opening import Credentials, open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.office import init_office
from fieldkit.services.search import search_records
from fieldkit.services.visit_list import list_visits
from fieldkit.store import cipher, encryption, files
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


def _open(path: Path) -> Context:
    return open_context(path, credentials=UNLOCK if cipher.is_encrypted(path) else None)


def compare(label: str, plain_ms: float, encrypted_ms: float, goal: float = 1.3) -> float:
    ratio = encrypted_ms / plain_ms if plain_ms else 1.0
    verdict = "ok" if ratio <= goal else "over"
    line(label, f"plain {plain_ms:8.1f} ms  encrypted {encrypted_ms:8.1f} ms  {ratio:4.2f}x ({verdict})")
    return ratio


def interleaved_ms(
    plain: Callable[[], object], encrypted: Callable[[], object], runs: int = 9
) -> tuple[float, float]:
    """Median milliseconds of each, run in turns after one warming call each, so that a load
    elsewhere on the machine falls on both alike."""
    plain()
    encrypted()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, into in ((plain, times[0]), (encrypted, times[1])):
            into.append(_seconds(fn) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=20_000)
    args = parser.parse_args()
    cpu_note()
    kdf = cipher.kdf_params
    line(
        "key derivation (Argon2id)",
        f"{kdf.memory_cost_kib // 1024} MiB, t={kdf.time_cost}, p={kdf.parallelism}",
    )
    field, field_enc, region, region_enc = build(args.visits)
    header = cipher.require_header(field_enc)
    derive = statistics.median(
        _seconds(lambda: cipher.unlock(field_enc, PASSPHRASE, header)) for _ in range(5)
    )
    line("key derivation alone", f"{derive * 1000:.0f} ms")
    opening = {
        path: statistics.median(_seconds(lambda p=path: _open(p).close()) for _ in range(5))
        for path in (field, field_enc)
    }
    line(
        "opening (upgrade check, key derivation)",
        f"plain {opening[field] * 1000:.0f} ms  encrypted {opening[field_enc] * 1000:.0f} ms (goal: < 2 s)",
    )

    ratios: list[float] = []
    contexts = {path: _open(path) for path in (field, field_enc)}
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
            ("search: every record type", lambda c: search_records(c, "overcrowded cells")),
        ]
        for label, case in cases:
            plain_ms, enc_ms = interleaved_ms(
                lambda case=case: case(contexts[field]), lambda case=case: case(contexts[field_enc])
            )
            ratios.append(compare(label, plain_ms, enc_ms))

        packets: dict[Path, Path] = {}
        exported: dict[Path, float] = {}
        for path, ctx in contexts.items():
            folder = OUT / f"enc-packets-{path.stem}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            started = time.perf_counter()
            packets[path] = export_packet(ctx, "ROEA", folder, full=True).paths[0]
            exported[path] = (time.perf_counter() - started) * 1000
        ratios.append(compare("packet export (full, to ROEA)", exported[field], exported[field_enc]))
    finally:
        for ctx in contexts.values():
            ctx.close()

    imported: dict[Path, float] = {}
    for source, target in ((field, region), (field_enc, region_enc)):
        copy = _copy(target, OUT / f"{target.stem}-import.db")
        if cipher.is_encrypted(target):
            shutil.copy(files.header_path(target), files.header_path(copy))
        ctx = _open(copy)
        started = time.perf_counter()
        summary = import_packet(ctx, packets[source])
        imported[source] = (time.perf_counter() - started) * 1000
        ctx.close()
        assert summary.new > 0
    ratios.append(
        compare("packet import (into an empty regional store)", imported[field], imported[field_enc])
    )
    line("largest ratio", f"{max(ratios):.2f}x (goal: within 1.3x)")


def _seconds(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
