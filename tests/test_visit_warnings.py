"""Warnings: values a visit may hold that usually are mistakes; the visit still saves."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.context import Context
from fieldkit.domain.validation import age_group_warning, age_span
from fieldkit.services.monitoring import get_visit, save_visit, validate_visit, visit_warnings
from fieldkit.services.monitoring_types import FollowUpData, PersonData, VisitData

VISIT_DAY = dt.date(2026, 3, 2)


def visit(people: tuple[PersonData, ...] = (), follow_ups: tuple[FollowUpData, ...] = ()) -> VisitData:
    return VisitData(
        title="Visit to Kamiti prison",
        visit_type="detention-visit",
        date_start=VISIT_DAY,
        confidentiality="internal",
        people=people,
        follow_ups=follow_ups,
    )


@pytest.mark.parametrize(
    ("code", "span"),
    [("child-0-11", (0, 11)), ("adult-18-59", (18, 59)), ("older-60-plus", (60, None)), ("unknown", None)],
)
def test_age_spans_are_read_from_the_codes(code: str, span: tuple[int, int | None] | None) -> None:
    assert age_span(code) == span


@pytest.mark.parametrize(
    ("age_group", "birth_year", "warned"),
    [
        ("child-0-11", 1980, True),
        ("adult-18-59", 2015, True),
        ("older-60-plus", 1990, True),
        ("adult-18-59", 2027, True),
        ("adult-18-59", 1980, False),
        # 18 or 17 at the visit, depending on the birthday: not a contradiction
        ("adult-18-59", 2008, False),
        ("adolescent-12-17", 2008, False),
        ("adolescent-12-17", 2009, False),
        ("adolescent-12-17", 2007, True),
        ("older-60-plus", 1966, False),
        ("unknown", 1900, False),
        ("adult-18-59", None, False),
    ],
)
def test_an_age_group_that_contradicts_the_birth_year(
    age_group: str, birth_year: int | None, warned: bool
) -> None:
    assert (age_group_warning(age_group, birth_year, VISIT_DAY) is not None) is warned


def test_warnings_are_keyed_like_errors_and_do_not_stop_the_save(ctx: Context) -> None:
    data = visit(
        people=(
            PersonData(code="V-1", age_group="adult-18-59", birth_year=1980),
            PersonData(code="V-2", age_group="child-0-11", birth_year=1980),
        ),
        follow_ups=(
            FollowUpData(action="Write", due_date=dt.date(2026, 3, 1)),
            FollowUpData(action="Call", due_date=VISIT_DAY),
            FollowUpData(action="Met", status="done", completed_on=dt.date(2026, 2, 1)),
        ),
    )
    warnings = visit_warnings(ctx, data)
    assert set(warnings) == {"people[1].age_group", "follow_ups[0].due_date", "follow_ups[2].completed_on"}
    assert "1980" in warnings["people[1].age_group"]
    assert validate_visit(ctx, data) == {}
    saved = save_visit(ctx, data).value
    assert visit_warnings(ctx, get_visit(ctx, saved.id or "")) == warnings


def test_a_visit_without_a_date_gets_no_date_warnings(ctx: Context) -> None:
    undated = VisitData(
        people=(PersonData(code="V-1", age_group="child-0-11", birth_year=1950),),
        follow_ups=(FollowUpData(action="Write", due_date=dt.date(2000, 1, 1)),),
    )
    assert visit_warnings(ctx, undated) == {}
