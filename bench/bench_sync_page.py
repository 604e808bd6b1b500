"""What the Sync page reads each time it shows, on the large demo store (20 offices, 19 partners):
the partners' state and, per partner, the changes not yet sent and those awaiting receipt.

Floor measured in the same run: ``partner_status`` alone, as the page read it before it split
its figure into the two counts.
Run: .venv/bin/python bench/bench_sync_page.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

from common import cpu_note, fresh_copy, large_store, line
from sqlalchemy import select

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.crypto.keys import OfficeKeys
from fieldkit.opening import open_context
from fieldkit.store.system import ChangeLog, Office
from fieldkit.sync.outbox import outgoing_changes
from fieldkit.sync.state import partner_status


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def trust_the_demo_offices(ctx: Context) -> None:
    """The demo store names its 19 other offices as origins only; make each a trusted partner,
    with keys of its own, as exchanging cards would."""
    with ctx.store.write() as session:
        origins = session.execute(select(ChangeLog.origin_office).distinct()).scalars().all()
        for code in origins:
            if code == ctx.office_code or session.get(Office, code) is not None:
                continue
            keys = OfficeKeys.generate()
            session.add(
                Office(
                    code=code, name=f"Office {code}", office_type="country-office",
                    parent_code=ctx.office_code,
                    age_recipient=keys.age_recipient, minisign_public_key=keys.minisign_public_key_line,
                    fingerprint=keys.fingerprint, is_local=False, trusted_at=ctx.now(),
                )
            )  # fmt: skip


def main() -> None:
    cpu_note()
    store = fresh_copy(large_store(), "sync-page.db")
    ctx = open_context(store)
    try:
        with unchecked():
            trust_the_demo_offices(ctx)
        partners = partner_status(ctx)
        outgoing = outgoing_changes(ctx)
        line("partners", f"{len(partners)}")
        not_sent = sum(o.not_sent for o in outgoing.values())
        awaiting = sum(o.awaiting_ack for o in outgoing.values())
        line("changes not yet sent / awaiting receipt, all partners", f"{not_sent:,} / {awaiting:,}")
        floor = best_of(3, lambda: partner_status(ctx))
        counts = best_of(3, lambda: outgoing_changes(ctx))
        line("partner_status (floor)", f"{floor * 1000:.0f} ms")
        line("outgoing_changes", f"{counts * 1000:.0f} ms ({counts / floor:.1f}x the floor)")
        line("the Sync page's store read, both", f"{(floor + counts) * 1000:.0f} ms")
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
