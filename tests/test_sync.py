"""Sync packets end to end: export, import, idempotency, order, relays, acknowledgements."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from sync_offices import add_visits, offices, visit

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.services.data import export_data, stats
from fieldkit.services.monitoring import delete_visit, get_visit, save_visit
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.visit_list import list_visits
from fieldkit.sync.errors import PacketRefused
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import MassDeletion, import_packet
from fieldkit.sync.state import partner_status

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")
HQ = ("HQ", "headquarters", None)


def live(ctx: Context, kind: str = "monitoring_visit") -> int:
    return stats(ctx)[kind]["live"]


def jsonl(ctx: Context, out: Path) -> dict[str, bytes]:
    export_data(ctx, "jsonl", out, include_restricted=True)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_field_to_region_and_back(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        ids = add_visits(o["KE-NBO"], 3)
        first = export_packet(o["KE-NBO"], "ROEA", tmp_path)
        assert len(first.paths) == 1 and first.changes > 0
        summary = import_packet(o["ROEA"], first.paths[0])
        # three visits, each with one incident, follow-up, person and involvement, all new there
        assert summary.new == first.changes == 15 and summary.updated == summary.held == 0
        assert summary.by_type == first.counts == {
            "monitoring_visit": 3, "incident": 3, "follow_up": 3, "person": 3, "involvement": 3,
        }  # fmt: skip
        assert live(o["ROEA"]) == 3
        copy = get_visit(o["ROEA"], ids[0])
        assert copy.title == "Visit 0" and copy.origin_office == "KE-NBO"
        # identities stay home unless shared
        assert copy.people[0].full_name == "" and "person_identity" not in first.counts
        # the region's reply acknowledges what arrived, so the next packet is empty
        reply = export_packet(o["ROEA"], "KE-NBO", tmp_path / "reply.fieldkit")
        import_packet(o["KE-NBO"], reply.paths[0])
        again = export_packet(o["KE-NBO"], "ROEA", tmp_path / "again.fieldkit")
        assert again.changes == 0
        status = {p.code: p for p in partner_status(o["KE-NBO"])}
        assert status["ROEA"].pending == 0 and status["ROEA"].last_in is not None


def test_same_packet_twice_changes_nothing(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 2)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path).paths[0]
        import_packet(o["ROEA"], packet)
        o["ROEA"].close()
        db = tmp_path / "ROEA.db"
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        from fieldkit.opening import open_context

        o["ROEA"] = open_context(db)
        with pytest.raises(PacketRefused, match="already imported"):
            import_packet(o["ROEA"], packet)
        o["ROEA"].close()
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before
        o["ROEA"] = open_context(db)
        # a new packet with the same changes (no ack yet) is idempotent too
        resent = export_packet(o["KE-NBO"], "ROEA", tmp_path / "resent.fieldkit").paths[0]
        summary = import_packet(o["ROEA"], resent)
        assert summary.new == 0 and summary.updated == 0 and summary.unchanged > 0
        assert live(o["ROEA"]) == 2


def test_out_of_order_packets_are_held_then_applied(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        field = o["KE-NBO"]
        add_visits(field, 2, "early")
        p1 = export_packet(field, "ROEA", tmp_path / "p1.fieldkit").paths[0]
        # the region acknowledged p1 as far as the field knows: simulate by a reply after importing a copy
        from fieldkit.store.system import PeerAck

        with unchecked(), field.store.write() as s:
            s.merge(PeerAck(peer="ROEA", origin_office="KE-NBO", last_seq=_held(field)))
        add_visits(field, 2, "late")
        p2 = export_packet(field, "ROEA", tmp_path / "p2.fieldkit").paths[0]
        s2 = import_packet(o["ROEA"], p2)
        assert s2.held > 0 and live(o["ROEA"]) == 0
        s1 = import_packet(o["ROEA"], p1)
        assert s1.held == 0 and s1.released > 0
        assert live(o["ROEA"]) == 4
        assert list_visits(o["ROEA"], VisitFilter(text="late")).total == 2


def _held(ctx: Context) -> int:
    from fieldkit.store.system import OriginSequence

    with unchecked(), ctx.store.read() as s:
        row = s.get(OriginSequence, ctx.office)
        assert row is not None
        return row.last_seq


def test_relay_field_region_headquarters_keeps_origins(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION, HQ) as o:
        ids = add_visits(o["KE-NBO"], 2)
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "a.fieldkit").paths[0])
        regional = save_visit(o["ROEA"], visit("Regional mission")).value
        import_packet(o["HQ"], export_packet(o["ROEA"], "HQ", tmp_path / "b.fieldkit").paths[0])
        assert live(o["HQ"]) == 3
        assert get_visit(o["HQ"], ids[1]).origin_office == "KE-NBO"
        assert get_visit(o["HQ"], regional.id or "").origin_office == "ROEA"
        # an edit at HQ travels back down through the region to the field office
        edited = get_visit(o["HQ"], ids[0])
        save_visit(o["HQ"], edited.__class__(**{**edited.__dict__, "narrative": "Reviewed at HQ"}))
        import_packet(o["ROEA"], export_packet(o["HQ"], "ROEA", tmp_path / "c.fieldkit").paths[0])
        import_packet(o["KE-NBO"], export_packet(o["ROEA"], "KE-NBO", tmp_path / "d.fieldkit").paths[0])
        assert get_visit(o["KE-NBO"], ids[0]).narrative == "Reviewed at HQ"
        # the field office does not receive the region's own monitoring
        assert live(o["KE-NBO"]) == 2


def test_deletions_travel_as_tombstones_and_missing_is_not_deleted(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        ids = add_visits(o["KE-NBO"], 3)
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "a.fieldkit").paths[0])
        delete_visit(o["KE-NBO"], ids[0])
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "b.fieldkit").paths[0])
        assert live(o["ROEA"]) == 2
        assert get_visit(o["ROEA"], ids[0], include_deleted=True).deleted


def test_mass_deletion_stops_and_asks(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        ids = add_visits(o["KE-NBO"], 25)
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "a.fieldkit").paths[0])
        for visit_id in ids[:10]:
            delete_visit(o["KE-NBO"], visit_id)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "b.fieldkit").paths[0]
        with pytest.raises(MassDeletion, match="would delete 10"):
            import_packet(o["ROEA"], packet)
        assert live(o["ROEA"]) == 25
        import_packet(o["ROEA"], packet, max_delete_share=None)
        assert live(o["ROEA"]) == 15


def test_dry_run_reports_without_changing(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 2)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path).paths[0]
        preview = import_packet(o["ROEA"], packet, dry_run=True)
        assert preview.status == "dry-run" and preview.new > 0
        assert live(o["ROEA"]) == 0
        real = import_packet(o["ROEA"], packet)
        assert (real.new, real.updated) == (preview.new, preview.updated)


def test_split_parts_in_any_order(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 60)
        result = export_packet(o["KE-NBO"], "ROEA", tmp_path, part_size=64 * 1024)
        assert len(result.paths) >= 2
        for path in reversed(result.paths):
            import_packet(o["ROEA"], path)
        assert live(o["ROEA"]) == 60


def test_attachments_travel_or_stay(tmp_path: Path) -> None:
    from fieldkit.services.monitoring import add_attachment, attachment_bytes

    with offices(tmp_path, FIELD, REGION) as o:
        visit_id = add_visits(o["KE-NBO"], 1)[0]
        photo = tmp_path / "cell.jpg"
        photo.write_bytes(b"\xff\xd8" + bytes(range(256)) * 40)
        att = add_attachment(o["KE-NBO"], visit_id, photo).value
        without = export_packet(o["KE-NBO"], "ROEA", tmp_path / "n.fieldkit", attachments=False)
        assert without.attachments == 0
        with_files = export_packet(o["KE-NBO"], "ROEA", tmp_path / "y.fieldkit")
        assert with_files.attachments == 1
        import_packet(o["ROEA"], with_files.paths[0])
        assert attachment_bytes(o["ROEA"], att.sha256) == photo.read_bytes()


def test_stores_that_saw_the_same_packets_export_identically(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION, HQ) as o:
        add_visits(o["KE-NBO"], 3)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "a.fieldkit").paths[0]
        import_packet(o["ROEA"], packet)
        import_packet(o["HQ"], export_packet(o["KE-NBO"], "HQ", tmp_path / "b.fieldkit").paths[0])
        mine = jsonl(o["ROEA"], tmp_path / "roea")
        theirs = jsonl(o["HQ"], tmp_path / "hq")
        assert mine["monitoring_visit.jsonl"] == theirs["monitoring_visit.jsonl"]
        assert mine["incident.jsonl"] == theirs["incident.jsonl"]


def test_export_to_an_unknown_office_is_refused(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD) as o, pytest.raises(ValidationError, match="not a trusted partner"):
        export_packet(o["KE-NBO"], "XX-NOPE", tmp_path)


def test_consolidating_office_sees_how_current_each_office_is(tmp_path: Path) -> None:
    from fieldkit.sync.state import origin_status

    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 2)
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "a.fieldkit").paths[0])
        status = {s.code: s for s in origin_status(o["ROEA"])}
        assert status["KE-NBO"].held_through > 0 and status["KE-NBO"].waiting == 0
        assert status["KE-NBO"].last_packet_at is not None and status["KE-NBO"].days_behind == 0


def test_a_code_the_packet_adds_further_on_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A term may come after the rows that use it, even in a later batch."""
    import json

    from fieldkit.crypto import agebox
    from fieldkit.domain.keys import local_keys
    from fieldkit.services.vocab import add_term
    from fieldkit.sync import packet as fmt

    monkeypatch.setattr("fieldkit.sync.importer.BATCH", 1)
    with offices(tmp_path, FIELD, REGION) as o:
        add_term(o["KE-NBO"], "visit_type", "school-visit", {"en": "School visit"})
        save_visit(o["KE-NBO"], replace(visit("At the school"), visit_type="school-visit"))
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path).paths[0]
        # put the term last, as a sender that orders rows differently might
        with zipfile.ZipFile(packet) as zf:
            payload = agebox.decrypt(zf.read(fmt.PAYLOAD), local_keys(o["ROEA"]).age_identity)
        lines = payload.splitlines(keepends=True)
        terms = [line for line in lines if json.loads(line)["type"] == "vocabulary_term"]
        assert terms and lines.index(terms[0]) == 0
        reordered = b"".join([line for line in lines if line not in terms] + terms)
        from fieldkit.sync import importer

        real_decrypt = importer.agebox.decrypt
        monkeypatch.setattr(
            importer.agebox, "decrypt", lambda data, key: reordered if data else real_decrypt(data, key)
        )
        summary = import_packet(o["ROEA"], packet)
        assert summary.new == len(lines)
        assert list_visits(o["ROEA"], VisitFilter(visit_types=("school-visit",))).total == 1


