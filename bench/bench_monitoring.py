"""Monitoring list on the large demo store: first rows, a filter, full-text search, memory.

Goals (issue): first rows < 500 ms, search < 100 ms at 100,000 visits, memory < 400 MB.
Run: .venv/bin/python bench/bench_monitoring.py
"""

from __future__ import annotations

import datetime as dt
import functools

from common import cpu_note, large_store, line, median_ms, open_copy, peak_rss_mb

from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.visit_list import count_overdue, list_visits, overdue_followups


def main() -> None:
    cpu_note()
    ctx = open_copy(large_store(), "monitoring.db")
    total = list_visits(ctx, limit=1).total
    line("visits in the store", f"{total:,}")
    line(
        "first page of 200 rows, newest first (median of 5)",
        f"{median_ms(lambda: list_visits(ctx, limit=200)):.0f} ms",
    )
    line(
        "first page sorted by title",
        f"{median_ms(lambda: list_visits(ctx, sort='title', descending=False, limit=200)):.0f} ms",
    )
    year = VisitFilter(
        date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), visit_types=("detention-visit",)
    )
    line("filter: detention visits in 2025", f"{median_ms(lambda: list_visits(ctx, year, limit=200)):.0f} ms")
    torture = VisitFilter(violation_type="torture")
    line(
        "filter: visits with a torture allegation",
        f"{median_ms(lambda: list_visits(ctx, torture, limit=200)):.0f} ms",
    )
    for word in ("lawyer", "المحتجزين", "律师", "задержанных"):
        flt = VisitFilter(text=word)
        hits = list_visits(ctx, flt, limit=1).total
        line(
            f"full-text search '{word}' ({hits:,} hits)",
            f"{median_ms(functools.partial(list_visits, ctx, flt, limit=200)):.0f} ms",
        )
    line(
        "overdue follow-ups (all)",
        f"{median_ms(lambda: overdue_followups(ctx)):.0f} ms ({count_overdue(ctx):,})",
    )
    line("peak memory of this process", f"{peak_rss_mb():.0f} MB")
    ctx.close()


if __name__ == "__main__":
    main()
