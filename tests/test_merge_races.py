"""Two offices merging the same duplicates before hearing of each other.

Each office merges on its own, and the merge travels as changes plus an alias; when two
offices merge the same pair concurrently, every office must still end with the same records.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sync_offices import exchange_all, offices, visit

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.services.conflicts import list_conflicts
from fieldkit.services.data import export_data
from fieldkit.services.monitoring import delete_visit, get_visit, save_visit
from fieldkit.services.people import merge
from fieldkit.services.records import create_record, get_record, update_record
from fieldkit.store.records import Involvement

ROEA = ("ROEA", "regional-office", "HQ")
ROWA = ("ROWA", "regional-office", "HQ")
HQ = ("HQ", "headquarters", None)
CODES = ("ROEA", "ROWA", "HQ")


def snapshot(ctx: Context, out: Path) -> dict[str, bytes]:
    export_data(ctx, "jsonl", out, include_restricted=False)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def two_organisations(o: dict[str, Context], tmp: Path) -> tuple[str, str]:
    first = create_record(o["ROWA"], "organisation", {"name": "Prison service"})["id"]
    second = create_record(o["HQ"], "organisation", {"name": "Prison Service"})["id"]
    exchange_all(o, tmp, rounds=1)
    return first, second


def test_the_same_merge_made_at_two_offices_imports(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        keep, gone = two_organisations(o, tmp_path)
        merge(o["ROEA"], "organisation", keep, gone)
        merge(o["ROWA"], "organisation", keep, gone)
        exchange_all(o, tmp_path)
        snaps = {code: snapshot(o[code], tmp_path / f"snap-{code}") for code in CODES}
        assert snaps["ROEA"] == snaps["ROWA"] == snaps["HQ"]
        assert not get_record(o["HQ"], "organisation", keep)["deleted"]


def test_opposite_merges_made_at_two_offices_converge(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        first, second = two_organisations(o, tmp_path)
        person = create_record(o["ROEA"], "person", {"code": "V-1"})["id"]
        exchange_all(o, tmp_path, rounds=1)
        merge(o["ROEA"], "organisation", first, second)
        merge(o["ROWA"], "organisation", second, first)
        update_record(o["ROEA"], "person", person, {"organisation_id": first})
        exchange_all(o, tmp_path)
        snaps = {code: snapshot(o[code], tmp_path / f"snap-{code}") for code in CODES}
        assert snaps["ROEA"]["person.jsonl"] == snaps["ROWA"]["person.jsonl"] == snaps["HQ"]["person.jsonl"]
        assert snaps["ROEA"] == snaps["ROWA"] == snaps["HQ"]


def test_a_conflict_on_a_reference_to_a_merged_record_reads_the_same_everywhere(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        keep, gone = two_organisations(o, tmp_path)
        visit_id = save_visit(o["ROEA"], visit()).value.id
        assert visit_id is not None
        exchange_all(o, tmp_path, rounds=1)
        person = get_visit(o["ROWA"], visit_id).people[0]
        with unchecked(), o["ROWA"].store.read() as session:
            person_id = session.execute(
                select(Involvement.person_id).where(Involvement.id == person.id)
            ).scalar_one()
        # ROWA files the person under one organisation while ROEA merges it away and deletes
        # the visit, which retires the person
        update_record(o["ROWA"], "person", person_id, {"organisation_id": gone})
        merge(o["ROEA"], "organisation", keep, gone)
        delete_visit(o["ROEA"], visit_id)
        exchange_all(o, tmp_path)
        conflicts = {code: list_conflicts(o[code]) for code in CODES}
        assert [c.kind for c in conflicts["HQ"]] == ["edit-delete"]
        for code in CODES:
            # the edit named the merged-away organisation; a person is shown the one it became
            [conflict] = conflicts[code]
            edit = conflict.winner_value if conflict.winner_value["op"] == "update" else conflict.loser_value
            assert edit["values"] == {"organisation_id": keep}, code
        snaps = {code: snapshot(o[code], tmp_path / f"snap-{code}") for code in CODES}
        assert snaps["ROEA"]["person.jsonl"] == snaps["ROWA"]["person.jsonl"] == snaps["HQ"]["person.jsonl"]
        assert (
            snaps["ROEA"]["conflict.jsonl"]
            == snaps["ROWA"]["conflict.jsonl"]
            == snaps["HQ"]["conflict.jsonl"]
        )
