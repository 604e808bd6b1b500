"""Monitoring list on the large demo store: first rows, a filter, full-text search, memory.

Goals (issue): first rows < 500 ms, search < 100 ms at 100,000 visits and under 1 s whatever is
typed, memory < 400 MB.
Run: .venv/bin/python bench/bench_monitoring.py
"""

from __future__ import annotations

import datetime as dt
import functools

from common import NARRATIVES, cpu_note, large_store, line, median_ms, open_copy, peak_rss_mb

from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.visit_list import count_overdue, list_visits, overdue_followups

#: what people type into the search box, worst cases included; every one must answer in under 1 s
SEARCHES = [
    ("'lawyer'", "lawyer"),
    ("Arabic 'المحتجزين'", "المحتجزين"),
    ("Chinese '律师'", "律师"),
    ("Russian 'задержанных'", "задержанных"),
    ("one letter 'a'", "a"),
    ("common word 'the'", "the"),
    ("stemmed 'lawyers' (finds 'lawyer')", "lawyers"),
    ("Arabic with diacritics 'الْمُحْتَجَزُونَ'", "الْمُحْتَجَزُونَ"),
    ("Chinese phrase '被拘留者'", "被拘留者"),
    ("a pasted 10,000-character page", " ".join(NARRATIVES * 60)[:10_000]),
    ("sixteen one-letter words", "a b c d e f g h i j k l m n o p"),
    ("nothing matches 'zzqxv'", "zzqxv"),
]


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
    for label, words in SEARCHES:
        flt = VisitFilter(text=words)
        hits = list_visits(ctx, flt, limit=1).total
        line(
            f"search: {label} ({hits:,} hits)",
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
