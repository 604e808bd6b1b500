"""Declared maximum lengths hold for what partners send, not only for what the window types."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from sync_offices import offices, visit

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.crypto import agebox, minisign
from fieldkit.domain.keys import local_keys
from fieldkit.domain.vocab import vocabularies
from fieldkit.errors import FieldKitError, ValidationError
from fieldkit.opening import open_context
from fieldkit.services.conflicts import list_conflicts, resolve
from fieldkit.services.monitoring import get_visit, save_visit
from fieldkit.services.records import update_record
from fieldkit.services.vocab import add_term
from fieldkit.store.records import MonitoringVisit
from fieldkit.store.system import Office
from fieldkit.sync import packet as fmt
from fieldkit.sync.changes import Change, RowError, check_values
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

TITLE_LIMIT = 400  # MonitoringVisit.title is String(400)
VISIT_ID = "0" * 8 + "-0000-7000-8000-" + "0" * 12


def _visit_change(op: str, **data: object) -> Change:
    return Change("KE-NBO", 1, "monitoring_visit", VISIT_ID, 1, op, "2026-03-02T10:00:00.000000", "someone",
                  dict(data))  # fmt: skip


def test_the_declared_limit_is_the_one_checked() -> None:
    assert MonitoringVisit.__table__.c.title.type.length == TITLE_LIMIT


def test_an_update_longer_than_its_column_is_a_bad_row() -> None:
    with pytest.raises(RowError, match=r"title.*400"):
        check_values(_visit_change("update", title="x" * (TITLE_LIMIT + 1)), {})
    assert check_values(_visit_change("update", title="x" * TITLE_LIMIT), {}) == []


def _resigned_with_title(good: Path, dst: Path, o: dict, title: str, op: str) -> Path:
    """The packet as a misbehaving but trusted sender would write it: valid hashes and signature."""
    keys, identity = local_keys(o["KE-NBO"]), local_keys(o["ROEA"]).age_identity
    with unchecked(), o["ROEA"].store.read() as session:
        roea = session.get(Office, "ROEA")
        assert roea is not None
        recipient = roea.age_recipient
    with zipfile.ZipFile(good) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    rows = [json.loads(line) for line in agebox.decrypt(members[fmt.PAYLOAD], identity).splitlines()]
    next(r for r in rows if r["type"] == "monitoring_visit" and r["op"] == op)["data"]["title"] = title
    payload = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    members[fmt.PAYLOAD] = agebox.encrypt(payload, [recipient, keys.age_recipient])
    manifest = json.loads(members[fmt.MANIFEST])
    manifest["members"] = [
        {"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
        for n, d in members.items()
        if n not in (fmt.MANIFEST, fmt.SIGNATURE)
    ]
    members[fmt.MANIFEST] = json.dumps(manifest).encode()
    members[fmt.SIGNATURE] = minisign.sign(
        members[fmt.MANIFEST], keys.minisign, fmt.trusted_comment(manifest)
    ).encode()
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(fmt.entry(name), data)
    return dst


@pytest.mark.parametrize("op", ["create", "update"])
def test_a_trusted_partners_overlong_title_is_refused_and_the_store_unchanged(
    tmp_path: Path, op: str
) -> None:
    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA"), ("ROEA", "regional-office", None)) as o:
        saved = save_visit(o["KE-NBO"], visit()).value
        save_visit(o["KE-NBO"], dataclasses.replace(saved, title="Visit to Kamiti prison, second day"))
        good = export_packet(o["KE-NBO"], "ROEA", tmp_path / "good.fieldkit").paths[0]
        bad = _resigned_with_title(good, tmp_path / "long.fieldkit", o, "x" * (TITLE_LIMIT + 1), op)
        fits = _resigned_with_title(good, tmp_path / "fits.fieldkit", o, "x" * TITLE_LIMIT, op)
        db = tmp_path / "ROEA.db"
        o["ROEA"].close()
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        o["ROEA"] = open_context(db)
        with pytest.raises(FieldKitError, match="title"):
            import_packet(o["ROEA"], bad)
        o["ROEA"].close()
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "the store changed"
        o["ROEA"] = open_context(db)
        assert import_packet(o["ROEA"], fits).new > 0


def test_an_office_term_longer_than_its_column_is_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="80"):
        add_term(ctx, "visit_type", "x" * 81, {"en": "Too long"})
    assert not vocabularies(ctx).has("visit_type", "x" * 81)
    add_term(ctx, "visit_type", "x" * 80, {"en": "Just fits"})
    assert vocabularies(ctx).has("visit_type", "x" * 80)


def test_a_conflict_settled_with_overlong_text_is_refused(tmp_path: Path) -> None:
    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA"), ("ROEA", "regional-office", None)) as o:
        stored = save_visit(o["KE-NBO"], visit()).value
        assert stored.id is not None
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "1.fieldkit").paths[0])
        update_record(o["KE-NBO"], "monitoring_visit", stored.id, {"title": "Field title"})
        update_record(o["ROEA"], "monitoring_visit", stored.id, {"title": "Regional title"})
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "2.fieldkit").paths[0])
        [conflict] = list_conflicts(o["ROEA"])
        with pytest.raises(ValidationError, match="400"):
            resolve(
                o["ROEA"], "monitoring_visit", stored.id, [conflict.id], {"title": "x" * (TITLE_LIMIT + 1)}
            )
        assert [c.id for c in list_conflicts(o["ROEA"])] == [conflict.id]
        assert get_visit(o["ROEA"], stored.id).title in ("Field title", "Regional title")
