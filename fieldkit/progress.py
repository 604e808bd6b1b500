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


class Progress:
    """Thread-safe progress counter with a cancel flag.

    ``listener(done, total, label)`` is called from the worker thread; a GUI must
    forward it to its own thread (the ``ui.ops`` helper does).
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

    def check(self) -> None:
        """Raise ``Cancelled`` if cancellation was requested."""
        if self._cancel.is_set():
            raise Cancelled()

    def _emit(self) -> None:
        if self._listener is not None:
            self._listener(self.done, self.total, self.label)
