"""ui.ops: results on the GUI thread, failures, cancel, delayed progress, the store lane, teardown."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import errno
import logging
import threading
from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressBar, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from fieldkit.progress import Cancelled, Progress
from ui import ops
from ui.ops import Op

pytest_plugins = ["qt_fixtures"]  # until the top-level conftest registers it
pytestmark = pytest.mark.usefixtures("no_thread_leaks")

WAIT_MS = 10_000


def _window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _is_gui_thread() -> bool:
    app = QCoreApplication.instance()
    assert app is not None
    return QThread.currentThread() == app.thread() and threading.current_thread() is threading.main_thread()


#: every release of a blocked body a test made; set when the test ends, whatever happened in it
_RELEASES: list[threading.Event] = []


@pytest.fixture(autouse=True)
def _release_blocked_work() -> Iterator[None]:
    """A test that fails while its body is blocked must not leave the store lane busy for the
    tests after it (each would then time out waiting for its own op)."""
    yield
    for release in _RELEASES:
        release.set()
    _RELEASES.clear()


def _blocked_until(
    release: threading.Event, started: threading.Event | None = None
) -> Callable[[Progress], str]:
    """An op body that keeps checking for cancellation until released."""
    _RELEASES.append(release)

    def fn(progress: Progress) -> str:
        progress.set_total(10, "Counting")
        for _ in range(3):
            progress.step()
        if started is not None:
            started.set()
        while not release.wait(0.005):
            progress.check()
        return "released"

    return fn


def _expire_progress_delay(qtbot: QtBot, parent: QWidget) -> None:
    """Let the op's progress delay run out now, however long it is set to be."""
    (delay,) = parent.findChildren(QTimer, ops.PROGRESS_DELAY_TIMER)
    assert delay.isActive() and delay.interval() == ops.PROGRESS_DELAY_MS
    delay.start(0)
    qtbot.waitUntil(lambda: not parent.findChildren(QTimer, ops.PROGRESS_DELAY_TIMER), timeout=WAIT_MS)


def _dialog(parent: QWidget) -> QProgressDialog | None:
    dialogs = [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]
    return dialogs[0] if dialogs else None


def test_fn_runs_off_the_gui_thread_and_success_on_it(qtbot: QtBot) -> None:
    seen: dict[str, bool] = {}

    def fn(progress: Progress) -> int:
        seen["fn_on_gui"] = _is_gui_thread()
        return 42

    def success(value: int) -> None:
        seen["success_on_gui"] = _is_gui_thread()
        results.append(value)

    results: list[int] = []
    handle = Op(_window(qtbot), fn).on_success(success).run()
    qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    assert results == [42]
    assert seen == {"fn_on_gui": False, "success_on_gui": True}


def test_failure_goes_to_on_failure(qtbot: QtBot) -> None:
    def fn(progress: Progress) -> int:
        raise ValueError("bad input")

    successes: list[int] = []
    with qtbot.waitCallback(timeout=WAIT_MS) as failed:
        Op(_window(qtbot), fn).on_success(successes.append).on_failure(failed).run()
    assert isinstance(failed.args[0], ValueError)
    assert str(failed.args[0]) == "bad input"
    assert successes == []


