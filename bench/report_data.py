"""The figures of the regional summary over the large demo store (20 offices, 100,000 visits).

The issue's goal is the whole regional PDF in < 10 s; the figures are the data part of it and
should take a few seconds at most. Times are printed, not asserted. The store is the one the
other benchmarks build (``bench/out/large-ROEA-7.db``); it is only read here, and this script
does not build it unless given ``--build`` (about five minutes, 2 GB).
Run: .venv/bin/python bench/report_data.py [--build]
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from common import LARGE_SEED, OUT, cpu_note, large_store, line, peak_rss_mb

from fieldkit.access import Principal, Role
from fieldkit.context import Context
from fieldkit.demo.generate import FIRST_DAY, LAST_DAY, REF_DAY
from fieldkit.opening import open_context
from fieldkit.services.report_data import regional_summary, situation_summary
from fieldkit.services.report_filter import ReportFilter
from fieldkit.services.report_sections import country_briefing


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    line(label, f"{time.perf_counter() - started:.2f} s")
    return result


def main() -> int:
    cached = OUT / f"large-ROEA-{LARGE_SEED}.db"
    if not cached.exists() and "--build" not in sys.argv:
        print(f"no large demo store at {cached}: run with --build to make it (about five minutes)")
        return 0
    path = large_store()
    cpu_note()
    ctx = open_context(path)
    ctx.now = lambda: dt.datetime.combine(REF_DAY, dt.time(12))  # the demo's statuses are as of REF_DAY
    everything = ReportFilter(date_from=FIRST_DAY, date_to=LAST_DAY)
    last_year = ReportFilter(date_from=dt.date(2025, 10, 1), date_to=dt.date(2026, 9, 30))
    quarter = ReportFilter(date_from=dt.date(2026, 7, 1), date_to=dt.date(2026, 9, 30))

    regional_summary(ctx, quarter, lang="en")  # warm the page cache and the vocabularies once
    whole = timed(
        "regional summary, whole demo span (about 2 years 9 months)",
        lambda: regional_summary(ctx, everything),
    )
    year = timed("regional summary, one year", lambda: regional_summary(ctx, last_year, lang="ar"))
    timed("regional summary, one quarter", lambda: regional_summary(ctx, quarter, lang="zh"))
    reader = Context(
        ctx.store,
        user="reader",
        office_code=ctx.office_code,
        now=ctx.now,
        acting_as=Principal("reader", frozenset({Role.READ_ONLY, Role.TRAINER}), "internal"),
    )
    capped = timed(
        "regional summary, one year, a user cleared for internal",
        lambda: regional_summary(
            reader, ReportFilter(last_year.date_from, last_year.date_to, max_level="strictly-confidential")
        ),
    )
    office = whole.offices[0].office
    one = timed(
        f"situation summary of one office ({office}), whole span",
        lambda: situation_summary(ctx, ReportFilter(FIRST_DAY, LAST_DAY, offices=(office,))),
    )
    country = "KE"
    timed(f"country briefing pack ({country}), one year", lambda: country_briefing(ctx, last_year, country))

    print()
    line("offices (sections)", f"{len(whole.offices)}")
    line("visits / allegations, whole span", f"{whole.total.visits:,} / {whole.total.incidents:,}")
    line("visits / allegations, one year", f"{year.total.visits:,} / {year.total.incidents:,}")
    line("  of them cleared for internal", f"{capped.total.visits:,} / {capped.total.incidents:,}")
    line("overdue follow-ups on the demo's day, whole span", f"{whole.total.overdue_count:,}")
    line(
        "violation terms counted, regions, months",
        f"{len(whole.total.incidents_by_violation)}, {len(whole.total.regions)}, {len(whole.total.months)}",
    )
    line(f"visits of {office}", f"{one.visits:,}")
    line("peak memory", f"{peak_rss_mb():.0f} MB")
    ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
