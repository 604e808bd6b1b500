"""Monitoring services: save a whole visit, search it in any script, follow-ups, drafts, attachments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fieldkit.context import Context
from fieldkit.errors import NotFound, ValidationError
from fieldkit.services import drafts
from fieldkit.services.monitoring import (
    add_attachment,
    attachment_bytes,
    delete_visit,
    get_visit,
    restore_visit,
    save_visit,
    validate_visit,
)
from fieldkit.services.monitoring_types import (
    FollowUpData,
    IncidentData,
    PersonData,
    VisitData,
    VisitFilter,
    visit_from_payload,
    visit_to_payload,
)
from fieldkit.services.visit_list import (
    count_overdue,
    list_visits,
    overdue_followups,
    overdue_page,
    visit_ids,
    visit_rows,
)

TODAY = dt.date(2026, 3, 15)


def make_visit(**changes: object) -> VisitData:
    base = VisitData(
        title="Visit to Kamiti prison",
        visit_type="detention-visit",
        date_start=dt.date(2026, 3, 2),
        confidentiality="confidential",
        narrative="Detainees in block C describe overcrowding and beatings by guards.",
        incidents=(
            IncidentData(
                summary="Beating on arrival",
                violation_types=("torture",),
                victims={"male/adult-18-59": 3},
                pattern="pattern",
            ),
            IncidentData(summary="No access to a lawyer", violation_types=("arbitrary-detention",)),
        ),
        people=(
            PersonData(
                code="V-001",
                role="victim",
                sex="male",
                age_group="adult-18-59",
                incident_index=0,
                full_name="Omar Haddad",
            ),
        ),
        follow_ups=(FollowUpData(action="Write to the prison director", due_date=dt.date(2026, 3, 10)),),
    )
    return VisitData(**{**base.__dict__, **changes})


def test_save_and_load_a_whole_visit(ctx: Context) -> None:
    saved = save_visit(ctx, make_visit()).value
    assert saved.id and saved.version == 1
    assert len(saved.incidents) == 2 and len(saved.follow_ups) == 1
    assert saved.people[0].full_name == "Omar Haddad" and saved.people[0].incident_index == 0
    again = get_visit(ctx, saved.id)
    assert again == saved


def test_edit_keeps_child_ids_and_tombstones_removed_children(ctx: Context) -> None:
    saved = save_visit(ctx, make_visit()).value
    first, _second = saved.incidents
    edited = save_visit(
        ctx,
        VisitData(**{**saved.__dict__, "narrative": "Updated.", "incidents": (first,), "follow_ups": ()}),
    ).value
    assert edited.version == 2
    assert [i.id for i in edited.incidents] == [first.id]
    assert edited.follow_ups == ()


def test_stale_save_is_refused(ctx: Context) -> None:
    saved = save_visit(ctx, make_visit()).value
    save_visit(ctx, VisitData(**{**saved.__dict__, "title": "Newer"}))
    with pytest.raises(ValidationError, match="after you opened it"):
        save_visit(ctx, VisitData(**{**saved.__dict__, "title": "Older"}))


def test_validation_names_each_field(ctx: Context) -> None:
    bad = make_visit(
        title=" ",
        date_end=dt.date(2026, 1, 1),
        visit_type="picnic",
        incidents=(IncidentData(violation_types=()),),
        follow_ups=(FollowUpData(action="", status="done"),),
    )
    errors = validate_visit(ctx, bad)
    assert {
        "title",
        "date_end",
        "visit_type",
        "incidents[0].violation_types",
        "follow_ups[0].action",
        "follow_ups[0].completed_on",
    } <= set(errors)
    with pytest.raises(ValidationError) as info:
        save_visit(ctx, bad)
    assert info.value.fields == errors
    assert list_visits(ctx).total == 0


@pytest.mark.parametrize(
    ("word", "found"),
    [
        ("overcrowding", True),
        ("OVERCROWD", True),
        ("التعذيب", True),
        ("律师", True),
        ("人权", False),
        ("beatings guards", True),
        ("beatings dogs", False),
        ('"', None),
    ],
)
def test_full_text_search_in_any_script(ctx: Context, word: str, found: bool | None) -> None:
    save_visit(ctx, make_visit())
    save_visit(
        ctx, make_visit(title="زيارة السجن المركزي", narrative="أفاد المحتجزون بالتعذيب أثناء الاستجواب.")
    )
    save_visit(ctx, make_visit(title="探访看守所", narrative="被拘留者反映无法会见律师，牢房拥挤。"))
    page = list_visits(ctx, VisitFilter(text=word))
    if found is None:
        assert page.total == 0
    else:
        assert (page.total > 0) is found


def test_search_index_follows_edits_and_deletes(ctx: Context) -> None:
    saved = save_visit(ctx, make_visit()).value
    save_visit(ctx, VisitData(**{**saved.__dict__, "narrative": "Water shortage in the camp."}))
    assert list_visits(ctx, VisitFilter(text="overcrowding")).total == 0
    assert list_visits(ctx, VisitFilter(text="shortage")).total == 1
    delete_visit(ctx, saved.id)
    assert list_visits(ctx, VisitFilter(text="shortage")).total == 0
    assert list_visits(ctx, VisitFilter(deleted=True)).total == 1
    with pytest.raises(NotFound):
        get_visit(ctx, saved.id)
    restore_visit(ctx, saved.id)
    assert list_visits(ctx, VisitFilter(text="shortage")).total == 1


def test_filters_sorting_and_paging(ctx: Context) -> None:
    for day in range(1, 13):
        save_visit(
            ctx,
            make_visit(
                title=f"Visit {day:02d}",
                date_start=dt.date(2026, 2, day),
                visit_type="trial-observation" if day % 2 else "detention-visit",
            ),
        )
    page = list_visits(ctx, VisitFilter(date_from=dt.date(2026, 2, 5), date_to=dt.date(2026, 2, 8)))
    assert page.total == 4
    page = list_visits(ctx, VisitFilter(visit_types=("trial-observation",)), sort="title", descending=False)
    assert [r.title for r in page.rows][:2] == ["Visit 01", "Visit 03"]
    page = list_visits(ctx, sort="date_start", descending=True, offset=10, limit=5)
    assert page.total == 12 and [r.title for r in page.rows] == ["Visit 02", "Visit 01"]
    assert list_visits(ctx, VisitFilter(violation_type="torture")).total == 12
    assert list_visits(ctx, VisitFilter(violation_type="rape")).total == 0
    assert list_visits(ctx, VisitFilter(followups="overdue"), today=TODAY).total == 12


def test_a_whole_result_read_by_id_matches_the_pages(ctx: Context) -> None:
    for day in (3, 1, 2, 2):
        save_visit(ctx, make_visit(title=f"Visit {day}", date_start=dt.date(2026, 2, day)))
    save_visit(ctx, make_visit(title="Trial", visit_type="trial-observation"))
    flt = VisitFilter(visit_types=("detention-visit",))
    for sort, descending in (("date_start", True), ("title", False)):
        ids = visit_ids(ctx, flt, sort=sort, descending=descending)
        page = list_visits(ctx, flt, sort=sort, descending=descending)
        assert ids == [r.id for r in page.rows] and len(ids) == page.total == 4
        assert visit_rows(ctx, ids) == page.rows
    assert visit_rows(ctx, [ids[2], "no-such-id", ids[0]]) == [page.rows[2], page.rows[0]]


def test_overdue_followups_in_due_order(ctx: Context) -> None:
    save_visit(ctx, make_visit(follow_ups=(FollowUpData(action="late", due_date=dt.date(2026, 3, 1)),)))
    save_visit(
        ctx,
        make_visit(
            follow_ups=(
                FollowUpData(action="later", due_date=dt.date(2026, 2, 1)),
                FollowUpData(action="future", due_date=dt.date(2026, 4, 1)),
            )
        ),
    )
    rows = overdue_followups(ctx, TODAY)
    assert [r.action for r in rows] == ["later", "late"]
    assert rows[0].days_overdue == 42
    assert count_overdue(ctx, TODAY) == 2


def test_overdue_pages_cover_every_follow_up_with_an_exact_total(ctx: Context) -> None:
    due = [dt.date(2026, 1, day) for day in (9, 3, 7, 1, 5, 2, 8)]
    save_visit(ctx, make_visit(follow_ups=tuple(FollowUpData(action=f"a{d.day}", due_date=d) for d in due)))
    pages = [overdue_page(ctx, TODAY, offset=offset, limit=3) for offset in (0, 3, 6)]
    assert [p.total for p in pages] == [7, 7, 7]
    assert [len(p.rows) for p in pages] == [3, 3, 1]
    seen = [r.due_date for p in pages for r in p.rows]
    assert seen == sorted(due)
    assert count_overdue(ctx, TODAY) == 7
    assert overdue_page(ctx, TODAY, offset=7, limit=3).rows == []


def test_drafts_round_trip(ctx: Context) -> None:
    visit = make_visit(narrative="half-typed نص 文本")
    drafts.save_draft(ctx, "visit:new:1", "monitoring_visit", None, visit.title, visit_to_payload(visit))
    assert [d.key for d in drafts.list_drafts(ctx)] == ["visit:new:1"]
    payload = drafts.load_draft(ctx, "visit:new:1")
    assert payload is not None and visit_from_payload(payload) == visit
    drafts.discard_draft(ctx, "visit:new:1")
    assert drafts.list_drafts(ctx) == []


def test_attachments_are_content_addressed(ctx: Context, tmp_path: Path) -> None:
    saved = save_visit(ctx, make_visit()).value
    photo = tmp_path / "cell.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 1000)
    first = add_attachment(ctx, saved.id, photo, "Cell 4").value
    second = add_attachment(ctx, saved.id, photo, "Same photo again").value
    assert first.sha256 == second.sha256 and first.id != second.id
    assert attachment_bytes(ctx, first.sha256) == photo.read_bytes()
    assert first.media_type == "image/jpeg"
    assert len(get_visit(ctx, saved.id).attachments) == 2
    with pytest.raises(ValidationError):
        add_attachment(ctx, saved.id, tmp_path / "missing.jpg")


def test_a_follow_up_links_recommendations_as_records(ctx: Context) -> None:
    from dataclasses import replace

    from sqlalchemy import select

    from fieldkit.access import unchecked
    from fieldkit.services.records import create_record
    from fieldkit.store.records import FollowUpRecommendation

    def recommendation(symbol: str) -> str:
        values = {"symbol": symbol, "text": "Ensure access to a lawyer"}
        return str(create_record(ctx, "recommendation", values)["id"])

    def linked_to(visit: VisitData, *ids: str) -> VisitData:
        return replace(visit, follow_ups=(replace(visit.follow_ups[0], recommendation_ids=ids),))

    first, second = recommendation("CAT/C/KEN/CO/3"), recommendation("A/HRC/44/9")
    follow_up = FollowUpData(action="Raise it with the ministry", recommendation_ids=(first, second))
    saved = save_visit(ctx, make_visit(follow_ups=(follow_up,))).value
    assert saved.follow_ups[0].recommendation_ids == tuple(sorted((first, second)))

    dropped = save_visit(ctx, linked_to(saved, first))
    assert dropped.value.follow_ups[0].recommendation_ids == (first,)
    assert dropped.changes.touches("follow_up_recommendation")
    again = save_visit(ctx, linked_to(dropped.value, first, second)).value
    assert again.follow_ups[0].recommendation_ids == tuple(sorted((first, second)))
    link = FollowUpRecommendation
    with unchecked(), ctx.store.read() as session:
        links = session.execute(select(link.recommendation_id, link.version, link.deleted)).all()
    # the link taken away and given back is one record, restored: a pair never has two
    assert sorted(links) == sorted([(first, 1, False), (second, 3, False)])

    with pytest.raises(ValidationError, match="Unknown recommendation"):
        save_visit(ctx, make_visit(follow_ups=(FollowUpData(action="x", recommendation_ids=("nope",)),)))


def test_every_sort_pages_the_same_rows_from_either_end(ctx: Context) -> None:
    levels = ("public", "internal", "confidential", "strictly-confidential")
    for n in range(9):
        save_visit(
            ctx,
            make_visit(
                title=f"Visit {n}",
                date_start=dt.date(2026, 2, 1 + n % 4),
                confidentiality=levels[(n * 3) % 4],
                incidents=make_visit().incidents[: n % 3],
                people=(),
                location_text=f"Place {8 - n}",
            ),
        )
    for sort in ("date_start", "title", "visit_type", "location", "confidentiality", "incidents",
                 "open_followups", "origin_office", "updated_at"):  # fmt: skip
        for descending in (False, True):
            whole = [r.id for r in list_visits(ctx, sort=sort, descending=descending).rows]
            paged = []
            for offset in range(0, 9, 2):  # the later pages are read from the far end
                page = list_visits(ctx, sort=sort, descending=descending, offset=offset, limit=2, total=9)
                assert page.offset == offset and page.total == 9
                paged += [r.id for r in page.rows]
            assert paged == whole, (sort, descending)


def test_counts_and_levels_sort_by_what_they_mean(ctx: Context) -> None:
    incident = make_visit().incidents[0]
    save_visit(ctx, make_visit(title="Two", incidents=(incident, incident), confidentiality="public"))
    save_visit(
        ctx, make_visit(title="None", incidents=(), people=(), confidentiality="strictly-confidential")
    )
    save_visit(ctx, make_visit(title="One", incidents=(incident,), confidentiality="internal"))
    late = FollowUpData(action="late", due_date=dt.date(2026, 3, 1))
    done = FollowUpData(action="done", due_date=dt.date(2026, 3, 1), status="done", completed_on=TODAY)
    save_visit(ctx, make_visit(title="Followed", incidents=(), people=(), follow_ups=(late, late, done)))

    def titles(sort: str, **kwargs: object) -> list[str]:
        return [r.title for r in list_visits(ctx, sort=sort, descending=False, **kwargs).rows]  # type: ignore[arg-type]

    assert titles("incidents")[-2:] == ["One", "Two"]
    assert titles("open_followups")[-1] == "Followed"
    # by level, not by label ("Internal" < "Public" < "Strictly confidential" alphabetically)
    assert [t for t in titles("confidentiality") if t != "Followed"] == ["Two", "One", "None"]
    rows = list_visits(ctx, sort="open_followups", descending=True, limit=1).rows
    assert rows[0].open_followups == 2