def test_default_failure_shows_the_message_and_logs_the_traceback(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    def fn(progress: Progress) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    window = _window(qtbot)
    with caplog.at_level(logging.ERROR, logger="ui.ops"):
        handle = Op(window, fn).run()
        qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    box = window.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    assert box.text() == "It could not be done: the disk is full."  # in words, not the system's
    assert "Traceback" not in box.text() + box.informativeText() + box.detailedText()
    # the log has the traceback's places and the exception's kind, never its text
    messages = [r.getMessage() for r in caplog.records]
    assert any("Traceback" in m and "OSError: errno 28" in m for m in messages)
    assert "OSError: [Errno" not in caplog.text
    box.close()


def test_cancel_through_progress_ends_in_on_cancel(qtbot: QtBot) -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []
    op = Op(_window(qtbot), _blocked_until(release, started))
    op.on_success(lambda _: calls.append("success")).on_failure(lambda _: calls.append("failure"))
    handle = op.on_cancel(lambda: calls.append("cancel")).run()
    assert started.wait(WAIT_MS / 1000)
    handle.cancel()
    qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    assert calls == ["cancel"]


def test_cancelled_raised_by_the_core_is_not_a_failure(qtbot: QtBot) -> None:
    def fn(progress: Progress) -> None:
        raise Cancelled()

    with qtbot.waitCallback(timeout=WAIT_MS) as cancelled:
        Op(_window(qtbot), fn).on_failure(lambda e: pytest.fail(f"failure: {e!r}")).on_cancel(cancelled).run()
    assert cancelled.called


def test_quick_op_shows_no_progress_dialog(qtbot: QtBot) -> None:
    window = _window(qtbot)
    handle = Op(window, lambda p: 1).with_progress("Quick").run()
    assert window.findChildren(QProgressDialog) == []
    qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    _expire_progress_delay(qtbot, window)  # the op was done before its delay ran out
    assert window.findChildren(QProgressDialog) == []


@pytest.mark.usefixtures("unthrottled_progress")
def test_slow_op_shows_progress_after_the_delay_and_its_cancel_works(qtbot: QtBot) -> None:
    window = _window(qtbot)
    release, started = threading.Event(), threading.Event()
    cancelled: list[bool] = []
    handle = (
        Op(window, _blocked_until(release, started))
        .with_progress("Importing")
        .on_cancel(lambda: cancelled.append(True))
        .run()
    )
    assert started.wait(WAIT_MS / 1000)
    QCoreApplication.processEvents()
    assert _dialog(window) is None  # the work runs, but the delay has not run out
    _expire_progress_delay(qtbot, window)
    dialog = _dialog(window)
    assert dialog is not None
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    # 3 of 10 steps (the bar counts in finer units: only the share matters)
    qtbot.waitUntil(
        lambda: dialog.labelText() == "Counting" and dialog.value() * 10 == dialog.maximum() * 3 > 0,
        timeout=WAIT_MS,
    )
    button = dialog.findChild(QPushButton)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    assert cancelled == [True]
    assert _dialog(window) is None


@pytest.mark.usefixtures("unthrottled_progress")
def test_caller_supplied_bar_is_shown_while_slow_work_runs(qtbot: QtBot) -> None:
    window = _window(qtbot)
    bar = QProgressBar(window)
    bar.hide()
    release = threading.Event()
    handle = Op(window, _blocked_until(release)).with_progress("Sync", bar=bar).run()
    _expire_progress_delay(qtbot, window)
    qtbot.waitUntil(lambda: bar.isVisible() and bar.value() * 10 == bar.maximum() * 3 > 0, timeout=WAIT_MS)
    assert window.findChildren(QProgressDialog) == []
    release.set()
    qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    assert not bar.isVisible()


def test_progress_updates_are_throttled(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    seconds = [0.0]
    monkeypatch.setattr(ops, "_monotonic", lambda: seconds[0])
    connected = threading.Event()

    def fn(progress: Progress) -> int:
        assert connected.wait(WAIT_MS / 1000)
        progress.set_total(5_000, "Many steps")
        for n in range(1, 5_001):
            seconds[0] = float(n // 100)  # a whole second, far more than the throttle, every 100 steps
            progress.step()
        return progress.done

    handle = Op(_window(qtbot), fn).run()
    emitted: list[int] = []
    assert ops._bridge is not None
    connection = ops._bridge.progressed.connect(lambda token, done, total, label: emitted.append(done))
    connected.set()
    qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    QObject.disconnect(connection)
    # the new label, then one update per throttle period; the last one is the final count
    assert emitted == list(range(0, 5_001, 100))


def test_store_lane_runs_ops_one_at_a_time_in_order(qtbot: QtBot) -> None:
    lock = threading.Lock()
    active, peak = [0], [0]
    started: list[int] = []
    succeeded: list[int] = []

    submitted = threading.Event()

    def work(n: int) -> Callable[[Progress], int]:
        def fn(progress: Progress) -> int:
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
                started.append(n)
            # the first holds the lane until every op is queued: a second thread would take the next
            assert submitted.wait(WAIT_MS / 1000)
            with lock:
                active[0] -= 1
            return n

        return fn

    window = _window(qtbot)
    handles = [Op(window, work(n)).on_success(succeeded.append).run() for n in range(6)]
    submitted.set()
    qtbot.waitUntil(lambda: all(h.finished for h in handles), timeout=WAIT_MS)
    assert started == succeeded == list(range(6))
    assert peak[0] == 1


def test_io_lane_does_not_wait_for_the_store_lane(qtbot: QtBot) -> None:
    window = _window(qtbot)
    release = threading.Event()
    store_handle = Op(window, _blocked_until(release)).run()
    with qtbot.waitCallback(timeout=WAIT_MS) as io_done:
        Op(window, lambda p: "io", lane="io").on_success(io_done).run()
    assert io_done.args == ["io"]
    assert not store_handle.finished
    release.set()
    qtbot.waitUntil(lambda: store_handle.finished, timeout=WAIT_MS)


@pytest.mark.parametrize("with_dialog", [False, True])
def test_deleted_parent_gets_no_callbacks_and_cancels_the_work(qtbot: QtBot, with_dialog: bool) -> None:
    parent = QWidget()
    parent.show()
    calls: list[str] = []
    release = threading.Event()

    def fn(progress: Progress) -> int:
        release.wait(WAIT_MS / 1000)
        return 1

    op = Op(parent, fn).on_success(lambda _: calls.append("success"))
    op.on_cancel(lambda: calls.append("cancel"))
    if with_dialog:
        op.with_progress("Working")
    handle = op.run()
    if with_dialog:
        _expire_progress_delay(qtbot, parent)
        assert _dialog(parent) is not None
    shiboken6.delete(parent)
    assert handle.progress.cancelled  # the work is asked to stop: nobody is left to see the result
    release.set()
    qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    assert calls == []  # the outcome has arrived: any callback would have run by now


def test_shutdown_cancels_waits_and_drops_callbacks(qtbot: QtBot) -> None:
    started = threading.Event()
    calls: list[str] = []
    handle = (
        Op(_window(qtbot), _blocked_until(threading.Event(), started))
        .on_cancel(lambda: calls.append("cancel"))
        .run()
    )
    assert started.wait(WAIT_MS / 1000)
    assert ops.shutdown_ops(WAIT_MS) is True
    assert ops.pool_thread_counts() == {"store": 0, "io": 0}
    qtbot.waitUntil(lambda: handle.finished, timeout=WAIT_MS)
    assert calls == []


def test_run_off_the_gui_thread_is_refused(qtbot: QtBot) -> None:
    window = _window(qtbot)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Op(window, lambda p: 1).run()
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=start)
    thread.start()
    thread.join(WAIT_MS / 1000)
    assert len(errors) == 1


def test_leak_check_reports_work_still_running(qtbot: QtBot) -> None:
    from qt_fixtures import assert_no_thread_leaks, thread_snapshot

    before = thread_snapshot()
    release = threading.Event()
    thread = threading.Thread(target=release.wait, name="forgotten-worker")
    thread.start()
    Op(_window(qtbot), _blocked_until(release)).run()
    try:
        with pytest.raises(pytest.fail.Exception) as failure:
            assert_no_thread_leaks(qtbot, before, timeout_ms=100)
        assert "forgotten-worker" in str(failure.value)
        assert "'store' lane: 1 busy threads" in str(failure.value)
    finally:
        release.set()
        thread.join()