def test_batches_index_every_visit_with_its_latest_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Visits and incidents in different batches, and a visit edited within the same packet."""
    monkeypatch.setattr("fieldkit.sync.importer.BATCH", 3)
    with offices(tmp_path, FIELD, REGION) as o:
        field = o["KE-NBO"]
        ids = add_visits(field, 4)
        edited = get_visit(field, ids[1])
        save_visit(field, replace(edited, narrative="Detainees moved to Shimo la Tewa"))
        packet = export_packet(field, "ROEA", tmp_path).paths[0]
        summary = import_packet(o["ROEA"], packet)
        assert summary.held == 0 and live(o["ROEA"]) == 4
        region = o["ROEA"]
        assert list_visits(region, VisitFilter(text="Beating")).total == 4  # incidents, later batches
        assert list_visits(region, VisitFilter(text="Shimo")).total == 1  # the edit, not the first text
        assert list_visits(region, VisitFilter(text="Overcrowding")).total == 3


def test_a_cancelled_import_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fieldkit.progress import Cancelled, Progress

    monkeypatch.setattr("fieldkit.sync.importer.BATCH", 2)
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 3)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path).paths[0]
        progress = Progress()
        calls = 0

        def cancel_on_second_batch(*_args: object) -> None:
            nonlocal calls
            calls += 1
            if calls == 2:
                progress.cancel()

        monkeypatch.setattr(progress, "check", lambda: (cancel_on_second_batch(), Progress.check(progress)))
        with pytest.raises(Cancelled):
            import_packet(o["ROEA"], packet, progress=progress)
        assert live(o["ROEA"]) == 0 and partner_status(o["ROEA"])[0].last_in is None
        # and the packet still imports afterwards
        assert import_packet(o["ROEA"], packet).new > 0


def test_bulk_settings_end_with_the_transaction(tmp_path: Path) -> None:
    """A large import enlarges the page cache and skips the checkpoint; later sessions do not."""
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path).paths[0])
        with unchecked(), o["ROEA"].store.write() as session:
            pragma = session.connection().exec_driver_sql
            assert pragma("PRAGMA cache_size").scalar() == -2000
            assert pragma("PRAGMA wal_autocheckpoint").scalar() == 1000


def test_one_large_packet_moves_the_bar_and_can_be_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing several files, the bar moves inside each packet, batch by batch."""
    from fieldkit.progress import Cancelled, Progress
    from fieldkit.sync.importer import import_files

    monkeypatch.setattr("fieldkit.sync.importer.BATCH", 2)
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 3)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path).paths[0]
        seen: list[float] = []
        progress = Progress(lambda done, total, _label: seen.append(done / total if total else 0))
        import_files(o["ROEA"], [packet], dry_run=True, progress=progress)
        inside = [f for f in seen if 0 < f < 1]
        assert len(set(inside)) > 3 and seen == sorted(seen) and seen[-1] == 1

        def cancel_inside(done: int, total: int, _label: str) -> None:
            if total and 0 < done / total < 1:
                stopping.cancel()

        stopping = Progress(cancel_inside)
        with pytest.raises(Cancelled):
            import_files(o["ROEA"], [packet], progress=stopping)
        assert live(o["ROEA"]) == 0


def test_an_incident_edit_reindexes_its_visit_at_the_region(tmp_path: Path) -> None:
    """Only the incident's summary changes: the region's search must follow it."""
    with offices(tmp_path, FIELD, REGION) as o:
        field, region = o["KE-NBO"], o["ROEA"]
        (visit_id,) = add_visits(field, 1)
        import_packet(region, export_packet(field, "ROEA", tmp_path / "p1.fieldkit").paths[0])
        assert list_visits(region, VisitFilter(text="Beating")).total == 1
        stored = get_visit(field, visit_id)
        renamed = replace(stored.incidents[0], summary="Electric shocks in cell 4")
        save_visit(field, replace(stored, incidents=(renamed,)))
        summary = import_packet(region, export_packet(field, "ROEA", tmp_path / "p2.fieldkit").paths[0])
        assert summary.updated >= 1
        assert list_visits(region, VisitFilter(text="Electric")).total == 1
        assert list_visits(region, VisitFilter(text="Beating")).total == 0
