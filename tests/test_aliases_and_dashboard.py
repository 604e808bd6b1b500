"""Store helpers the sync and the home page rely on: merged-away ids, and the home page's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, select
from sync_offices import visit

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.domain.aliases import alias_map, repoint_references
from fieldkit.services.dashboard import DashboardCounts, dashboard_counts
from fieldkit.services.monitoring import delete_visit, save_visit
from fieldkit.services.monitoring_types import FollowUpData
from fieldkit.services.records import create_record, delete_record, get_record
from fieldkit.store.records import Involvement, Person, PersonIdentity
from fieldkit.store.system import ChangeLog

TODAY = dt.date(2026, 3, 15)


def alias(ctx: Context, record_type: str, alias_id: str, target_id: str) -> str:
    values = {"target_type": record_type, "alias_id": alias_id, "target_id": target_id}
    return str(create_record(ctx, "record_alias", values)["id"])


def organisation(ctx: Context, name: str) -> str:
    return str(create_record(ctx, "organisation", {"name": name})["id"])


def test_alias_map_follows_chains_of_merges_and_ignores_withdrawn_aliases(ctx: Context) -> None:
    first, second, third, other, kept = (organisation(ctx, n) for n in "ABCDE")
    alias(ctx, "organisation", first, second)
    alias(ctx, "organisation", second, third)  # ``second`` itself was merged later
    withdrawn = alias(ctx, "organisation", other, kept)
    delete_record(ctx, "record_alias", withdrawn)
    with unchecked(), ctx.store.read() as session:
        assert alias_map(session) == {first: third, second: third}


def test_alias_map_reads_opposite_merges_as_one_record_the_smallest_id(ctx: Context) -> None:
    first, second, joined = (organisation(ctx, n) for n in "ABC")
    alias(ctx, "organisation", first, second)
    alias(ctx, "organisation", second, first)  # another office merged the pair the other way
    alias(ctx, "organisation", joined, second)
    smallest, largest = sorted((first, second))
    with unchecked(), ctx.store.read() as session:
        assert alias_map(session) == {largest: smallest, joined: smallest}


def test_repoint_references_moves_every_reference_but_one_to_one_links(ctx: Context) -> None:
    v = save_visit(ctx, visit()).value
    assert v.id is not None
    with unchecked(), ctx.store.read() as session:
        old = session.execute(select(Involvement.person_id).where(Involvement.visit_id == v.id)).scalar_one()
    new = str(create_record(ctx, "person", {"code": "V-1"})["id"])
    ministry, justice = organisation(ctx, "Ministry"), organisation(ctx, "Ministry of Justice")
    coded = str(create_record(ctx, "person", {"code": "W-2", "organisation_id": ministry})["id"])
    with unchecked(), ctx.store.read() as session:
        changes_before = session.execute(select(func.count()).select_from(ChangeLog)).scalar_one()

    with unchecked(), ctx.store.write() as session:
        repoint_references(session, "person", old, new)
        repoint_references(session, "organisation", ministry, justice)

    with unchecked(), ctx.store.read() as session:
        involvement = session.execute(select(Involvement).where(Involvement.visit_id == v.id)).scalar_one()
        assert involvement.person_id == new
        # an identity belongs to exactly one person: it is not handed to the survivor
        identity = session.execute(select(PersonIdentity).where(PersonIdentity.person_id == old)).scalar_one()
        assert identity.full_name == "Omar Haddad"
        person = session.get(Person, coded)
        assert person is not None and person.organisation_id == justice
        # repointing follows an alias every office applies; it is not a change of its own
        assert session.execute(select(func.count()).select_from(ChangeLog)).scalar_one() == changes_before
        assert involvement.version == 1 and person.version == 1
    assert get_record(ctx, "organisation", ministry)["deleted"] is False  # merging tombstones, not this


def test_dashboard_counts_figures_of_the_home_page(ctx: Context) -> None:
    ctx.now = lambda: dt.datetime.combine(TODAY, dt.time(9, 0))

    def follow_up(days: int, status: str = "open") -> FollowUpData:
        done = TODAY if status == "done" else None
        return FollowUpData(action="Write", due_date=TODAY + dt.timedelta(days=days), status=status,
                            completed_on=done)  # fmt: skip

    this_month = save_visit(
        ctx,
        replace(
            visit(),
            date_start=TODAY.replace(day=2),
            follow_ups=(follow_up(-1), follow_up(3), follow_up(-5, "done")),
        ),
    ).value
    save_visit(
        ctx, replace(visit(), date_start=dt.date(2026, 2, 27), follow_ups=(follow_up(-9, "in-progress"),))
    )
    gone = save_visit(ctx, replace(visit(), date_start=TODAY, follow_ups=(follow_up(-2),))).value
    assert this_month.id is not None and gone.id is not None
    delete_visit(ctx, gone.id)
    assert dashboard_counts(ctx, TODAY) == DashboardCounts(
        visits_this_month=1, overdue_followups=2, open_followups=3, visits_total=2
    )
    assert dashboard_counts(ctx, dt.date(2026, 2, 28)).visits_this_month == 1
