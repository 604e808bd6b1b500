"""Two programs on one store: what the writer's note costs, and how soon a waiting writer gets in.

- a small write (a draft saved) with the note and its renewal, against the same write with
  the note machinery switched off, measured in the same run (the floor);
- the time from the moment another program's long write commits to the moment a writer that
  was waiting for it has the lock, against the time an uncontended writer needs for the lock.

Run: .venv/bin/python bench/bench_writers.py
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

from common import OUT, cpu_note, line

from fieldkit.access import Permission, requires, unchecked
from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.services.drafts import save_draft
from fieldkit.services.office import init_office
from fieldkit.store import busy

SAVES = 400
HANDOVERS = 10


def _fresh_store(name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    for leftover in OUT.glob(name + "*"):
        leftover.unlink()
    ctx = open_context(path, create=True)
    init_office(ctx, "KE-NBO", "Kenya country office", "country-office", "ROEA")
    ctx.close()
    return path


def _saves_ms(ctx: Context) -> float:
    started = time.perf_counter()
    for i in range(SAVES):
        save_draft(ctx, f"bench:{i % 20}", "visit", None, "Draft", {"title": f"draft {i}"})
    return (time.perf_counter() - started) * 1000 / SAVES


@requires(Permission.IMPORT_PACKETS)
def _hold(ctx: Context, taken: threading.Event, release: threading.Event, released_at: list[float]) -> None:
    with ctx.store.write() as session:
        session.connection()
        taken.set()
        release.wait()
        released_at.append(time.perf_counter())  # the commit follows at once


def _handover_ms(path: Path) -> tuple[float, float]:
    """Median time from the holder's commit to the waiter having the lock; and uncontended."""
    holder, waiter = open_context(path, create=True), open_context(path, create=True)
    handovers: list[float] = []
    uncontended: list[float] = []
    try:
        for _ in range(HANDOVERS):
            taken, release, released_at = threading.Event(), threading.Event(), []
            thread = threading.Thread(target=_hold, args=(holder, taken, release, released_at))
            thread.start()
            taken.wait()
            started_waiting = threading.Event()

            def listener(wait: busy.StoreWait | None, flag: threading.Event = started_waiting) -> None:
                flag.set()

            def let_go(flag: threading.Event = started_waiting, go: threading.Event = release) -> None:
                flag.wait()
                go.set()

            threading.Thread(target=let_go).start()
            with busy.report_waits(listener), unchecked(), waiter.store.write() as session:
                session.connection()
                handovers.append(time.perf_counter() - released_at[0])
            thread.join()
            started = time.perf_counter()
            with unchecked(), waiter.store.write() as session:
                session.connection()
                uncontended.append(time.perf_counter() - started)
    finally:
        holder.close()
        waiter.close()
    return statistics.median(handovers) * 1000, statistics.median(uncontended) * 1000


def main() -> None:
    cpu_note()
    path = _fresh_store("writers.db")
    ctx = open_context(path, create=True)
    _saves_ms(ctx)  # warm up
    with_note = _saves_ms(ctx)
    renew, write, remove = busy.beat, busy._store_note, busy.remove_note
    busy.beat = lambda *_args: None  # type: ignore[assignment]
    busy._store_note = lambda *_args: None  # type: ignore[assignment]
    busy.remove_note = lambda *_args: None  # type: ignore[assignment]
    try:
        floor = _saves_ms(ctx)
    finally:
        busy.beat, busy._store_note, busy.remove_note = renew, write, remove
    ctx.close()
    line(f"a draft saved ({SAVES} saves), with the writer's note", f"{with_note:.2f} ms")
    line("the same without the note (floor)", f"{floor:.2f} ms ({with_note / floor:.2f}x)")
    handover, uncontended = _handover_ms(path)
    line(f"lock handed to a waiting writer after the commit (median of {HANDOVERS})", f"{handover:.1f} ms")
    line("an uncontended writer takes the lock in (floor)", f"{uncontended:.2f} ms")


if __name__ == "__main__":
    main()
