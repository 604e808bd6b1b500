"""A record's confidentiality and the identifying fields reach only users cleared for them:
in lists, counts, search, reads, exports and duplicates alike."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from clearance_users import as_user
from fixed_clock import FIXED_DAY

from fieldkit.context import Context
from fieldkit.errors import NotFound, ValidationError
from fieldkit.opening import open_context
from fieldkit.services.dashboard import dashboard_counts, longest_overdue
from fieldkit.services.data import export_data, stats
from fieldkit.services.monitoring import add_attachment, attachment_bytes, get_visit, save_visit
from fieldkit.services.monitoring_types import FollowUpData, IncidentData, PersonData, VisitData, VisitFilter
from fieldkit.services.office import init_office
from fieldkit.services.people import find_duplicates
from fieldkit.services.records import create_record, get_record, update_record
from fieldkit.services.search import search_records
from fieldkit.services.visit_list import (
    count_overdue,
    list_visits,
    overdue_page,
    visit_ids,
    visit_rows,
    visits_in_month,
)
from fieldkit.store.clearance import REDACTED, RestrictedFieldsDenied, may_see_restricted
from fieldkit.store.registry import confidentiality_path, restricted_fields

#: a word only the strictly confidential visit's incident holds
SECRET_WORD = "Zanzibarite"


def visit(title: str, level: str, *, incident: str = "Allegation", name: str = "Omar Haddad") -> VisitData:
    return VisitData(
        title=title,
        visit_type="detention-visit",
        date_start=FIXED_DAY.replace(day=2),
        confidentiality=level,
        narrative="Overcrowding in block C.",
        incidents=(IncidentData(summary=incident, violation_types=("torture",)),),
        people=(PersonData(code="V-1", role="victim", full_name=name, contact="+254 700 000"),),
        follow_ups=(FollowUpData(action="Write to the director", due_date=FIXED_DAY - dt.timedelta(10)),),
    )


@pytest.fixture
def levels(ctx: Context) -> dict[str, str]:
    """One visit per level, each with an incident, a person and an overdue follow-up."""
    made = {
        "public": visit("Public visit", "public"),
        "internal": visit("Internal visit", "internal"),
        "confidential": visit("Confidential visit", "confidential"),
        "strictly-confidential": visit(
            "Secret visit", "strictly-confidential", incident=f"{SECRET_WORD} cell", name="Amina Yusuf"
        ),
    }
    return {level: save_visit(ctx, data).value.id or "" for level, data in made.items()}


def test_the_monitoring_list_neither_shows_nor_counts_visits_above_the_clearance(
    ctx: Context, levels: dict[str, str]
) -> None:
    reader = as_user(ctx, "internal")
    page = list_visits(reader)
    assert sorted(r.title for r in page.rows) == ["Internal visit", "Public visit"]
    assert page.total == 2
    assert list_visits(ctx).total == 4
    assert set(visit_ids(reader)) == {levels["public"], levels["internal"]}
    # reading rows by id does not bring back a hidden one either
    assert [r.id for r in visit_rows(reader, list(levels.values()))] == [levels["public"], levels["internal"]]
    # nor does asking for the level by name
    assert list_visits(reader, VisitFilter(confidentiality=("strictly-confidential",))).total == 0
    cleared = as_user(ctx, "confidential")
    assert list_visits(cleared).total == 3


def test_a_search_by_an_uncleared_user_neither_shows_nor_counts_confidential_visits(
    ctx: Context, levels: dict[str, str]
) -> None:
    reader = as_user(ctx, "internal")
    # the visit is found by its incident's word for someone cleared, and by no one else
    assert [h.record_id for h in search_records(ctx, SECRET_WORD)] == [levels["strictly-confidential"]]
    assert search_records(reader, SECRET_WORD) == []
    assert list_visits(reader, VisitFilter(text=SECRET_WORD)).total == 0
    assert list_visits(ctx, VisitFilter(text=SECRET_WORD)).total == 1
    # words every visit holds find the ones the reader may see, and count only those
    hits = search_records(reader, "Overcrowding")
    assert {h.record_id for h in hits} == {levels["public"], levels["internal"]}
    assert list_visits(reader, VisitFilter(text="Overcrowding")).total == 2
    assert len(search_records(as_user(ctx, "confidential"), "Overcrowding")) == 3


def test_counts_and_overdue_follow_ups_leave_hidden_visits_out(ctx: Context, levels: dict[str, str]) -> None:
    reader = as_user(ctx, "public")
    counts = dashboard_counts(reader)
    assert (counts.visits_total, counts.visits_this_month) == (1, 1)
    assert (counts.open_followups, counts.overdue_followups) == (1, 1)
    everything = dashboard_counts(ctx)
    assert (everything.visits_total, everything.open_followups, everything.overdue_followups) == (4, 4, 4)
    assert visits_in_month(reader) == 1
    assert count_overdue(reader) == 1
    page = overdue_page(reader)
    assert page.total == 1 and [r.visit_id for r in page.rows] == [levels["public"]]
    assert [r.visit_id for r in longest_overdue(reader)] == [levels["public"]]
    per_type = stats(reader)
    assert per_type["monitoring_visit"]["live"] == 1
    for child in ("incident", "follow_up", "involvement"):
        assert per_type[child]["live"] == 1, child
    assert stats(ctx)["incident"]["live"] == 4


def test_a_hidden_visit_is_missing_in_the_same_words_as_one_that_does_not_exist(
    ctx: Context, levels: dict[str, str]
) -> None:
    reader = as_user(ctx, "internal")
    hidden = levels["confidential"]
    with pytest.raises(NotFound) as seen_hidden:
        get_visit(reader, hidden)
    missing = "0190a0a0-0000-7000-8000-000000000000"
    with pytest.raises(NotFound) as seen_missing:
        get_visit(reader, missing)
    assert str(seen_hidden.value).replace(hidden, "ID") == str(seen_missing.value).replace(missing, "ID")
    assert get_visit(ctx, hidden).title == "Confidential visit"
    incident = get_visit(ctx, hidden).incidents[0].id or ""
    with pytest.raises(NotFound):
        get_record(reader, "incident", incident)
    with pytest.raises(NotFound):
        update_record(reader, "monitoring_visit", hidden, {"narrative": "Seen after all"})
    with pytest.raises(NotFound):  # no incident can be added to it through its id either
        create_record(reader, "incident", {"visit_id": hidden, "violation_types": ["torture"]})
    with pytest.raises(NotFound):
        save_visit(reader, dataclasses.replace(get_visit(ctx, hidden), narrative="Overwritten"))
    assert get_visit(ctx, hidden).narrative == "Overcrowding in block C."
    assert stats(ctx)["incident"]["live"] == 4


def test_a_user_cannot_file_a_visit_above_their_own_clearance(ctx: Context, levels: dict[str, str]) -> None:
    reader = as_user(ctx, "internal")
    with pytest.raises(ValidationError) as refused:
        save_visit(reader, visit("Too secret", "confidential"))
    assert "confidentiality" in refused.value.fields
    with pytest.raises(ValidationError):
        update_record(reader, "monitoring_visit", levels["internal"], {"confidentiality": "confidential"})
    assert get_visit(ctx, levels["internal"]).confidentiality == "internal"
    assert list_visits(ctx).total == 4


def test_identifying_details_are_redacted_for_users_who_may_not_see_them(
    ctx: Context, levels: dict[str, str]
) -> None:
    reader = as_user(ctx, "internal")
    assert not may_see_restricted(reader.principal)
    assert may_see_restricted(as_user(ctx, "confidential").principal)
    person = get_visit(reader, levels["internal"]).people[0]
    assert (person.code, person.full_name, person.contact, person.address) == ("V-1", REDACTED, REDACTED, "")
    assert get_visit(as_user(ctx, "confidential"), levels["internal"]).people[0].full_name == "Omar Haddad"
    # saving what the reader was shown keeps the stored details, and changes what they changed
    shown = get_visit(reader, levels["internal"])
    saved = save_visit(reader, dataclasses.replace(shown, narrative="Revisited")).value
    assert saved.people[0].full_name == REDACTED
    stored = get_visit(ctx, levels["internal"])
    assert stored.narrative == "Revisited"
    assert (stored.people[0].full_name, stored.people[0].contact) == ("Omar Haddad", "+254 700 000")
    identity = create_record(ctx, "organisation", {"name": "Ministry of Justice"})
    assert get_record(reader, "organisation", identity["id"])["name"] == "Ministry of Justice"


def test_participants_names_and_contacts_are_restricted(ctx: Context) -> None:
    assert restricted_fields("participant") == {"full_name", "email", "phone"}
    for name in ("Grace Wanjiru", "Grace Wanjiru"):
        create_record(ctx, "participant", {"full_name": name, "email": "grace@example.org", "sex": "female"})
    reader = as_user(ctx, "internal")
    (pair,) = find_duplicates(reader, "participant")
    assert (pair.first.name, pair.second.name) == (REDACTED, REDACTED)
    (pair,) = find_duplicates(ctx, "participant")
    assert pair.first.name == "Grace Wanjiru"
    participant = get_record(reader, "participant", pair.first.id)
    assert (participant["full_name"], participant["email"], participant["phone"]) == (REDACTED, REDACTED, "")


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_an_export_leaves_out_hidden_records_and_identities_unless_the_user_may_see_them(
    ctx: Context, levels: dict[str, str], tmp_path: Path
) -> None:
    create_record(ctx, "participant", {"full_name": "Grace Wanjiru", "phone": "+254 711 111"})
    reader = as_user(ctx, "internal")
    export_data(reader, "jsonl", tmp_path / "reader")
    visits = _jsonl(tmp_path / "reader" / "monitoring_visit.jsonl")
    assert sorted(str(v["title"]) for v in visits) == ["Internal visit", "Public visit"]
    for child in ("incident", "follow_up", "involvement"):
        rows = _jsonl(tmp_path / "reader" / f"{child}.jsonl")
        assert {r["visit_id"] for r in rows} == {levels["public"], levels["internal"]}, child
    assert SECRET_WORD not in "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "reader").iterdir())
    (participant,) = _jsonl(tmp_path / "reader" / "participant.jsonl")
    assert (participant["full_name"], participant["phone"]) == (REDACTED, REDACTED)
    identities = _jsonl(tmp_path / "reader" / "person_identity.jsonl")
    assert identities and all(i["full_name"] == REDACTED for i in identities)

    # asking for identities without the clearance is refused before a file is written
    with pytest.raises(RestrictedFieldsDenied) as refused:
        export_data(reader, "csv", tmp_path / "refused", include_restricted=True)
    assert "reader" in str(refused.value) and "confidential" in str(refused.value)
    assert not (tmp_path / "refused").exists()

    cleared = as_user(ctx, "confidential", "officer")
    export_data(cleared, "jsonl", tmp_path / "cleared", include_restricted=True)
    (participant,) = _jsonl(tmp_path / "cleared" / "participant.jsonl")
    assert participant["full_name"] == "Grace Wanjiru"
    assert len(_jsonl(tmp_path / "cleared" / "monitoring_visit.jsonl")) == 3


def test_an_attachment_of_a_hidden_visit_cannot_be_read(
    ctx: Context, levels: dict[str, str], tmp_path: Path
) -> None:
    photo = tmp_path / "cell.jpg"
    photo.write_bytes(b"not really a photo")
    digest = add_attachment(ctx, levels["confidential"], photo).value.sha256
    assert attachment_bytes(ctx, digest) == b"not really a photo"
    reader = as_user(ctx, "internal")
    with pytest.raises(NotFound):
        attachment_bytes(reader, digest)
    with pytest.raises(NotFound):
        add_attachment(reader, levels["confidential"], photo)
    add_attachment(ctx, levels["internal"], photo)  # the same file in a visit the reader sees
    assert attachment_bytes(reader, digest) == b"not really a photo"


def test_what_belongs_to_a_visit_takes_its_level_however_far_down(
    ctx: Context, levels: dict[str, str]
) -> None:
    paths = {t: confidentiality_path(t) for t in ("monitoring_visit", "incident", "follow_up_recommendation")}
    assert [p.steps if p else None for p in paths.values()] == [
        (),
        ("visit_id",),
        ("follow_up_id", "visit_id"),
    ]
    assert confidentiality_path("person") is None and confidentiality_path("recommendation") is None
    recommendation = create_record(ctx, "recommendation", {"symbol": "CAT/C/KEN/CO/3", "text": "Prevent"})
    for level in ("public", "confidential"):
        shown = get_visit(ctx, levels[level])
        follow_up = dataclasses.replace(shown.follow_ups[0], recommendation_ids=(recommendation["id"],))
        save_visit(ctx, dataclasses.replace(shown, follow_ups=(follow_up,)))
    reader = as_user(ctx, "internal")
    assert stats(ctx)["follow_up_recommendation"]["live"] == 2
    assert stats(reader)["follow_up_recommendation"]["live"] == 1
    assert stats(reader)["recommendation"]["live"] == 1  # public text, no level of its own


def test_the_filter_holds_on_postgres_as_on_sqlite(pg_url: Callable[[], str]) -> None:
    region = open_context(pg_url(), create=True)
    try:
        init_office(region, "ROEA", "Regional office", "regional-office", "HQ")
        save_visit(region, visit("Public visit", "public"))
        save_visit(region, visit("Secret visit", "strictly-confidential", incident=f"{SECRET_WORD} cell"))
        reader = as_user(region, "internal")
        assert [h.title for h in search_records(region, SECRET_WORD)] == ["Secret visit"]
        assert search_records(reader, SECRET_WORD) == []
        assert list_visits(reader, VisitFilter(text="Overcrowding")).total == 1
        assert dashboard_counts(reader).open_followups == 1 and dashboard_counts(region).open_followups == 2
        assert stats(reader)["incident"]["live"] == 1
    finally:
        region.close()
