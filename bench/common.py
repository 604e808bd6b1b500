"""Shared pieces of the benchmarks: a cached large demo store, timing and memory helpers."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from fieldkit.context import Context, open_context  # noqa: E402
from fieldkit.services.office import init_office  # noqa: E402

LARGE_SEED = 7


def large_store(office: str = "ROEA", office_type: str = "regional-office") -> Path:
    """The large demo store (20 offices, 100,000 visits), built once and copied per run."""
    OUT.mkdir(parents=True, exist_ok=True)
    cached = OUT / f"large-{office}-{LARGE_SEED}.db"
    if not cached.exists():
        from fieldkit.demo import generate

        tmp = cached.with_suffix(".tmp")
        for leftover in OUT.glob(tmp.name + "*"):
            leftover.unlink()
        ctx = open_context(tmp)
        init_office(ctx, office, "Regional office for East Africa", office_type, "HQ")
        started = time.perf_counter()
        generate(ctx, "large", seed=LARGE_SEED)
        print(f"(built the large demo store in {time.perf_counter() - started:.1f} s)")
        ctx.close()
        tmp.rename(cached)
    return cached


def fresh_copy(src: Path, name: str) -> Path:
    dst = OUT / name
    for leftover in OUT.glob(name + "*"):
        leftover.unlink()
    shutil.copy(src, dst)
    return dst


def open_copy(src: Path, name: str) -> Context:
    return open_context(fresh_copy(src, name))


def median_ms(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def line(label: str, value: str) -> None:
    print(f"{label:<58} {value}")


def cpu_note() -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
