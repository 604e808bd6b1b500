"""The reports over the large demo store (20 offices, 100,000 visits): the consolidated
regional summary and the situation summary for a year, printed to PDF and XLSX.

Goal (issue 13): the regional summary < 10 s and < 2 MB.
Run: .venv/bin/python bench/bench_reports.py
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from common import cpu_note, large_store, line, open_copy, peak_rss_mb

from fieldkit.reports.builders import ReportRequest, make_report
from fieldkit.services.report_filter import ReportFilter

YEAR = ReportFilter(date_from=dt.date(2025, 10, 1), date_to=dt.date(2026, 9, 30))


def main() -> None:
    cpu_note()
    ctx = open_copy(large_store(), "reports")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for kind, lang in (("regional", "en"), ("regional", "ar"), ("situation", "zh")):
                pdf, sheet = Path(tmp) / f"{kind}-{lang}.pdf", Path(tmp) / f"{kind}-{lang}.xlsx"
                started = time.perf_counter()
                _built, pages = make_report(ctx, ReportRequest(kind, lang, YEAR), pdf)
                took = time.perf_counter() - started
                size = pdf.stat().st_size / 1e6
                figures = f"{took:.2f} s, {size:.2f} MB, {pages} pages, {pages / took:.1f} pages/s"
                line(f"{kind} summary, a year, {lang}: PDF", figures)
                started = time.perf_counter()
                make_report(ctx, ReportRequest(kind, lang, YEAR), pdf, sheet)
                line(
                    f"{kind} summary, a year, {lang}: PDF and XLSX", f"{time.perf_counter() - started:.2f} s"
                )
        line("peak memory", f"{peak_rss_mb():.0f} MB")
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
