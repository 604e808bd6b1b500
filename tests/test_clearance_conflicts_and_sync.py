"""The clearance filter on what the sync pages and the conflicts page show: conflicts, the counts
of changes waiting for partners, and what importing a packet would change. A user not cleared
for a visit neither sees nor counts it; identifying details read as everywhere else."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from clearance_users import as_user
from sqlalchemy import select
from sync_offices import offices, visit

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.errors import NotFound
from fieldkit.services.conflicts import count_open, list_conflicts, record_conflicts, resolve
from fieldkit.services.data import stats
from fieldkit.services.monitoring import delete_visit, save_visit
from fieldkit.services.records import create_record, update_record
from fieldkit.store.clearance import REDACTED, RestrictedFieldsDenied
from fieldkit.store.system import AuditLog, HeldChange
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import MassDeletion, import_packet
from fieldkit.sync.outbox import outgoing_changes
from fieldkit.sync.preview import preview_files
from fieldkit.sync.state import origin_status, partner_status

KENYA = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")
HQ = ("HQ", "headquarters", None)


def save_at(ctx: Context, title: str, level: str) -> str:
    return save_visit(ctx, dataclasses.replace(visit(title), confidentiality=level)).value.id or ""


def send(src: Context, dst: Context, tmp: Path, name: str) -> None:
    import_packet(
        dst, export_packet(src, dst.office, tmp / f"{name}.fieldkit").paths[0], max_delete_share=None
    )


def test_conflicts_above_the_clearance_are_neither_listed_nor_counted_nor_opened(tmp_path: Path) -> None:
    with offices(tmp_path, REGION, HQ) as o:
        region, hq = o["ROEA"], o["HQ"]
        market = save_at(region, "Market visit", "internal")
        safe_house = save_at(region, "Safe house", "strictly-confidential")
        send(region, hq, tmp_path, "1")
        for visit_id in (market, safe_house):  # the same narrative edited at both offices at once
            update_record(region, "monitoring_visit", visit_id, {"narrative": "Seen from the region"})
            update_record(hq, "monitoring_visit", visit_id, {"narrative": "Seen from headquarters"})
        send(region, hq, tmp_path, "2")

        assert count_open(hq) == 2 and {c.record_id for c in list_conflicts(hq)} == {market, safe_house}
        officer = as_user(hq, "internal", "amina")
        assert count_open(officer) == 1
        [seen] = list_conflicts(officer)
        assert seen.record_id == market and seen.record_title == "Market visit"
        assert record_conflicts(officer, "monitoring_visit", market).conflicts[0].id == seen.id
        # the hidden visit's conflict is "not found", in the words of an id that does not exist
        with pytest.raises(NotFound) as hidden:
            record_conflicts(officer, "monitoring_visit", safe_house)
        with pytest.raises(NotFound) as missing:
            record_conflicts(officer, "monitoring_visit", "0" * 26)
        assert str(hidden.value).replace(safe_house, "ID") == str(missing.value).replace("0" * 26, "ID")
        [other] = [c for c in list_conflicts(hq) if c.record_id == safe_house]
        with pytest.raises(NotFound):
            resolve(officer, "monitoring_visit", safe_house, [other.id], {"narrative": "Mine"})
        assert count_open(hq) == 2  # nothing settled
        assert count_open(as_user(hq, "strictly-confidential", "head")) == 2


def test_identifying_details_in_a_conflict_are_redacted_and_cannot_be_chosen_blind(tmp_path: Path) -> None:
    with offices(tmp_path, REGION, HQ) as o:
        region, hq = o["ROEA"], o["HQ"]
        person = create_record(region, "participant", {"full_name": "Amina Diallo"})
        send(region, hq, tmp_path, "1")
        update_record(region, "participant", person["id"], {"full_name": "Amina Diallo-Ba"})
        update_record(hq, "participant", person["id"], {"full_name": "Aminata Diallo"})
        send(region, hq, tmp_path, "2")
        [full] = list_conflicts(hq)
        assert {full.winner_value, full.loser_value} == {"Amina Diallo-Ba", "Aminata Diallo"}

        trainer = as_user(hq, "internal", "trainer")
        [seen] = list_conflicts(trainer)
        assert seen.winner_value == seen.loser_value == REDACTED
        assert seen.record_title == REDACTED
        side_by_side = record_conflicts(trainer, "participant", person["id"])
        assert side_by_side.current["full_name"] == REDACTED
        assert side_by_side.conflicts[0].loser_value == REDACTED
        with pytest.raises(RestrictedFieldsDenied):
            resolve(trainer, "participant", person["id"], [seen.id], {"full_name": REDACTED})
        assert count_open(hq) == 1


def test_sync_status_counts_only_changes_the_user_may_see(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, REGION) as o:
        kenya = o["KE-NBO"]
        save_at(kenya, "Market visit", "internal")
        officer = as_user(kenya, "internal", "amina")
        before = outgoing_changes(officer)["ROEA"]
        pending_before = {p.code: p.pending for p in partner_status(officer)}
        assert before == outgoing_changes(kenya)["ROEA"]

        save_at(kenya, "Safe house", "strictly-confidential")
        # the head of office counts the visit, its incident, follow-up, involvement and person
        assert outgoing_changes(kenya)["ROEA"].total == before.total + 5
        # she counts only the person, kept under a code with no level of its own (as in every list)
        assert outgoing_changes(officer)["ROEA"].not_sent == before.not_sent + 1
        pending = {p.code: p.pending for p in partner_status(officer)}
        # every change held, identities kept home included: the person and its identity for her
        assert pending["ROEA"] == pending_before["ROEA"] + 2
        assert partner_status(kenya)[0].pending == pending_before["ROEA"] + 6


def test_what_a_packet_would_change_counts_only_what_the_importer_may_see(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, REGION) as o:
        kenya, region = o["KE-NBO"], o["ROEA"]
        save_at(kenya, "Market visit", "internal")
        save_at(kenya, "Safe house", "strictly-confidential")
        packet = export_packet(kenya, "ROEA", tmp_path / "p.fieldkit").paths[0]

        [whole] = preview_files(region, [packet])
        assert whole.status == "preview" and whole.by_type["monitoring_visit"] == 2
        officer = as_user(region, "internal", "amina")
        [seen] = preview_files(officer, [packet])
        assert seen.status == "preview" and seen.by_type["monitoring_visit"] == 1
        assert seen.by_type["incident"] == 1 and seen.new < whole.new
        # the preview changed nothing, and a dry run counts the same way
        assert stats(region)["monitoring_visit"]["live"] == 0
        dry = import_packet(officer, packet, dry_run=True)
        assert dry.by_type["monitoring_visit"] == 1 and dry.new == sum(dry.by_type.values())

        done = import_packet(officer, packet)
        assert done.by_type["monitoring_visit"] == 1 and done.new == dry.new
        # the whole packet was applied: the offices must agree, whoever imports it
        assert stats(region)["monitoring_visit"]["live"] == 2
        assert stats(officer)["monitoring_visit"]["live"] == 1
        # the audit trail keeps what the packet changed, for those who may read the trail
        with unchecked(), region.store.read() as session:
            detail = session.scalars(select(AuditLog.detail).where(AuditLog.action == "import")).one()
        assert detail["by_type"]["monitoring_visit"] == 2 and detail["new"] > done.new


def held(seq: int, record_type: str, data: dict[str, object]) -> HeldChange:
    change = {"origin": "KE-NBO", "seq": seq, "type": record_type, "id": f"01HELD{seq:020d}", "op": "create"}
    return HeldChange(origin_office="KE-NBO", seq=seq, packet_id="p", change={**change, "data": data})


def test_changes_waiting_for_a_gap_count_only_those_the_user_may_see(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, REGION) as o:
        region = o["ROEA"]
        save_at(o["KE-NBO"], "Market visit", "internal")
        send(o["KE-NBO"], region, tmp_path, "1")
        with unchecked(), region.store.write() as session:
            session.add_all(
                [
                    held(107, "monitoring_visit", {"confidentiality": "internal"}),
                    held(108, "monitoring_visit", {"confidentiality": "strictly-confidential"}),
                    # an incident of a visit that is not here yet
                    held(109, "incident", {"visit_id": "01HELD00000000000000000108"}),
                    held(110, "organisation", {"name": "Legal Aid Centre"}),  # no level
                ]
            )
        waiting = {s.code: s.waiting for s in origin_status(region)}
        assert waiting["KE-NBO"] == 4
        officer = as_user(region, "internal", "amina")
        assert {s.code: s.waiting for s in origin_status(officer)}["KE-NBO"] == 2
        assert {p.code: p.held for p in partner_status(officer)}["KE-NBO"] == 2


def test_a_mass_deletion_is_refused_without_counts_that_tell_of_hidden_visits(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, REGION) as o:
        kenya, region = o["KE-NBO"], o["ROEA"]
        ids = [save_at(kenya, f"Visit {i}", "internal") for i in range(25)]
        send(kenya, region, tmp_path, "1")
        for visit_id in ids[:10]:
            delete_visit(kenya, visit_id)
        packet = export_packet(kenya, "ROEA", tmp_path / "2.fieldkit").paths[0]
        with pytest.raises(MassDeletion, match="would delete 10 of office KE-NBO's 25"):
            import_packet(region, packet)
        with pytest.raises(MassDeletion) as refused:
            import_packet(as_user(region, "internal", "amina"), packet)
        message = str(refused.value)
        assert "would delete more than 10% of office KE-NBO's" in message
        assert "delete 10 " not in message and "25" not in message
        assert stats(region)["monitoring_visit"]["live"] == 25
