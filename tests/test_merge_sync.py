"""A merge travels like any other change: partners import it, and every office converges.

Two participants who attended one event meet in a unique row (``uq_attendance_pair``) once
merged; the merge and every office's import must settle that clash the same way.
"""

from __future__ import annotations

from pathlib import Path

from sync_offices import exchange_all, offices

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.services.data import export_data
from fieldkit.services.people import merge
from fieldkit.services.records import create_record, restore_record
from fieldkit.store.records import Attendance, RecordAlias
from fieldkit.store.system import ChangeLog

ROEA = ("ROEA", "regional-office", "HQ")
ROWA = ("ROWA", "regional-office", "HQ")
HQ = ("HQ", "headquarters", None)
CODES = ("ROEA", "ROWA", "HQ")


def snapshot(ctx: Context, out: Path) -> dict[str, bytes]:
    export_data(ctx, "jsonl", out, include_restricted=True)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def event(ctx: Context, title: str) -> str:
    return str(create_record(ctx, "training_event", {"title": title, "event_type": "workshop"})["id"])


def participant(ctx: Context, name: str) -> str:
    return str(create_record(ctx, "participant", {"full_name": name, "birth_year": 1980})["id"])


def attend(ctx: Context, event_id: str, participant_id: str) -> str:
    values = {"event_id": event_id, "participant_id": participant_id, "days_attended": 2}
    return str(create_record(ctx, "attendance", values)["id"])


def attendances(ctx: Context) -> list[tuple[str, str, bool]]:
    with unchecked(), ctx.store.read() as session:
        rows = session.query(Attendance.event_id, Attendance.participant_id, Attendance.deleted).all()
    return sorted((e, p, d) for e, p, d in rows)


def test_merging_two_participants_of_one_event_syncs_and_converges(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        workshop = event(o["ROEA"], "Workshop on detention monitoring")
        keep = participant(o["ROEA"], "Mohammed Al-Haddad")
        gone = participant(o["ROWA"], "محمد الحداد")
        exchange_all(o, tmp_path, rounds=1)
        attend(o["ROEA"], workshop, keep)
        attend(o["ROWA"], workshop, gone)
        exchange_all(o, tmp_path, rounds=1)

        merge(o["ROEA"], "participant", keep, gone)
        exchange_all(o, tmp_path)

        snaps = {code: snapshot(o[code], tmp_path / f"snap-{code}") for code in CODES}
        assert snaps["ROEA"] == snaps["ROWA"] == snaps["HQ"]
        live = [(e, p) for e, p, deleted in attendances(o["HQ"]) if not deleted]
        assert live == [(workshop, keep)]


def test_attendance_recorded_while_another_office_merges_syncs_and_converges(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        workshop = event(o["ROEA"], "Workshop on detention monitoring")
        keep = participant(o["ROEA"], "Mohammed Al-Haddad")
        gone = participant(o["ROWA"], "محمد الحداد")
        attend(o["ROEA"], workshop, keep)
        exchange_all(o, tmp_path, rounds=1)
        # ROWA records the other copy at the same workshop before it hears of the merge
        merge(o["ROEA"], "participant", keep, gone)
        attend(o["ROWA"], workshop, gone)
        exchange_all(o, tmp_path)

        snaps = {code: snapshot(o[code], tmp_path / f"snap-{code}") for code in CODES}
        assert snaps["ROEA"] == snaps["ROWA"] == snaps["HQ"]
        # the copy cannot take the survivor's id at that workshop: it keeps the merged-away one
        assert attendances(o["HQ"]) == sorted([(workshop, keep, False), (workshop, gone, False)])


def test_who_holds_an_attendance_after_a_merge_does_not_depend_on_arrival_order(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        workshop = event(o["ROEA"], "Workshop on detention monitoring")
        keep = participant(o["ROEA"], "Mohammed Al-Haddad")
        gone = participant(o["ROWA"], "محمد الحداد")
        exchange_all(o, tmp_path, rounds=1)
        # three offices at once: ROWA records the copy, HQ the survivor, ROEA merges the two; ROWA
        # hears of the merge before HQ's row, ROEA gets ROWA's row before HQ's
        attend(o["ROWA"], workshop, gone)
        attend(o["HQ"], workshop, keep)
        merge(o["ROEA"], "participant", keep, gone)
        exchange_all(o, tmp_path)

        snaps = {code: snapshot(o[code], tmp_path / f"snap-{code}") for code in CODES}
        assert snaps["ROEA"] == snaps["ROWA"] == snaps["HQ"]
        assert attendances(o["HQ"]) == sorted([(workshop, keep, False), (workshop, gone, False)])


def test_an_attendance_another_office_gives_the_survivor_meanwhile_takes_its_place(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        workshop = event(o["ROEA"], "Workshop on detention monitoring")
        keep = participant(o["ROEA"], "Mohammed Al-Haddad")
        gone = participant(o["ROWA"], "محمد الحداد")
        exchange_all(o, tmp_path, rounds=1)
        attend(o["ROWA"], workshop, gone)
        exchange_all(o, tmp_path, rounds=1)
        # ROEA merges while HQ records the survivor at the same workshop
        merge(o["ROEA"], "participant", keep, gone)
        recorded = attend(o["HQ"], workshop, keep)
        exchange_all(o, tmp_path)

        snaps = {code: snapshot(o[code], tmp_path / f"snap-{code}") for code in CODES}
        assert snaps["ROEA"] == snaps["ROWA"] == snaps["HQ"]
        assert attendances(o["ROEA"]) == sorted([(workshop, keep, False), (workshop, gone, False)])
        with unchecked(), o["ROWA"].store.read() as session:
            assert session.get(Attendance, recorded).participant_id == keep


def test_a_merge_retires_a_clashing_attendance_as_a_logged_change(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, HQ) as o:
        workshop = event(o["ROEA"], "Workshop")
        keep = participant(o["ROEA"], "Amina Diallo")
        gone = participant(o["ROEA"], "Amina Dialo")
        attend(o["ROEA"], workshop, keep)
        copy = attend(o["ROEA"], workshop, gone)
        merge(o["ROEA"], "participant", keep, gone)
        with unchecked(), o["ROEA"].store.read() as session:
            ops = session.query(ChangeLog.op).filter(ChangeLog.record_id == copy).all()
        assert [op for (op,) in ops] == ["create", "delete"]
        assert attendances(o["ROEA"]) == sorted([(workshop, keep, False), (workshop, gone, True)])


def test_a_record_merged_away_brought_back_and_merged_again_keeps_one_alias(tmp_path: Path) -> None:
    """A merged-away record can come back (a person keeps it when settling a conflict); merging it
    again, even into another record, re-points its one alias instead of adding a second."""
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        keep = participant(o["ROEA"], "Amina Yusuf")
        other = participant(o["ROEA"], "Amina Yusuf Hassan")
        gone = participant(o["ROEA"], "Aminah Yusuf")
        merge(o["ROEA"], "participant", keep, gone)
        exchange_all(o, tmp_path, rounds=1)

        restore_record(o["ROEA"], "participant", gone)
        merge(o["ROEA"], "participant", other, gone)
        exchange_all(o, tmp_path)

        for code in CODES:
            with unchecked(), o[code].store.read() as session:
                aliases = session.query(
                    RecordAlias.alias_id, RecordAlias.target_id, RecordAlias.deleted
                ).all()
            assert aliases == [(gone, other, False)], code
        snaps = {code: snapshot(o[code], tmp_path / f"snap-{code}") for code in CODES}
        assert snaps["ROEA"] == snaps["ROWA"] == snaps["HQ"]
