"""Every "today" comes from the context's clock: month boundaries, leap days, time zones."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from fixed_clock import SteppingClock

from fieldkit.context import Context
from fieldkit.services.dashboard import dashboard_counts
from fieldkit.services.monitoring import save_visit
from fieldkit.services.monitoring_types import FollowUpData, IncidentData, VisitData
from fieldkit.services.visit_list import VisitFilter, list_visits, overdue_followups, visits_in_month


def _wall_clock_at(year: int, month: int, day: int, hour: int, minute: int) -> SteppingClock:
    """A clock that reads this moment on the computer's own calendar (stored, like all times, as UTC)."""
    local = dt.datetime(year, month, day, hour, minute)
    return SteppingClock(local.astimezone(dt.UTC).replace(tzinfo=None))


def _visit(ctx: Context, start: dt.date, *due: dt.date) -> None:
    save_visit(
        ctx,
        VisitData(
            title=f"Visit of {start.isoformat()}",
            visit_type="detention-visit",
            date_start=start,
            confidentiality="internal",
            incidents=(IncidentData(summary="Beating", violation_types=("torture",)),),
            follow_ups=tuple(FollowUpData(action=f"due {d.isoformat()}", due_date=d) for d in due),
        ),
    )


def test_half_an_hour_into_a_month_last_month_is_not_this_month(ctx: Context) -> None:
    ctx.now = _wall_clock_at(2027, 3, 1, 0, 30)
    _visit(ctx, dt.date(2027, 2, 28), dt.date(2027, 2, 28), dt.date(2027, 3, 1))
    _visit(ctx, dt.date(2027, 3, 1))
    _visit(ctx, dt.date(2027, 3, 2))  # planned for tomorrow: not a visit of this month yet
    assert ctx.today() == dt.date(2027, 3, 1)
    assert visits_in_month(ctx) == 1
    assert dashboard_counts(ctx) == dashboard_counts(ctx, dt.date(2027, 3, 1))
    counts = dashboard_counts(ctx)
    assert (counts.visits_this_month, counts.visits_total) == (1, 3)
    assert (counts.overdue_followups, counts.open_followups) == (1, 2)
    late = overdue_followups(ctx)
    assert [(r.action, r.days_overdue) for r in late] == [("due 2027-02-28", 1)]
    assert list_visits(ctx, VisitFilter(followups="overdue")).total == 1


def test_on_a_leap_day_the_month_runs_from_the_first_to_the_29th(ctx: Context) -> None:
    ctx.now = _wall_clock_at(2028, 2, 29, 10, 0)
    _visit(ctx, dt.date(2028, 1, 31), dt.date(2028, 2, 28), dt.date(2028, 2, 29), dt.date(2028, 3, 1))
    _visit(ctx, dt.date(2028, 2, 1))
    _visit(ctx, dt.date(2028, 2, 29))
    _visit(ctx, dt.date(2028, 3, 1))
    counts = dashboard_counts(ctx)
    assert (counts.visits_this_month, counts.visits_total) == (2, 4)
    # due today is not overdue yet; due yesterday is, by one day
    assert (counts.overdue_followups, counts.open_followups) == (1, 3)
    assert [(r.action, r.days_overdue) for r in overdue_followups(ctx)] == [("due 2028-02-28", 1)]
    ctx.now = _wall_clock_at(2028, 3, 1, 0, 0)
    assert visits_in_month(ctx) == 1
    assert [r.days_overdue for r in overdue_followups(ctx)] == [2, 1]


@pytest.fixture
def time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Lets a test set ``TZ``; the process's zone is put back afterwards."""
    yield monkeypatch
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("zone", "date"),
    [
        ("Pacific/Auckland", dt.date(2028, 3, 1)),  # UTC+13 in February
        ("UTC", dt.date(2028, 2, 29)),
        ("America/Los_Angeles", dt.date(2028, 2, 29)),  # UTC-8: still the early morning
    ],
)
def test_today_is_the_computers_date_at_the_clocks_utc_time(
    ctx: Context, time_zone: pytest.MonkeyPatch, zone: str, date: dt.date
) -> None:
    time_zone.setenv("TZ", zone)
    time.tzset()
    ctx.now = lambda: dt.datetime(2028, 2, 29, 12, 0)
    assert ctx.today() == date
