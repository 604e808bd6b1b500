"""The audit trail on a large store: verifying the whole hash chain, and the audit page's queries.

Builds ``demo --scale large`` (1.18 million records, one chained audit entry each) into
bench/out/audit-large.db once, then times ``verify_audit`` over every entry (against a bare read
of the same rows, the floor), the first and the last page of 200, and a filtered count.
Run: .venv/bin/python bench/bench_audit.py [--rebuild]
"""

from __future__ import annotations

import argparse
import time

from common import OUT, cpu_note, line, peak_rss_mb
from sqlalchemy import select

from fieldkit.access import unchecked
from fieldkit.demo import generate
from fieldkit.opening import open_context
from fieldkit.services.audit import AuditFilter, audit_count, audit_page, verify_audit
from fieldkit.services.office import init_office
from fieldkit.store.system import AuditLog

STORE = OUT / "audit-large.db"


def build() -> None:
    for path in OUT.glob("audit-large.db*"):
        path.unlink()
    ctx = open_context(STORE, create=True)
    init_office(ctx, "KE-NBO", "Kenya office", "country-office")
    started = time.perf_counter()
    generate(ctx, "large", seed=1)
    line("demo large with the chained audit trail", f"{time.perf_counter() - started:.1f} s")
    ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    cpu_note()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.rebuild or not STORE.exists():
        build()
    ctx = open_context(STORE)
    started = time.perf_counter()
    with unchecked(), ctx.store.read() as session:
        rows = 0
        for _row in session.execute(select(AuditLog).execution_options(yield_per=5000)):
            rows += 1
    floor = time.perf_counter() - started
    line("read every audit entry (the floor)", f"{rows:,} entries in {floor:.1f} s")
    started = time.perf_counter()
    verdict = verify_audit(ctx)
    seconds = time.perf_counter() - started
    line(
        "verify_audit, whole chain", f"{seconds:.1f} s ({seconds / floor:.1f}x the floor): {verdict.message}"
    )
    for name, offset in (("first", 0), ("last", rows - 200)):
        started = time.perf_counter()
        audit_page(ctx, AuditFilter(), offset, 200, total=rows)
        line(f"audit page: {name} page of 200", f"{(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    count = audit_count(ctx, AuditFilter(action="update"))
    line("audit count: one action", f"{count:,} in {(time.perf_counter() - started) * 1000:.0f} ms")
    line("peak memory", f"{peak_rss_mb():.0f} MB")
    ctx.close()


if __name__ == "__main__":
    main()
