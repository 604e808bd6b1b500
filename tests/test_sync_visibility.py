"""Who receives what: sibling field offices, shared identities, and edits that go back to the owner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sync_offices import add_visits, offices, visit

from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.services.data import stats
from fieldkit.services.monitoring import get_visit, save_visit
from fieldkit.services.records import create_record, update_record
from fieldkit.sync.export import export_packet, parse_size
from fieldkit.sync.importer import import_files, import_packet, refusal_log_path

KENYA = ("KE-NBO", "country-office", "ROEA")
UGANDA = ("UG-KLA", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")
#: what a field office writes when it records a visit
MONITORING = ("monitoring_visit", "incident", "follow_up", "person", "involvement")


def send(o: dict[str, Context], src: str, dst: str, tmp: Path, **options: bool) -> dict[str, int]:
    """Export from ``src`` to ``dst`` and import it there; the counts of what travelled."""
    n = len(list(tmp.glob("*.fieldkit")))
    result = export_packet(o[src], dst, tmp / f"{n:03d}-{src}-{dst}.fieldkit", **options)
    import_packet(o[dst], result.paths[0])
    return result.counts


def held(ctx: Context, record_type: str) -> int:
    counts = stats(ctx)[record_type]
    return counts["live"] + counts["deleted"]


def test_a_field_office_never_receives_a_sibling_s_monitoring_through_the_region(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, UGANDA, REGION) as o:
        kenyan = add_visits(o["KE-NBO"], 2, "Kenya")
        create_record(o["KE-NBO"], "organisation", {"name": "Ministry of Justice"})
        uganda = save_visit(o["UG-KLA"], visit("Luzira prison")).value.id
        send(o, "KE-NBO", "ROEA", tmp_path)
        send(o, "UG-KLA", "ROEA", tmp_path)
        # the region works on the Kenyan visit; that edit is still not the sibling's to see
        update_record(o["ROEA"], "monitoring_visit", kenyan[0], {"narrative": "Reviewed at the region"})
        to_uganda = send(o, "ROEA", "UG-KLA", tmp_path)

        assert all(kind not in to_uganda for kind in MONITORING), to_uganda
        assert to_uganda.get("organisation") == 1  # reference data reaches everyone
        assert held(o["UG-KLA"], "organisation") == 1
        assert held(o["UG-KLA"], "monitoring_visit") == 1 and get_visit(o["UG-KLA"], uganda or "").title
        for kind in ("incident", "follow_up", "person", "involvement"):
            assert held(o["UG-KLA"], kind) == 1, kind  # its own visit's, nothing of Kenya's
        # and the Kenyan office gets its own visit back with the region's edit, not Uganda's
        to_kenya = send(o, "ROEA", "KE-NBO", tmp_path)
        assert to_kenya == {"monitoring_visit": 1}
        assert get_visit(o["KE-NBO"], kenyan[0]).narrative == "Reviewed at the region"
        assert held(o["KE-NBO"], "monitoring_visit") == 2
        assert held(o["KE-NBO"], "organisation") == 1


@pytest.mark.parametrize("share", [True, False])
def test_identities_travel_only_when_shared(tmp_path: Path, share: bool) -> None:
    with offices(tmp_path, KENYA, REGION) as o:
        visit_id = add_visits(o["KE-NBO"], 1)[0]
        counts = send(o, "KE-NBO", "ROEA", tmp_path, share_identities=share)
        person = get_visit(o["ROEA"], visit_id).people[0]
        assert person.code == "V-1"  # the person travels under a code either way
        if share:
            assert counts.get("person_identity") == 1
            assert person.full_name == "Omar Haddad" and held(o["ROEA"], "person_identity") == 1
        else:
            assert "person_identity" not in counts
            assert person.full_name == "" and held(o["ROEA"], "person_identity") == 0


def test_a_partner_s_edits_to_records_the_recipient_owns_go_back_to_it(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, UGANDA, REGION) as o:
        v = save_visit(o["KE-NBO"], visit("Kamiti prison", "First account.")).value
        assert v.id is not None and v.incidents[0].id is not None and v.follow_ups[0].id is not None
        send(o, "KE-NBO", "ROEA", tmp_path)
        save_visit(o["ROEA"], visit("Regional mission"))
        update_record(o["ROEA"], "monitoring_visit", v.id, {"narrative": "Corrected at the region."})
        update_record(o["ROEA"], "incident", v.incidents[0].id, {"summary": "Beating, two witnesses"})
        update_record(o["ROEA"], "follow_up", v.follow_ups[0].id, {"responsible": "Regional desk"})

        to_owner = send(o, "ROEA", "KE-NBO", tmp_path)
        assert to_owner == {"monitoring_visit": 1, "incident": 1, "follow_up": 1}
        back = get_visit(o["KE-NBO"], v.id)
        assert back.narrative == "Corrected at the region."
        assert back.incidents[0].summary == "Beating, two witnesses"
        assert back.follow_ups[0].responsible == "Regional desk"
        assert held(o["KE-NBO"], "monitoring_visit") == 1  # not the region's own mission
        # the sibling owns none of it, so none of it goes there
        to_sibling = send(o, "ROEA", "UG-KLA", tmp_path)
        assert all(kind not in to_sibling for kind in MONITORING), to_sibling


@pytest.mark.parametrize(
    ("text", "size"),
    [("65536", 65536), ("64k", 65536), ("64 KiB", 65536), ("10M", 10 * 1024**2), ("1.5m", 1572864),
     ("2G", 2 * 1024**3), ("2gb", 2 * 1024**3)],
)  # fmt: skip
def test_parse_size_reads_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(("text", "message"), [("ten", "Not a size: ten"), ("10T", "Not a size"),
                                                ("", "Not a size"), ("63k", "at least 64 KB")])  # fmt: skip
def test_parse_size_refuses_what_is_not_a_part_size(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_size(text)


def test_refused_packets_are_logged_beside_the_store_but_replays_are_not(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        good = export_packet(o["KE-NBO"], "ROEA", tmp_path / "good.fieldkit").paths[0]
        bad = tmp_path / "bad.fieldkit"
        bad.write_bytes(good.read_bytes()[:200])
        log = refusal_log_path(o["ROEA"])
        assert log == tmp_path / "ROEA.db.sync-log.jsonl"

        first = import_files(o["ROEA"], [good, bad])
        assert [s.status for s in first] == ["imported", "refused"]
        again = import_files(o["ROEA"], [good])
        assert again[0].status == "already-imported"

        entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        assert len(entries) == 1  # the replay is not news
        entry = entries[0]
        assert entry["file"] == "bad.fieldkit" and entry["status"] == "refused"
        assert entry["refusal"] == "packet" and entry["reason"] == first[1].reason != ""
        assert entry["user"] == o["ROEA"].user and entry["at"]
