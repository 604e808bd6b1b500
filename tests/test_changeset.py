"""Every mutation says what it changed: record types, and whether vocabularies, areas or offices did."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sync_offices import offices, visit

from fieldkit.changeset import NO_CHANGES, ChangeSet, combined
from fieldkit.context import Context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.conflicts import list_conflicts, resolve
from fieldkit.services.monitoring import add_attachment, delete_visit, restore_visit, save_visit
from fieldkit.services.office import init_office
from fieldkit.services.people import merge
from fieldkit.services.records import create_record, update_record
from fieldkit.services.vocab import add_term
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_files, import_packet

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")
VISIT_TYPES = {"monitoring_visit", "incident", "follow_up", "person", "person_identity", "involvement"}


def test_union_touches_and_the_flags_record_types_raise() -> None:
    saved = ChangeSet.of(["monitoring_visit", "incident"])
    imported = ChangeSet.of(["admin_area", "vocabulary_term"], packets=True)
    assert not saved.vocab and not saved.areas and not saved.offices
    assert imported.vocab and imported.areas and imported.packets
    both = saved | imported
    assert both.record_types == {"monitoring_visit", "incident", "admin_area", "vocabulary_term"}
    assert both.vocab and both.areas and both.packets and not both.conflicts
    assert both.touches("follow_up", "incident") and not both.touches("participant")
    assert combined([saved, imported]) == both and combined([]) == NO_CHANGES
    assert not NO_CHANGES and saved and ChangeSet(offices=True)


def test_save_attach_delete_and_restore_name_the_record_types_they_wrote(
    ctx: Context, tmp_path: Path
) -> None:
    created = save_visit(ctx, visit())
    assert created.changes == ChangeSet.of(VISIT_TYPES)
    stored = created.value
    assert stored.id is not None and stored.title == "Visit to Kamiti prison" and stored.version == 1

    edited = save_visit(ctx, replace(stored, narrative="Water shortage in block C."))
    assert edited.changes == ChangeSet.of({"monitoring_visit"})
    assert edited.value.narrative == "Water shortage in block C." and edited.value.version == 2

    photo = tmp_path / "cell.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    attached = add_attachment(ctx, stored.id, photo, "Cell 4")
    assert attached.value.filename == "cell.jpg" and attached.changes == ChangeSet.of({"attachment"})

    deleted = delete_visit(ctx, stored.id)
    assert deleted == ChangeSet.of(VISIT_TYPES | {"attachment"})
    assert restore_visit(ctx, stored.id) == ChangeSet.of(VISIT_TYPES | {"attachment"})


def test_office_set_up_and_trust_change_the_office_list(tmp_path: Path, bare_ctx: Context) -> None:
    made = init_office(bare_ctx, "UG-KLA", "Uganda office", "country-office")
    assert made.value.code == "UG-KLA"
    assert made.changes == ChangeSet(offices=True)
    with offices(tmp_path, FIELD) as o:
        write_card(o["KE-NBO"], tmp_path / "ke.card.json")
        trusted = trust_card(bare_ctx, read_card(bare_ctx, tmp_path / "ke.card.json"))
    assert trusted.value.code == "KE-NBO" and trusted.changes == ChangeSet(offices=True)


def test_merge_reports_the_records_it_moved_and_the_alias(ctx: Context) -> None:
    event = create_record(ctx, "training_event", {"title": "Monitoring detention", "event_type": "workshop"})
    keep = create_record(ctx, "participant", {"full_name": "Amina Yusuf"})
    gone = create_record(ctx, "participant", {"full_name": "Amina Yusuf"})
    create_record(ctx, "attendance", {"event_id": event["id"], "participant_id": gone["id"]})
    changes = merge(ctx, "participant", keep["id"], gone["id"])
    assert changes == ChangeSet.of({"participant", "attendance", "record_alias"})


def test_resolving_a_conflict_reports_the_record_and_the_conflicts(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        stored = save_visit(o["KE-NBO"], visit()).value
        assert stored.id is not None
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "1.fieldkit").paths[0])
        update_record(o["KE-NBO"], "monitoring_visit", stored.id, {"narrative": "Field account."})
        update_record(o["ROEA"], "monitoring_visit", stored.id, {"narrative": "Regional account."})
        second = export_packet(o["KE-NBO"], "ROEA", tmp_path / "2.fieldkit").paths[0]
        imported = import_packet(o["ROEA"], second)
        assert imported.conflicting == 1 and imported.changes.conflicts
        [conflict] = list_conflicts(o["ROEA"])
        changes = resolve(o["ROEA"], "monitoring_visit", stored.id, [conflict.id], {"narrative": "Agreed."})
    assert changes == ChangeSet.of({"monitoring_visit"}, conflicts=True)


def test_an_import_reports_areas_terms_and_visits_it_brought(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        field = o["KE-NBO"]
        area = create_record(field, "admin_area", {"name": "Kibera", "level": 2})
        add_term(field, "visit_type", "school-visit", {"en": "School visit"})
        school = replace(visit("At the school"), visit_type="school-visit", admin_area_id=area["id"])
        save_visit(field, school)
        packet = export_packet(field, "ROEA", tmp_path).paths[0]

        dry = import_packet(o["ROEA"], packet, dry_run=True)
        assert dry.by_type and dry.changes == NO_CHANGES  # a dry run changes nothing

        [summary] = import_files(o["ROEA"], [packet])
        # identities stay home
        brought = VISIT_TYPES - {"person_identity"} | {"admin_area", "vocabulary_term"}
        assert summary.changes == ChangeSet.of(brought, offices=True, conflicts=True, packets=True)
        assert summary.changes.areas and summary.changes.vocab
        assert summary.to_json()["changes"]["record_types"][0] == "admin_area"

        [replay] = import_files(o["ROEA"], [packet])
        assert replay.status == "already-imported" and replay.changes == NO_CHANGES
