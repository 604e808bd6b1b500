"""Deleting a visit takes what is part of it; restoring brings back exactly what went with it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sync_offices import exchange_all, offices

from fieldkit.context import Context
from fieldkit.domain.cascade import part_types
from fieldkit.errors import NotFound, ValidationError
from fieldkit.services.data import stats
from fieldkit.services.monitoring import add_attachment, delete_visit, get_visit, restore_visit, save_visit
from fieldkit.services.monitoring_types import FollowUpData, IncidentData, PersonData, VisitData
from fieldkit.services.records import create_record
from fieldkit.store.records import (
    Attachment,
    FollowUp,
    FollowUpRecommendation,
    Incident,
    Involvement,
    PersonIdentity,
)

CHILD_TYPES = (
    "incident",
    "involvement",
    "person",
    "person_identity",
    "follow_up",
    "follow_up_recommendation",
    "attachment",
)


def whole_visit(ctx: Context, title: str = "Visit to Kamiti prison") -> VisitData:
    recommendation = create_record(ctx, "recommendation", {"symbol": "CAT/C/KEN/CO/3", "text": "Access"})
    return VisitData(
        title=title,
        visit_type="detention-visit",
        date_start=dt.date(2026, 3, 2),
        confidentiality="confidential",
        incidents=(
            IncidentData(summary="Beating on arrival", violation_types=("torture",)),
            IncidentData(summary="No lawyer", violation_types=("arbitrary-detention",)),
        ),
        people=(
            PersonData(code="V-1", role="victim", sex="male", full_name="Omar Haddad", incident_index=0),
            PersonData(code="W-1", role="witness", sex="female", full_name="Amina Diallo"),
        ),
        follow_ups=(
            FollowUpData(action="Write to the director", recommendation_ids=(str(recommendation["id"]),)),
            FollowUpData(action="Visit again", due_date=dt.date(2026, 5, 1)),
        ),
    )


def live(ctx: Context) -> dict[str, int]:
    counts = stats(ctx)
    return {kind: counts[kind]["live"] for kind in CHILD_TYPES}


def children(visit: VisitData) -> tuple[object, ...]:
    return (visit.incidents, visit.people, visit.follow_ups, visit.attachments)


def test_the_parts_of_a_visit_come_from_the_declarations() -> None:
    assert {model for model, _field in part_types("monitoring_visit")} == {
        Incident,
        Involvement,
        FollowUp,
        Attachment,
    }
    assert (FollowUpRecommendation, "follow_up_id") in part_types("follow_up")
    assert (PersonIdentity, "person_id") in part_types("person")


def test_delete_then_restore_brings_every_child_back(ctx: Context, tmp_path: Path) -> None:
    saved = save_visit(ctx, whole_visit(ctx)).value
    photo = tmp_path / "cell.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    add_attachment(ctx, saved.id or "", photo, "Cell 4")
    before = get_visit(ctx, saved.id or "")
    counts = live(ctx)
    assert all(counts.values()), counts

    delete_visit(ctx, saved.id or "")
    assert set(live(ctx).values()) == {0}
    restore_visit(ctx, saved.id or "")

    after = get_visit(ctx, saved.id or "")
    assert children(after) == children(before)
    assert after.follow_ups[0].recommendation_ids == before.follow_ups[0].recommendation_ids != ()
    assert live(ctx) == counts


def test_children_deleted_earlier_on_their_own_stay_deleted(ctx: Context) -> None:
    saved = save_visit(ctx, whole_visit(ctx)).value
    # the user removes the second incident, the witness and the second follow-up, and saves
    trimmed = save_visit(
        ctx,
        dataclasses.replace(
            saved,
            incidents=saved.incidents[:1],
            people=saved.people[:1],
            follow_ups=saved.follow_ups[:1],
        ),
    ).value
    counts = live(ctx)
    delete_visit(ctx, saved.id or "")
    restore_visit(ctx, saved.id or "")
    after = get_visit(ctx, saved.id or "")
    assert children(after) == children(trimmed)
    assert [p.full_name for p in after.people] == ["Omar Haddad"]
    assert live(ctx) == counts


def test_a_second_deletion_restores_only_what_it_took(ctx: Context) -> None:
    saved = save_visit(ctx, whole_visit(ctx)).value
    delete_visit(ctx, saved.id or "")
    restore_visit(ctx, saved.id or "")
    restored = get_visit(ctx, saved.id or "")
    trimmed = save_visit(ctx, dataclasses.replace(restored, incidents=restored.incidents[1:])).value
    delete_visit(ctx, saved.id or "")
    restore_visit(ctx, saved.id or "")
    assert [i.summary for i in get_visit(ctx, saved.id or "").incidents] == ["No lawyer"]
    assert children(get_visit(ctx, saved.id or "")) == children(trimmed)


def test_a_person_in_another_visit_stays_through_the_deletion(ctx: Context) -> None:
    first = save_visit(ctx, whole_visit(ctx)).value
    other = whole_visit(ctx, "Second visit")
    person = dataclasses.replace(first.people[0], id=None, incident_index=None)
    second = save_visit(ctx, dataclasses.replace(other, people=(person,))).value
    delete_visit(ctx, first.id or "")
    assert [p.full_name for p in get_visit(ctx, second.id or "").people] == ["Omar Haddad"]
    restore_visit(ctx, first.id or "")
    assert [p.full_name for p in get_visit(ctx, first.id or "").people] == ["Omar Haddad", "Amina Diallo"]


def test_restoring_a_live_or_unknown_visit_is_refused(ctx: Context) -> None:
    saved = save_visit(ctx, whole_visit(ctx)).value
    with pytest.raises(ValidationError):
        restore_visit(ctx, saved.id or "")
    with pytest.raises(NotFound):
        restore_visit(ctx, "0190f0f0-0000-7000-8000-000000000000")


FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")


def without_identities(visit: VisitData) -> tuple[object, ...]:
    """The shared part of a visit's children: a region never receives who people are."""
    people = tuple(dataclasses.replace(p, full_name="", other_names="", contact="", address="", notes="")
                   for p in visit.people)  # fmt: skip
    return (visit.incidents, people, visit.follow_ups, visit.attachments)


