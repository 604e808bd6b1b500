"""Progress reporting and cancellation for long operations, without Qt.

Long operations in the core (imports, exports, demo generation, reports) take a
``Progress`` and call ``step()``/``set_total()`` as they go. A GUI adapts it to a
progress bar; the CLI may print; tests pass ``Progress()`` which does nothing.
``check()`` raises ``Cancelled`` once someone asked to stop, so the operation can
unwind and roll back its transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """Raised inside an operation when the user cancelled it."""


ProgressListener = Callable[[int, int, str], None]

#: a listener gets at least this many units over the whole bar, so that work inside one of a
#: few steps (``within_step``) moves it too; long counts pass as they are
_RESOLUTION = 1000


class Progress:
    """Thread-safe progress counter with a cancel flag.

    ``listener(done, total, label)`` is called from the worker thread; a GUI must
    forward it to its own thread (the ``ui.ops`` helper does). Only ``done / total``
    means anything to a listener.
    """

    def __init__(self, listener: ProgressListener | None = None) -> None:
        self._listener = listener
        self._cancel = threading.Event()
        self.done = 0
        self.total = 0
        self.label = ""

    def set_total(self, total: int, label: str | None = None) -> None:
        self.total = total
        self.done = 0
        if label is not None:
            self.label = label
        self._emit()

    def step(self, amount: int = 1) -> None:
        self.check()
        self.done += amount
        self._emit()

    def set_label(self, label: str) -> None:
        self.label = label
        self._emit()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def within_step(self) -> Progress:
        """Progress for the work of the current step (one packet of several, say): it moves
        this one's bar inside the step, and shares its cancel flag."""
        child = Progress(self._emit_within)
        child._cancel = self._cancel
        return child

    def _emit_within(self, done: int, total: int, label: str) -> None:
        self._emit(min(done / total, 1.0) if total > 0 else 0.0, label)

    def check(self) -> None:
        """Raise ``Cancelled`` if cancellation was requested."""
        if self._cancel.is_set():
            raise Cancelled()

    def _emit(self, within: float = 0.0, label: str = "") -> None:
        if self._listener is not None:
            scale = max(1, _RESOLUTION // max(self.total, 1))
            self._listener(round((self.done + within) * scale), self.total * scale, label or self.label)
