"""A record type declared once, with no other code changed, is validated, synced, searched,
shown in conflicts, exported and merged like the types FieldKit ships."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_offices import offices, visit

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.services.conflicts import list_conflicts
from fieldkit.services.data import export_data, stats
from fieldkit.services.monitoring import save_visit
from fieldkit.services.people import find_duplicates, merge
from fieldkit.services.records import create_record, get_record, update_record
from fieldkit.services.search import search_records
from fieldkit.store import registry
from fieldkit.store.base import Base
from fieldkit.store.system import PeerAck
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")
HQ = ("HQ", "headquarters", None)


@pytest.fixture(scope="module")
def site_note() -> Iterator[type[Base]]:
    from site_note import SiteNote

    registry.register(SiteNote)
    yield SiteNote
    registry.unregister(SiteNote)
    Base.metadata.remove(SiteNote.__table__)  # type: ignore[arg-type]


def _with_table(ctx: Context, model: type[Base]) -> Context:
    model.__table__.create(ctx.store.write_engine)  # type: ignore[attr-defined]
    return ctx


def _acked_everything_from(ctx: Context, peer: str, origin: str) -> None:
    """As if ``peer`` had acknowledged every change of ``origin`` this office holds."""
    from sqlalchemy import func, select

    from fieldkit.store.system import ChangeLog

    with unchecked(), ctx.store.write() as s:
        last = s.execute(select(func.max(ChangeLog.seq)).where(ChangeLog.origin_office == origin)).scalar()
        s.merge(PeerAck(peer=peer, origin_office=origin, last_seq=int(last or 0)))


def test_the_order_of_types_comes_from_their_references(site_note: type[Base]) -> None:
    order = [m.record_type for m in registry.record_models()]
    assert order.index("monitoring_visit") < order.index("site_note")
    assert order.index("monitoring_visit") < order.index("incident") < order.index("involvement")
    assert order.index("recommendation") < order.index("follow_up_recommendation")
    assert registry.coded_fields("site_note") == {"condition": "sensitivity_level"}
    assert registry.restricted_fields("site_note") == {"informant"}
    assert "site_note" in registry.search_roots() and "site_note" in registry.mergeable_types()


def test_a_declared_type_is_validated_from_its_declaration(tmp_path: Path, site_note: type[Base]) -> None:
    with offices(tmp_path, FIELD) as o:
        field = _with_table(o["KE-NBO"], site_note)
        visit_id = save_visit(field, visit()).value.id
        with pytest.raises(ValidationError) as bad:
            create_record(field, "site_note", {"visit_id": visit_id, "title": "", "condition": "secret-ish"})
        assert bad.value.fields == {
            "title": "Required",
            "condition": "Unknown code 'secret-ish' for condition",
        }
        with pytest.raises(ValidationError) as long:
            create_record(field, "site_note", {"visit_id": visit_id, "title": "x" * 121})
        assert "120" in long.value.fields["title"]
        assert stats(field)["site_note"] == {"live": 0, "deleted": 0}


def test_a_declared_type_syncs_waits_for_its_reference_is_found_titled_and_exported(
    tmp_path: Path, site_note: type[Base]
) -> None:
    with offices(tmp_path, FIELD, REGION, HQ) as o:
        field, region, hq = (_with_table(o[c], site_note) for c in ("KE-NBO", "ROEA", "HQ"))
        visit_id = save_visit(field, visit("Visit to Shimo la Tewa")).value.id or ""
        import_packet(region, export_packet(field, "ROEA", tmp_path / "a.fieldkit").paths[0])
        note = create_record(
            region,
            "site_note",
            {
                "visit_id": visit_id,
                "title": "Generator broken",
                "condition": "internal",
                "informant": "Amina",
            },
        )
        # headquarters gets the region's note before the field office's visit it points at
        _acked_everything_from(region, "HQ", "KE-NBO")
        early = import_packet(hq, export_packet(region, "HQ", tmp_path / "b.fieldkit").paths[0])
        assert early.held >= 1 and stats(hq)["site_note"]["live"] == 0
        late = import_packet(hq, export_packet(field, "HQ", tmp_path / "c.fieldkit").paths[0])
        assert late.released >= 1
        assert get_record(hq, "site_note", note["id"])["title"] == "Generator broken"

        hits = search_records(hq, "generator")
        assert [(h.record_type, h.record_id, h.title) for h in hits] == [
            ("site_note", note["id"], "Generator broken")
        ]
        assert search_records(hq, "generator", ("monitoring_visit",)) == []

        # two offices retitle it at once: the conflict names the note by its title
        update_record(hq, "site_note", note["id"], {"title": "Generator repaired"})
        update_record(region, "site_note", note["id"], {"title": "Generator stolen"})
        import_packet(hq, export_packet(region, "HQ", tmp_path / "d.fieldkit").paths[0])
        conflicts = list_conflicts(hq)
        assert [(c.record_type, c.field) for c in conflicts] == [("site_note", "title")]
        assert conflicts[0].record_title in {"Generator repaired", "Generator stolen"}

        out = tmp_path / "export"
        export_data(hq, "jsonl", out)
        (line,) = (out / "site_note.jsonl").read_text("utf-8").splitlines()
        exported = json.loads(line)
        assert exported["id"] == note["id"] and exported["informant"] == "[restricted]"


def test_a_declared_mergeable_type_is_found_twice_and_merged(tmp_path: Path, site_note: type[Base]) -> None:
    with offices(tmp_path, FIELD) as o:
        field = _with_table(o["KE-NBO"], site_note)
        visit_id = save_visit(field, visit()).value.id
        first = create_record(field, "site_note", {"visit_id": visit_id, "title": "Water pump broken"})
        second = create_record(field, "site_note", {"visit_id": visit_id, "title": "Water pump brokn"})
        create_record(field, "site_note", {"visit_id": visit_id, "title": "Roof leaking"})
        pairs = find_duplicates(field, "site_note")
        assert [{p.first.id, p.second.id} for p in pairs] == [{first["id"], second["id"]}]
        merge(field, "site_note", first["id"], second["id"])
        assert stats(field)["site_note"] == {"live": 2, "deleted": 1}
        assert [h.record_id for h in search_records(field, "pump")] == [first["id"]]