def test_a_restore_syncs_and_the_partner_ends_with_the_same_children(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        nbo, roea = o["KE-NBO"], o["ROEA"]
        saved = save_visit(nbo, whole_visit(nbo)).value
        visit_id = saved.id or ""
        trimmed = save_visit(nbo, dataclasses.replace(saved, incidents=saved.incidents[:1])).value
        exchange_all(o, tmp_path)
        shared = live(roea)
        delete_visit(nbo, visit_id)
        exchange_all(o, tmp_path)
        assert get_visit(roea, visit_id, include_deleted=True).deleted
        assert live(roea)["incident"] == 0 and live(roea)["follow_up_recommendation"] == 0

        restore_visit(nbo, visit_id)
        exchange_all(o, tmp_path)
        assert children(get_visit(nbo, visit_id)) == children(trimmed)
        assert without_identities(get_visit(roea, visit_id)) == without_identities(trimmed)
        assert live(roea) == shared
        assert stats(roea)["incident"] == {"live": 1, "deleted": 1}


def test_a_restore_made_at_the_partner_that_received_the_deletion_converges(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        nbo, roea = o["KE-NBO"], o["ROEA"]
        saved = save_visit(nbo, whole_visit(nbo)).value
        visit_id = saved.id or ""
        # one incident removed on its own before the visit is deleted
        trimmed = save_visit(nbo, dataclasses.replace(saved, incidents=saved.incidents[:1])).value
        delete_visit(nbo, visit_id)
        exchange_all(o, tmp_path)
        assert live(roea)["incident"] == 0 and live(roea)["person"] == 0

        # the region knows what went with the visit from the change log it received
        restore_visit(roea, visit_id)
        exchange_all(o, tmp_path)
        at_field, at_region = get_visit(nbo, visit_id), get_visit(roea, visit_id)
        assert at_field == at_region
        assert without_identities(at_region) == without_identities(trimmed)
        assert stats(nbo)["incident"] == stats(roea)["incident"] == {"live": 1, "deleted": 1}
