"""Run store and I/O work off the GUI thread, with typed callbacks, progress and cancel.

    Op(self, lambda p: service.import_file(path, p)).with_progress(_("Importing…")) \\
        .on_success(self._imported).run()

``fn`` runs on a worker thread; every callback runs on the GUI thread. Store work shares one
single-thread pool (the "store lane"), so SQLite writes are serialised in submission order.
An op that waits for another program's write lock says so at once, with a way to stop waiting
(``fieldkit.store.busy``), unless it ``waits_quietly()``.
Modelled on Anki's ``QueryOp``/``CollectionOp``.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from typing import Any, Generic, Literal, Self, TypeVar

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QObject,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QMessageBox, QProgressBar, QProgressDialog, QWidget

from fieldkit.cli.private_log import redacted_traceback
from fieldkit.errors import describe_error
from fieldkit.i18n import _
from fieldkit.progress import Cancelled, Progress, ProgressListener
from fieldkit.store.busy import StoreWait, WaitAbandoned, report_waits
from ui.widgets import message_box

T = TypeVar("T")
Lane = Literal["store", "io"]

PROGRESS_DELAY_MS = 600  # quick ops never flash a dialog
PROGRESS_THROTTLE_S = 0.05  # a tight loop must not flood the GUI event queue
#: the object name of the timer that waits PROGRESS_DELAY_MS, so a test can let it run out now
PROGRESS_DELAY_TIMER = "fieldkit-progress-delay"
IO_THREADS = 4

_log = logging.getLogger(__name__)
_tokens = itertools.count(1)
_running: dict[int, OpHandle[Any]] = {}
_pools: dict[Lane, QThreadPool] = {}
_bridge: _Bridge | None = None
_orphan_boxes: set[QMessageBox] = set()  # parentless message boxes must stay referenced while open
_monotonic: Callable[[], float] = time.monotonic  # the throttle's clock; tests step it by hand


class _Bridge(QObject):
    """Long-lived GUI-thread relay. Workers emit here, never on a per-op object that the GUI
    thread could delete mid-emit; the queued connections hop the results onto the GUI thread."""

    progressed = Signal(int, int, int, str)  # token, done, total, label
    finished = Signal(int, bool, object)  # token, ok, result or exception
    waiting = Signal(int, str)  # token, what the op waits for ("" once the wait is over)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self.waiting.connect(self._on_waiting, Qt.ConnectionType.QueuedConnection)

    @Slot(int, int, int, str)
    def _on_progress(self, token: int, done: int, total: int, label: str) -> None:
        handle = _running.get(token)
        if handle is not None:
            handle._show_values(done, total, label)

    @Slot(int, str)
    def _on_waiting(self, token: int, message: str) -> None:
        handle = _running.get(token)
        if handle is not None:
            handle._show_waiting(message)

    @Slot(int, bool, object)
    def _on_finished(self, token: int, ok: bool, payload: object) -> None:
        handle = _running.pop(token, None)
        if handle is not None:
            handle._deliver(ok, payload)


def _lane_pool(lane: Lane) -> QThreadPool:
    global _bridge
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() != app.thread():
        raise RuntimeError("Op.run() must be called on the GUI thread of a running QApplication")
    if _bridge is None or not shiboken6.isValid(_bridge):
        _pools.clear()
        # Pools are created before the bridge so the app deletes (= joins) them first.
        lanes: tuple[tuple[Lane, int], ...] = (("store", 1), ("io", IO_THREADS))
        for name, threads in lanes:
            pool = QThreadPool(app)
            pool.setObjectName(f"fieldkit-{name}-lane")
            pool.setMaxThreadCount(threads)
            _pools[name] = pool
        _bridge = _Bridge(app)
    return _pools[lane]


def _throttled(token: int, bridge: _Bridge) -> ProgressListener:
    last_time = 0.0
    last_label = ""

    def listener(done: int, total: int, label: str) -> None:  # called on the worker thread
        nonlocal last_time, last_label
        now = _monotonic()
        if now - last_time >= PROGRESS_THROTTLE_S or label != last_label or (total and done >= total):
            last_time, last_label = now, label
            bridge.progressed.emit(token, done, total, label)

    return listener


class Op(Generic[T]):
    """Builder for one background operation; ``fn`` gets a ``Progress`` to report to and check."""

    def __init__(self, parent: QObject, fn: Callable[[Progress], T], *, lane: Lane = "store") -> None:
        self._parent = parent
        self._fn = fn
        self._lane: Lane = lane
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._cancelled: Callable[[], None] | None = None
        self._label: str | None = None  # None: no progress UI
        self._cancellable = True
        self._bar: QProgressBar | None = None
        self._quiet_wait = False

    def on_success(self, cb: Callable[[T], None]) -> Self:
        self._success = cb
        return self

    def on_failure(self, cb: Callable[[BaseException], None]) -> Self:
        self._failure = cb
        return self

    def on_cancel(self, cb: Callable[[], None]) -> Self:
        self._cancelled = cb
        return self

    def with_progress(self, label: str, *, cancellable: bool = True, bar: QProgressBar | None = None) -> Self:
        """Show progress if the op outlasts PROGRESS_DELAY_MS: in ``bar`` if given, else a dialog."""
        self._label, self._cancellable, self._bar = label, cancellable, bar
        return self

    def waits_quietly(self) -> Self:
        """Wait for another program's write lock without showing it: for background work
        such as autosaved drafts, which must not cover the form being typed in."""
        self._quiet_wait = True
        return self

    def run(self) -> OpHandle[T]:
        pool = _lane_pool(self._lane)
        assert _bridge is not None
        handle = OpHandle(self, next(_tokens), _bridge)
        _running[handle.token] = handle
        pool.start(handle._work)
        if self._label is not None:
            delay = QTimer(self._parent, singleShot=True)
            delay.setObjectName(PROGRESS_DELAY_TIMER)
            # a lambda, not the bound method: PySide6 does not keep the handle alive for the timer
            delay.timeout.connect(lambda: handle._show_ui())
            delay.timeout.connect(delay.deleteLater)
            delay.start(PROGRESS_DELAY_MS)
        return handle


class OpHandle(Generic[T]):
    """A started op: lets the caller cancel it or ask whether it has finished."""

    def __init__(self, op: Op[T], token: int, bridge: _Bridge) -> None:
        self.token = token
        self.progress = Progress(_throttled(token, bridge))
        self._op = op
        self._bridge = bridge
        self._finished = False
        self._abandoned = False
        self._dialog: QProgressDialog | None = None
        self._bar: QProgressBar | None = None
        self._values = (0, 0, "")
        self._waiting = ""  # what the op waits for, while it waits for the store
        # A closed window cannot show the result, so ask the work to stop early.
        self._on_destroyed = op._parent.destroyed.connect(self.progress.cancel)

    @property
    def finished(self) -> bool:
        """True once the outcome reached the GUI thread (callbacks ran or were skipped)."""
        return self._finished

    def cancel(self) -> None:
        self.progress.cancel()
        if self._dialog is not None and shiboken6.isValid(self._dialog):
            self._dialog.setLabelText(_("Cancelling…"))

    def _work(self) -> None:  # worker thread: touch no widget here
        payload: object
        try:
            with report_waits(self._store_wait):
                ok, payload = True, self._op._fn(self.progress)
        except BaseException as exc:  # everything goes back to the GUI thread, nothing is lost
            ok, payload = False, exc
        self._bridge.finished.emit(self.token, ok, payload)

    def _store_wait(self, wait: StoreWait | None) -> None:  # worker thread
        if wait is not None:
            self.progress.check()  # the user stopped waiting
        self._bridge.waiting.emit(self.token, wait.message() if wait is not None else "")

    def _show_ui(self) -> None:
        op = self._op
        if self._finished or self._abandoned or not shiboken6.isValid(op._parent) or self._bar is not None:
            return
        if op._bar is not None:
            self._bar = op._bar
            self._bar.show()
        else:
            self._open_dialog()
        self._show_values(*self._values)
        if self.progress.cancelled:
            self.cancel()

    def _open_dialog(self) -> None:
        op = self._op
        window = op._parent if isinstance(op._parent, QWidget) else None
        dialog = QProgressDialog(window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        # Values go to our own bar: QProgressDialog.setValue() on a modal dialog calls processEvents().
        self._bar = QProgressBar(dialog)
        self._bar.setFormat("%p%")  # a share: steps may be packets, batches or records
        dialog.setBar(self._bar)
        if op._cancellable:
            dialog.setCancelButtonText(_("Cancel"))
        else:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self._dialog_cancelled)
        self._dialog = dialog
        dialog.show()

    def _dialog_cancelled(self) -> None:
        # Escape reaches here too: work that cannot stop is stopped only while it has not begun
        if self._op._cancellable or self._waiting:
            self.cancel()

    def _show_waiting(self, message: str) -> None:
        op = self._op
        if op._quiet_wait or self._finished or self._abandoned or not shiboken6.isValid(op._parent):
            return
        self._waiting = message
        dialog = self._dialog if self._dialog is not None and shiboken6.isValid(self._dialog) else None
        if message:
            if dialog is None:
                if self._bar is not None and shiboken6.isValid(self._bar):
                    self._bar.hide()  # a caller's bar has no room for the note and its button
                self._open_dialog()
                dialog = self._dialog
            assert dialog is not None
            if not self.progress.cancelled:
                dialog.setCancelButtonText(_("Stop waiting"))
        elif dialog is not None:
            if op._label is None and op._bar is None:
                self._close_ui()  # it was opened for the wait alone
                return
            if op._cancellable:
                dialog.setCancelButtonText(_("Cancel"))
            else:
                dialog.setCancelButton(None)
        self._show_values(*self._values)

    def _show_values(self, done: int, total: int, label: str) -> None:
        self._values = (done, total, label)
        bar = self._bar
        if bar is None or not shiboken6.isValid(bar):
            return
        if self._waiting:
            total = done = 0  # busy indicator: nobody knows how long the other program needs
        bar.setRange(0, max(total, 0))  # 0..0 = busy indicator while the total is unknown
        bar.setValue(min(done, total) if total > 0 else 0)
        if self._dialog is not None and not self.progress.cancelled:
            self._dialog.setLabelText(self._waiting or label or self._op._label or "")

    def _close_ui(self) -> None:
        if self._dialog is not None and shiboken6.isValid(self._dialog):
            self._dialog.hide()  # hide(), not close(): closing emits canceled
            self._dialog.deleteLater()
        elif self._bar is not None and shiboken6.isValid(self._bar):
            self._bar.reset()
            self._bar.hide()
        self._dialog = self._bar = None

    def _abandon(self) -> None:
        self._abandoned = True
        self.progress.cancel()
        self._close_ui()

    def _deliver(self, ok: bool, payload: Any) -> None:
        self._finished = True
        self._close_ui()
        op = self._op
        if not shiboken6.isValid(op._parent):
            return  # the window is gone: nobody to tell, and touching it would crash
        QObject.disconnect(self._on_destroyed)
        if self._abandoned:
            return
        if ok:
            if op._success is not None:
                op._success(payload)
        elif isinstance(payload, WaitAbandoned) and op._cancelled is None:
            # not a cancel the caller planned for: it must learn that nothing was written
            (op._failure or (lambda exc: show_failure(op._parent, exc)))(payload)
        elif isinstance(payload, Cancelled):
            if op._cancelled is not None:
                op._cancelled()
        elif op._failure is not None:
            _log.info("Operation failed; handled by caller\n%s", redacted_traceback(payload))
            op._failure(payload)
        else:
            show_failure(op._parent, payload)


def show_failure(parent: QObject, exc: BaseException) -> None:
    """Default failure handler: the message for the user, the traceback for the log."""
    _log.error("Operation failed\n%s", redacted_traceback(exc))  # the exception's text may quote values
    window = parent if isinstance(parent, QWidget) else None
    text = describe_error(exc)
    box = message_box(window, QMessageBox.Icon.Warning, _("Operation failed"), text)
    if window is None:
        _orphan_boxes.add(box)
        box.finished.connect(lambda _result: _orphan_boxes.discard(box))
    box.open()  # not exec(): no nested event loop


def shutdown_ops(timeout_ms: int = 5000) -> bool:
    """Cancel every running op, drop its callbacks and wait for the pools; for close/aboutToQuit.

    Returns False if some work was still running after ``timeout_ms``.
    """
    for handle in list(_running.values()):
        handle._abandon()
    deadline = QDeadlineTimer(timeout_ms)
    done = all([pool.waitForDone(deadline) for pool in _pools.values() if shiboken6.isValid(pool)])
    if not done:
        _log.warning("Background work still running after %d ms at shutdown", timeout_ms)
    return done


def running_op_count() -> int:
    """Ops started whose outcome has not reached the GUI thread yet."""
    return len(_running)


def pool_thread_counts() -> dict[str, int]:
    """Busy threads per lane (for leak checks in tests)."""
    return {lane: pool.activeThreadCount() for lane, pool in _pools.items() if shiboken6.isValid(pool)}
