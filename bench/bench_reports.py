"""The reports over the large demo store (20 offices, 100,000 visits): the consolidated
regional summary and the situation summary for a year, printed to PDF and XLSX; then the
regional summary over the store's whole span (every office, every visit), as issue 13 asks.

The whole-span report runs in a process of its own each time, as ``fieldkit report`` would
(fonts and vocabularies loaded afresh), so that its peak memory is its own. Floor measured in
the same run, in a process of its own too: opening the store and counting the report's figures
(``regional_summary``), which any printing of them costs before a page is drawn; the report's
time and peak memory are given against it. The XLSX of the same report is read back: one sheet
per table of the document, and its comparison across offices adds up to the figures' totals.
The machine is shared: the processor time of each step is printed beside the clock's.

Goal (issue 13): the regional summary < 10 s and < 2 MB.
Run: .venv/bin/python bench/bench_reports.py [--whole-only]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import cpu_note, cpu_seconds, large_store, line, open_copy, peak_rss_mb

from fieldkit.demo.generate import FIRST_DAY, LAST_DAY, REF_DAY
from fieldkit.opening import open_context
from fieldkit.reports.builders import ReportRequest, make_report, tables_of
from fieldkit.services.report_data import regional_summary
from fieldkit.services.report_filter import ReportFilter

YEAR = ReportFilter(date_from=dt.date(2025, 10, 1), date_to=dt.date(2026, 9, 30))
#: every visit of the large demo store
WHOLE = ReportFilter(date_from=FIRST_DAY, date_to=LAST_DAY)
#: runs of the whole-span PDF per language (the median is printed, and the range)
RUNS = 3


def a_year(ctx: Any) -> None:
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
            line(f"{kind} summary, a year, {lang}: PDF and XLSX", f"{time.perf_counter() - started:.2f} s")
    line("peak memory", f"{peak_rss_mb():.0f} MB")


# --- the whole span, each step in a process of its own ----------------------------------------


def _child(task: str, store: Path, lang: str, out: str) -> None:
    ctx = open_context(store, create=True)
    ctx.now = lambda: dt.datetime.combine(REF_DAY, dt.time(12))  # the demo's statuses are as of REF_DAY
    started, cpu_started = time.perf_counter(), cpu_seconds()
    measured: dict[str, Any] = {}
    if task == "floor":
        r = regional_summary(ctx, WHOLE, lang=lang)
        measured = {"visits": r.total.visits, "incidents": r.total.incidents, "offices": len(r.offices)}
    else:
        pdf = Path(out)
        sheet = pdf.with_suffix(".xlsx") if task == "xlsx" else None
        built, pages = make_report(ctx, ReportRequest("regional", lang, WHOLE), pdf, sheet)
        measured = {"pages": pages, "bytes": pdf.stat().st_size}
        if sheet is not None:
            measured |= {"xlsx_bytes": sheet.stat().st_size, "tables": len(tables_of(built.document))}
    measured |= {
        "seconds": time.perf_counter() - started,
        "cpu": cpu_seconds() - cpu_started,
        "peak_mb": peak_rss_mb(),
    }
    ctx.close()
    print(json.dumps(measured))


def in_child(task: str, store: Path, lang: str, out: str = "") -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", task, str(store), lang, out], capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"{task} {lang} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def read_back(sheet: Path) -> dict[str, int]:
    """The XLSX's sheets, and its first sheet (the comparison across offices) added up."""
    from openpyxl import load_workbook

    book = load_workbook(sheet, read_only=True)
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    found = {
        "sheets": len(book.worksheets),
        "offices": len(rows),
        "visits": sum(int(row[1] or 0) for row in rows),
        "incidents": sum(int(row[3] or 0) for row in rows),
    }
    book.close()
    return found


def whole_span(store: Path) -> None:
    print(f"regional summary, whole span ({FIRST_DAY} to {LAST_DAY}), every office; load average", end=" ")
    print(", ".join(f"{v:.1f}" for v in os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ("en", "ar"):
            floor = in_child("floor", store, lang)
            runs = [in_child("pdf", store, lang, str(Path(tmp) / f"{lang}.pdf")) for _ in range(RUNS)]
            both = in_child("xlsx", store, lang, str(Path(tmp) / f"{lang}-x.pdf"))
            seconds = statistics.median(r["seconds"] for r in runs)
            fastest, slowest = min(r["seconds"] for r in runs), max(r["seconds"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            pdf = runs[0]
            line(
                f"{lang}: figures alone (the floor)",
                f"{floor['seconds']:.2f} s ({floor['cpu']:.2f} s processor), peak memory "
                f"{floor['peak_mb']:.0f} MB; {floor['offices']} offices, {floor['visits']:,} visits, "
                f"{floor['incidents']:,} allegations",
            )
            line(
                f"{lang}: PDF, median of {RUNS} processes",
                f"{seconds:.2f} s ({fastest:.2f}-{slowest:.2f};"
                f" {cpu:.2f} s processor), {pdf['bytes'] / 1e6:.2f} MB, {pdf['pages']} pages, "
                f"{pdf['pages'] / seconds:.0f} pages/s (goal: < 10 s, < 2 MB)",
            )
            line(
                "  against the floor",
                f"{seconds / floor['seconds']:.1f}x the time ({cpu / floor['cpu']:.1f}x processor), "
                f"peak memory {peak:.0f} MB, {peak / floor['peak_mb']:.2f}x "
                f"(+{peak - floor['peak_mb']:.0f} MB)",
            )
            sheet = read_back(Path(tmp) / f"{lang}-x.xlsx")
            same = (sheet["offices"], sheet["visits"], sheet["incidents"]) == (
                floor["offices"],
                floor["visits"],
                floor["incidents"],
            )
            line(
                f"{lang}: PDF and XLSX",
                f"{both['seconds']:.2f} s ({both['cpu']:.2f} s processor), XLSX "
                f"{both['xlsx_bytes'] / 1e6:.2f} MB, peak memory {both['peak_mb']:.0f} MB",
            )
            line(
                "  XLSX read back",
                f"{sheet['sheets']} sheets for {both['tables']} tables; comparison: {sheet['offices']} "
                f"offices, {sheet['visits']:,} visits, {sheet['incidents']:,} allegations "
                f"({'the figures' if same else 'NOT the figures'})",
            )
            if not same or sheet["sheets"] != both["tables"]:
                sys.exit("the XLSX does not hold the report's figures")


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], Path(sys.argv[3]), sys.argv[4], sys.argv[5])
        return
    cpu_note()
    ctx = open_copy(large_store(), "reports")
    try:
        if "--whole-only" not in sys.argv:
            a_year(ctx)
    finally:
        ctx.close()
    whole_span(ctx.store.path)


if __name__ == "__main__":
    main()
