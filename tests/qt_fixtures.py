"""Qt test fixtures, registered by the top-level conftest.

``no_thread_leaks`` fails a test that leaves background work running (napari's pattern): Qt's global
pool, our op lanes, undelivered ops and Python threads are compared before/after the test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.exceptions import TimeoutError as QtTimeoutError
from pytestqt.qtbot import QtBot

from ui import ops

LEAK_WAIT_MS = 3000  # work still finishing gets this long before it counts as leaked


@dataclass(frozen=True)
class ThreadSnapshot:
    global_pool: int
    lanes: dict[str, int]
    running_ops: int
    python_threads: frozenset[threading.Thread]


def thread_snapshot() -> ThreadSnapshot:
    # Qt pool threads that ever touched `threading` stay listed as _DummyThread for good (3.11),
    # so they are left out here; the pools themselves are counted directly.
    threads = frozenset(t for t in threading.enumerate() if not isinstance(t, threading._DummyThread))
    global_pool = QThreadPool.globalInstance().activeThreadCount()
    return ThreadSnapshot(global_pool, ops.pool_thread_counts(), ops.running_op_count(), threads)


def leaks_since(before: ThreadSnapshot) -> list[str]:
    """Human-readable leaks relative to ``before``; empty if none."""
    now = thread_snapshot()
    problems = []
    if now.global_pool > before.global_pool:
        problems.append(f"global QThreadPool: {now.global_pool} busy threads, {before.global_pool} before")
    for lane, count in now.lanes.items():
        if count > before.lanes.get(lane, 0):
            problems.append(f"ui.ops '{lane}' lane: {count} busy threads, {before.lanes.get(lane, 0)} before")
    if now.running_ops > before.running_ops:
        problems.append(f"ui.ops: {now.running_ops} ops not delivered, {before.running_ops} before")
    new_threads = sorted(t.name for t in now.python_threads - before.python_threads)
    if new_threads:
        problems.append(f"Python threads still alive: {', '.join(new_threads)}")
    return problems


def assert_no_thread_leaks(qtbot: QtBot, before: ThreadSnapshot, timeout_ms: int = LEAK_WAIT_MS) -> None:
    try:
        qtbot.waitUntil(lambda: not leaks_since(before), timeout=timeout_ms)
        return
    except QtTimeoutError:
        pass  # fail outside the except block: the timeout itself is noise in the report
    problems = leaks_since(before)
    ops.shutdown_ops(1000)  # do not let the leak spill into the next test
    details = "".join(f"\n  - {problem}" for problem in problems)
    pytest.fail(f"Test left background work running {timeout_ms} ms after it ended:{details}", pytrace=False)


@pytest.fixture
def no_thread_leaks(qtbot: QtBot) -> Iterator[None]:
    """Fail the test if threads or ops it started are still running shortly after it ends."""
    before = thread_snapshot()
    yield
    assert_no_thread_leaks(qtbot, before)


@pytest.fixture
def unthrottled_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every progress report reaches the GUI, however close together, so a test sees each value."""
    monkeypatch.setattr(ops, "PROGRESS_THROTTLE_S", 0.0)
