"""Stored times are naive UTC; the calendar date is the one on this computer's wall.

"Visits this month" and "overdue" mean what the people in the office see on their
calendar, so a date is derived from a UTC instant through the computer's time zone.
"""

from __future__ import annotations

import datetime as dt


def local_time(value: dt.datetime) -> dt.datetime:
    """A stored time (naive UTC) on the computer's clock, naive again."""
    return value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def local_date(value: dt.datetime) -> dt.date:
    """The computer's calendar date at a stored time (naive UTC)."""
    return local_time(value).date()
