"""A fixed clock for test stores, so that no test depends on the day it runs."""

from __future__ import annotations

import datetime as dt
import itertools

#: a mid-month day, read at noon on the computer's calendar: the same date in every time zone
FIXED_DAY = dt.date(2026, 5, 20)
FIXED_NOW = dt.datetime.combine(FIXED_DAY, dt.time(12)).astimezone(dt.UTC).replace(tzinfo=None)


class SteppingClock:
    """Reads ``start``, then one millisecond later at each reading, so records keep the order they
    were made in (ids and ``updated_at`` sort by time) and "today" stays ``start``'s date."""

    def __init__(self, start: dt.datetime = FIXED_NOW) -> None:
        self._start = start
        self._ticks = itertools.count()  # next() on a count is atomic: the store lane reads it too

    def __call__(self) -> dt.datetime:
        return self._start + dt.timedelta(milliseconds=next(self._ticks))
