"""A packet leaves the office in its maker's hands: a user who may not see everything it would
carry cannot make it, and a packet is never made incomplete to suit them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from clearance_users import as_user
from sync_offices import offices, visit

from fieldkit.context import Context
from fieldkit.services.data import stats
from fieldkit.services.monitoring import save_visit
from fieldkit.services.records import create_record
from fieldkit.sync.carried import PacketBeyondClearance
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet
from fieldkit.sync.outbox import outgoing_changes

KENYA = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")


def save_at(ctx: Context, title: str, level: str) -> str:
    return save_visit(ctx, dataclasses.replace(visit(title), confidentiality=level)).value.id or ""


def test_a_user_cannot_carry_visits_above_their_clearance_out_in_a_packet(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, REGION) as o:
        kenya = o["KE-NBO"]
        save_at(kenya, "Market visit", "internal")
        save_at(kenya, "Kamiti prison", "confidential")
        save_at(kenya, "Safe house", "strictly-confidential")
        waiting = outgoing_changes(kenya)["ROEA"]
        out = tmp_path / "stick"
        out.mkdir()

        with pytest.raises(PacketBeyondClearance) as refused:
            export_packet(as_user(kenya, "internal", "amina"), "ROEA", out)
        message = str(refused.value)
        # both hidden visits, whatever their children, and who can make the packet instead
        assert "2 records above the clearance of amina (internal)" in message
        assert "strictly-confidential" in message
        assert refused.value.beyond.hidden == 2 and refused.value.beyond.needed == "strictly-confidential"
        # nothing written, nothing logged as sent
        assert list(out.iterdir()) == []
        assert outgoing_changes(kenya)["ROEA"] == waiting

        with pytest.raises(PacketBeyondClearance) as refused_again:
            export_packet(as_user(kenya, "confidential", "joseph"), "ROEA", out)
        assert refused_again.value.beyond.hidden == 1

        # someone cleared for everything sends it whole, and the region holds all three
        sent = export_packet(as_user(kenya, "strictly-confidential", "head"), "ROEA", out)
        import_packet(o["ROEA"], sent.paths[0])
        assert stats(o["ROEA"])["monitoring_visit"]["live"] == 3
        assert stats(o["ROEA"])["incident"]["live"] == 3


def test_a_packet_within_the_clearance_is_made_as_before(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, REGION) as o:
        kenya = o["KE-NBO"]
        save_at(kenya, "Market visit", "public")
        save_at(kenya, "Court hearing", "internal")
        result = export_packet(as_user(kenya, "internal", "amina"), "ROEA", tmp_path / "p.fieldkit")
        assert result.counts["monitoring_visit"] == 2
        # a packet the region sends back is within the clearance too
        import_packet(o["ROEA"], result.paths[0])
        assert stats(o["ROEA"])["monitoring_visit"]["live"] == 2


def test_identifying_details_travel_only_in_packets_made_by_users_who_may_see_them(tmp_path: Path) -> None:
    with offices(tmp_path, KENYA, REGION) as o:
        kenya = o["KE-NBO"]
        save_at(kenya, "Court hearing", "internal")
        officer = as_user(kenya, "internal", "amina")
        # identities stay home unless shared: without them, nothing in this packet is beyond her
        with pytest.raises(PacketBeyondClearance) as refused:
            export_packet(officer, "ROEA", tmp_path, share_identities=True)
        assert refused.value.beyond.identifying == 1 and refused.value.beyond.hidden == 0
        assert "identifying details of 1 record" in str(refused.value)
        assert list(tmp_path.glob("*.fieldkit")) == []

        # a participant's name and contacts are identifying details too
        create_record(kenya, "participant", {"full_name": "Grace Wanjiru", "phone": "+254 711 111"})
        with pytest.raises(PacketBeyondClearance) as refused:
            export_packet(officer, "ROEA", tmp_path)
        assert refused.value.beyond.identifying == 1
        assert refused.value.beyond.needed == "confidential"

        cleared = as_user(kenya, "confidential", "joseph")
        sent = export_packet(cleared, "ROEA", tmp_path, share_identities=True)
        assert sent.counts["participant"] == 1 and sent.counts["person_identity"] == 1
