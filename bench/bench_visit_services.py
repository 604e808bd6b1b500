"""Visit services on the large demo store: filters on a broader term, overdue pages with their
exact total, deleting and restoring a visit with its children, and `fieldkit visits list`
through the whole result.

Run: .venv/bin/python bench/bench_visit_services.py
"""

from __future__ import annotations

import contextlib
import io
import time

from common import cpu_note, fresh_copy, large_store, line, median_ms

from fieldkit.cli.main import main as cli
from fieldkit.domain.vocab import vocabularies
from fieldkit.opening import open_context
from fieldkit.services.monitoring import delete_visit, get_visit, restore_visit
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.visit_list import count_overdue, list_visits, overdue_page


def main() -> None:
    cpu_note()
    path = fresh_copy(large_store(), "visit-services.db")
    ctx = open_context(path)
    line("visits in the store", f"{list_visits(ctx, limit=1).total:,}")

    below = vocabularies(ctx).descendants("violation_type", "torture-and-ill-treatment")
    for code in ("torture", "torture-and-ill-treatment", "liberty-and-security"):
        flt = VisitFilter(violation_type=code)
        hits = list_visits(ctx, flt, limit=1).total
        line(
            f"filter: violation '{code}' ({hits:,} visits)",
            f"{median_ms(lambda flt=flt: list_visits(ctx, flt, limit=200)):.0f} ms",
        )
    line("  (terms under torture-and-ill-treatment)", f"{len(below) - 1}")

    total = count_overdue(ctx)
    line(f"overdue: exact count ({total:,})", f"{median_ms(lambda: count_overdue(ctx)):.0f} ms")
    line(
        "overdue: first page of 500 with its total",
        f"{median_ms(lambda: overdue_page(ctx, limit=500)):.0f} ms",
    )
    last = max(total - 500, 0)
    line(
        "overdue: last page of 500 with its total",
        f"{median_ms(lambda: overdue_page(ctx, offset=last, limit=500)):.0f} ms",
    )

    newest = list_visits(ctx, limit=1).rows[0].id
    visit = get_visit(ctx, newest)
    children = len(visit.incidents) + len(visit.people) + len(visit.follow_ups)
    started = time.perf_counter()
    delete_visit(ctx, newest)
    deleted_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    restore_visit(ctx, newest)
    restored_ms = (time.perf_counter() - started) * 1000
    line(f"delete a visit with its {children} children", f"{deleted_ms:.0f} ms")
    line("restore it with what was deleted with it", f"{restored_ms:.0f} ms")
    ctx.close()

    for args in (["visits", "list", "--json"], ["visits", "list"]):
        sink = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(sink):
            status = cli(["--db", str(path), *args])
        rows = sink.getvalue().count("\n")
        line(
            f"fieldkit {' '.join(args)}: every visit ({rows:,} lines, exit {status})",
            f"{time.perf_counter() - started:.1f} s",
        )


if __name__ == "__main__":
    main()
