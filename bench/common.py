"""Shared pieces of the benchmarks: a cached large demo store, timing and memory helpers."""

from __future__ import annotations

import datetime as dt
import os
import random
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

from fieldkit.access import unchecked  # noqa: E402
from fieldkit.context import Context  # noqa: E402
from fieldkit.opening import open_context  # noqa: E402
from fieldkit.services.office import init_office  # noqa: E402
from fieldkit.store.records import FollowUp, Incident, MonitoringVisit  # noqa: E402

LARGE_SEED = 7

VIOLATIONS = ["torture", "arbitrary-detention", "excessive-use-of-force", "enforced-disappearance"]
NARRATIVES = [
    "Detainees describe overcrowded cells and no access to a lawyer during the first days.",
    "أفاد المحتجزون باكتظاظ الزنازين وعدم السماح لهم بمقابلة محامين.",
    "被拘留者反映牢房拥挤，最初几天无法会见律师。",
    "Задержанные сообщили о переполненных камерах и отсутствии доступа к адвокату.",
]


def fill_visits(ctx: Context, visits: int, rng: random.Random, *, followups: bool = True) -> int:
    """Bulk-create visits with one or two incidents and a follow-up each, as the office itself."""
    base = dt.date(2025, 1, 1)
    with unchecked(), ctx.write() as (_session, writer):
        visit_rows = [
            {
                "title": f"Visit {i} by {ctx.office}",
                "visit_type": "detention-visit",
                "date_start": base + dt.timedelta(days=rng.randrange(600)),
                "date_precision": "day",
                "location_text": "",
                "team": "",
                "institutions": "",
                "counterparts": "",
                "narrative": rng.choice(NARRATIVES),
                "confidentiality": "confidential",
                "latitude": None,
                "longitude": None,
                "admin_area_id": None,
                "date_end": None,
                "institution_type": None,
            }
            for i in range(visits)
        ]
        ids = writer.bulk_create(MonitoringVisit, visit_rows)
        incidents = [
            {
                "visit_id": vid,
                "summary": "Allegation heard",
                "violation_types": [rng.choice(VIOLATIONS)],
                "rights": [],
                "affected_groups": [],
                "victims": {"male/adult-18-59": 1},
                "pattern": "isolated",
                "incident_date": None,
                "perpetrator_type": None,
                "source_reliability": None,
            }
            for vid in ids
            for _ in range(rng.choice((1, 2)))
        ]
        writer.bulk_create(Incident, incidents)
        if not followups:
            return len(ids) + len(incidents)
        rows: list[dict[str, object]] = [
            {
                "visit_id": vid,
                "action": "Write to the director",
                "responsible": "",
                "status": "open",
                "due_date": base + dt.timedelta(days=rng.randrange(700)),
                "completed_on": None,
                "project_id": None,
                "recommendation_refs": [],
            }
            for vid in ids
        ]
        writer.bulk_create(FollowUp, rows)
    return len(ids) + len(incidents) + len(rows)


def large_store(office: str = "ROEA", office_type: str = "regional-office") -> Path:
    """The large demo store (20 offices, 100,000 visits), built once and copied per run."""
    OUT.mkdir(parents=True, exist_ok=True)
    cached = OUT / f"large-{office}-{LARGE_SEED}.db"
    if not cached.exists():
        from fieldkit.demo import generate

        tmp = cached.with_suffix(".tmp")
        for leftover in OUT.glob(tmp.name + "*"):
            leftover.unlink()
        ctx = open_context(tmp, create=True)
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
    return open_context(fresh_copy(src, name), create=True)


def median_ms(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """Peak resident memory of this process. Linux keeps ``ru_maxrss`` across exec, so a child
    started by a large process would report its parent's peak; ``VmHWM`` starts afresh."""
    try:
        for row in Path("/proc/self/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """Processor time of this process so far: steadier than the clock on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def line(label: str, value: str) -> None:
    print(f"{label:<58} {value}")


def cpu_note() -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
