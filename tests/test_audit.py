"""The audit trail: a hash chain that shows an edited, removed or cut-off entry, naming the first
broken link; every kind of change and event audited; the services that list and verify it."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from sync_offices import offices, visit

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.services.audit import (
    AuditFilter,
    audit_key_export,
    audit_page,
    audit_report,
    audit_users,
    describe,
    verify_audit,
)
from fieldkit.services.data import export_data
from fieldkit.services.monitoring import delete_visit, restore_visit, save_visit
from fieldkit.services.people import merge
from fieldkit.services.records import create_record, delete_record, restore_record, update_record
from fieldkit.store import audit as chain
from fieldkit.store.system import AuditLog, Setting
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_files, import_packet

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")


def _rows(ctx: Context) -> list[AuditLog]:
    with unchecked(), ctx.store.read() as session:
        return list(session.execute(select(AuditLog).order_by(AuditLog.id)).scalars())


def _raw(ctx: Context, sql: str, *params: object) -> None:
    """Tamper with the store as someone with the file and the sqlite3 tool would."""
    assert ctx.store.path is not None
    conn = sqlite3.connect(ctx.store.path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def _busy_store(ctx: Context) -> list[str]:
    """A few visits created, edited, deleted and restored: a chain of a few dozen rows."""
    ids = []
    for n in range(3):
        stored = save_visit(ctx, visit(f"Visit {n}")).value
        assert stored.id is not None
        ids.append(stored.id)
    update_record(ctx, "monitoring_visit", ids[0], {"narrative": "Cells hold 40."})
    delete_visit(ctx, ids[1])
    restore_visit(ctx, ids[1])
    return ids


def test_every_row_is_chained_to_the_one_before_and_the_head_follows(ctx: Context) -> None:
    _busy_store(ctx)
    rows = _rows(ctx)
    assert len(rows) > 10
    assert rows[0].prev_hash == chain.GENESIS
    for before, row in itertools.pairwise(rows):
        assert row.prev_hash == before.hash and row.id == before.id + 1
    for row in rows:
        content = {c: getattr(row, c) for c in chain.HASHED_COLUMNS}
        assert chain.row_hash(content, row.prev_hash or "") == row.hash
    with unchecked(), ctx.store.read() as session:
        value = session.execute(select(Setting.value).where(Setting.key == chain.HEAD_KEY)).scalar_one()
    head = orjson.loads(value)
    assert head == {"count": len(rows), "id": rows[-1].id, "hash": rows[-1].hash}
    verdict = verify_audit(ctx)
    assert verdict.ok and verdict.checked == len(rows) and verdict.predating == 0
    assert f"{len(rows)} entries" in verdict.message


@pytest.mark.parametrize(
    ("column", "value"), [("actor", "someone-else"), ("old", '{"narrative": "Nothing happened."}')]
)
def test_an_edited_row_is_named(ctx: Context, column: str, value: str) -> None:
    _busy_store(ctx)
    target = next(r for r in _rows(ctx) if r.action == "update" and r.old and "narrative" in r.old)
    _raw(ctx, f"UPDATE audit_log SET {column} = ? WHERE id = ?", value, target.id)
    verdict = verify_audit(ctx)
    assert not verdict.ok
    assert (verdict.problem, verdict.row_id, verdict.at) == ("edited", target.id, target.at)
    assert verdict.checked == target.id - 1  # every row before it still checks
    assert f"entry {target.id} " in verdict.message and "changed" in verdict.message


def test_a_rehashed_row_still_breaks_the_link_after_it(ctx: Context) -> None:
    """Whoever edits a row and recomputes its hash breaks the next row's link instead."""
    _busy_store(ctx)
    rows = _rows(ctx)
    target = rows[5]
    content = {c: getattr(target, c) for c in chain.HASHED_COLUMNS} | {"actor": "someone-else"}
    forged = chain.row_hash(content, target.prev_hash or "")
    _raw(ctx, "UPDATE audit_log SET actor = ?, hash = ? WHERE id = ?", "someone-else", forged, target.id)
    verdict = verify_audit(ctx)
    assert (verdict.problem, verdict.row_id) == ("missing", rows[6].id)
    assert verdict.missing == 0 and "removed or replaced" in verdict.message


def test_a_removed_row_in_the_middle_is_named(ctx: Context) -> None:
    _busy_store(ctx)
    rows = _rows(ctx)
    _raw(ctx, "DELETE FROM audit_log WHERE id = ?", rows[7].id)
    verdict = verify_audit(ctx)
    assert (verdict.problem, verdict.row_id, verdict.missing) == ("missing", rows[8].id, 1)
    assert f"before entry {rows[8].id} " in verdict.message and "1 entry is missing" in verdict.message


def test_removed_last_rows_are_caught_by_the_head(ctx: Context) -> None:
    _busy_store(ctx)
    rows = _rows(ctx)
    _raw(ctx, "DELETE FROM audit_log WHERE id >= ?", rows[-2].id)
    verdict = verify_audit(ctx)
    assert (verdict.problem, verdict.row_id, verdict.missing) == ("head", rows[-3].id, 2)
    assert "2 entries after entry" in verdict.message
    _raw(ctx, "DELETE FROM audit_log")
    verdict = verify_audit(ctx)
    assert (verdict.problem, verdict.row_id, verdict.missing) == ("head", None, len(rows))
    assert f"all {len(rows)} of its entries are missing" in verdict.message


def test_a_row_added_without_its_head_and_a_removed_head_are_caught(ctx: Context) -> None:
    _busy_store(ctx)
    last = _rows(ctx)[-1]
    content = {c: getattr(last, c) for c in chain.HASHED_COLUMNS} | {"id": last.id + 1, "actor": "forger"}
    forged = chain.row_hash(content, last.hash or "")
    _raw(
        ctx,
        "INSERT INTO audit_log (id, at, actor, action, record_type, record_id, origin_office, seq, old, "
        "detail, prev_hash, hash) SELECT id + 1, at, 'forger', action, record_type, record_id, "
        "origin_office, seq, old, detail, hash, ? FROM audit_log WHERE id = ?",
        forged,
        last.id,
    )
    assert verify_audit(ctx).problem == "head"
    _raw(ctx, "DELETE FROM setting WHERE key = ?", chain.HEAD_KEY)
    assert verify_audit(ctx).problem == "head"
    # the next change cannot quietly start a fresh head: the reset is reported from then on
    create_record(ctx, "organisation", {"name": "Legal Aid Centre"})
    verdict = verify_audit(ctx)
    assert verdict.problem == "head" and "written again" in verdict.message


def test_rows_from_before_the_chain_are_counted_apart(ctx: Context) -> None:
    """A store upgraded from before the chain: its old rows have no hash; the chain starts after them."""
    _raw(ctx, "DELETE FROM audit_log")
    _raw(ctx, "DELETE FROM setting WHERE key = ?", chain.HEAD_KEY)
    for n in range(1, 4):
        _raw(
            ctx,
            "INSERT INTO audit_log (id, at, actor, action, record_type, record_id, origin_office, seq) "
            "VALUES (?, '2025-01-01 00:00:00.000000', 'old', 'create', 'organisation', ?, 'KE-NBO', ?)",
            n,
            f"r{n}",
            n,
        )
    assert verify_audit(ctx).ok
    create_record(ctx, "organisation", {"name": "Legal Aid Centre"})
    update_record(ctx, "organisation", _rows(ctx)[-1].record_id, {"name": "Legal Aid"})
    rows = _rows(ctx)
    assert rows[3].prev_hash == chain.GENESIS
    verdict = verify_audit(ctx)
    assert (verdict.ok, verdict.checked, verdict.predating) == (True, 2, 3)
    assert "3 older entries predate the chain" in verdict.message
    # a chained row whose hash is taken away does not pass for an old one
    _raw(ctx, "UPDATE audit_log SET hash = NULL WHERE id = ?", rows[-1].id)
    assert (verify_audit(ctx).problem, verify_audit(ctx).row_id) == ("unhashed", rows[-1].id)


def test_merge_delete_cascade_and_restore_rows_carry_their_action(ctx: Context) -> None:
    keep = create_record(ctx, "participant", {"full_name": "Amina Yusuf"})
    gone = create_record(ctx, "participant", {"full_name": "Amina Yusuf"})
    event = create_record(ctx, "training_event", {"title": "Monitoring detention", "event_type": "workshop"})
    create_record(ctx, "attendance", {"event_id": event["id"], "participant_id": gone["id"]})
    before = len(_rows(ctx))
    merge(ctx, "participant", keep["id"], gone["id"])
    merged = _rows(ctx)[before:]
    assert merged and {r.action for r in merged} == {"merge"}
    # the copy retired, its alias made (the attendance reaches the survivor through the alias)
    assert {r.detail["op"] for r in merged if r.detail} == {"delete", "create"}
    assert all(r.detail and r.detail["kept"] == keep["id"] for r in merged)
    assert describe(audit_page(ctx, AuditFilter(action="merge")).rows[0]).startswith("Merged")

    visit_id = save_visit(ctx, visit()).value.id
    assert visit_id is not None
    before = len(_rows(ctx))
    delete_visit(ctx, visit_id)
    deleted = _rows(ctx)[before:]
    assert len(deleted) > 3 and {r.action for r in deleted} == {"delete"}
    before = len(_rows(ctx))
    restore_visit(ctx, visit_id)
    assert {r.action for r in _rows(ctx)[before:]} == {"restore"}
    delete_record(ctx, "participant", keep["id"])
    restore_record(ctx, "participant", keep["id"])
    assert [r.action for r in _rows(ctx)[-2:]] == ["delete", "restore"]
    assert verify_audit(ctx).ok


def test_exports_and_imports_are_audited_and_the_chain_holds(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        field, region = o["KE-NBO"], o["ROEA"]
        save_visit(field, visit())
        written = export_data(field, "jsonl", tmp_path / "out")
        [export] = [r for r in _rows(field) if r.action == "export"]
        assert export.actor == field.user and export.detail is not None
        assert export.detail["kind"] == "data" and export.detail["format"] == "jsonl"
        assert export.detail["files"] == sorted(p.name for p in written)
        assert export.detail["by_type"]["monitoring_visit"] == 1
        assert "Overcrowding" not in orjson.dumps(export.detail).decode()  # counts, never contents

        packet = export_packet(field, "ROEA", tmp_path / "1.fieldkit").paths[0]
        sent = _rows(field)[-1]
        assert sent.action == "export" and sent.detail is not None
        assert sent.detail["kind"] == "packet" and sent.detail["to"] == "ROEA"
        assert sent.detail["file"] == packet.name and sent.detail["changes"] > 0

        summary = import_packet(region, packet)
        [imported] = [r for r in _rows(region) if r.action == "import"]
        assert imported.detail is not None
        assert imported.detail["sender"] == "KE-NBO" and imported.detail["file"] == packet.name
        assert imported.detail["status"] == "imported" and imported.detail["new"] == summary.new > 0
        listed = audit_page(region, AuditFilter(action="import")).rows[0]
        assert describe(listed).startswith("Packet 1.fieldkit from KE-NBO: ")

        junk = tmp_path / "junk.fieldkit"
        junk.write_bytes(b"not a packet")
        [refused] = import_files(region, [junk])
        assert refused.status == "refused"
        last = _rows(region)[-1]
        assert last.action == "import" and last.detail is not None
        assert (last.detail["status"], last.detail["file"], last.detail["refusal"]) == (
            "refused",
            "junk.fieldkit",
            "packet",
        )
        # a dry run changes nothing, its audit row included
        before = len(_rows(region))
        import_packet(field, export_packet(region, "KE-NBO", tmp_path / "2.fieldkit").paths[0], dry_run=True)
        assert len(_rows(region)) == before + 1  # the packet export, nothing for the dry run at KE-NBO
        assert not [r for r in _rows(field) if r.action == "import"]
        assert verify_audit(field).ok and verify_audit(region).ok


def test_report_and_key_export_events(ctx: Context, tmp_path: Path) -> None:
    assert audit_report(ctx, "visit-pdf", "visit.pdf", record_type="monitoring_visit", record_id="v1")
    assert audit_key_export(ctx, [tmp_path / "KE-NBO.age", tmp_path / "KE-NBO.minisign"])
    report, keys = _rows(ctx)[-2:]
    assert (report.action, report.record_id, report.detail) == (
        "report",
        "v1",
        {"kind": "visit-pdf", "file": "visit.pdf"},
    )
    assert keys.action == "key-export"
    assert keys.detail == {"office": "KE-NBO", "files": ["KE-NBO.age", "KE-NBO.minisign"]}
    with pytest.raises(ValueError), unchecked(), ctx.store.write() as session:
        chain.append_event(session, at=ctx.now(), actor="x", action="much-too-long-code")
    assert verify_audit(ctx).ok


def test_listing_filters_and_pages_newest_first(ctx: Context) -> None:
    _busy_store(ctx)
    ctx.user = "amina"
    ctx.now = lambda: dt.datetime(2026, 7, 1, 12, 0)
    create_record(ctx, "organisation", {"name": "Legal Aid Centre"})
    assert audit_users(ctx) == ["amina", "tester"]
    amina = audit_page(ctx, AuditFilter(user="amina"))
    assert amina.total == 1
    assert (amina.rows[0].action, amina.rows[0].record_type) == ("create", "organisation")
    everything = audit_page(ctx, AuditFilter())
    ids = [r.id for r in everything.rows]
    assert ids == sorted(ids, reverse=True) and everything.total == len(ids)
    second = audit_page(ctx, AuditFilter(), offset=5, limit=5)
    assert [r.id for r in second.rows] == ids[5:10] and second.total == everything.total
    assert audit_page(ctx, AuditFilter(since=dt.date(2026, 6, 30))).total == 1
    assert audit_page(ctx, AuditFilter(until=dt.date(2026, 6, 30))).total == everything.total - 1
    updates = audit_page(ctx, AuditFilter(action="update")).rows
    assert updates and all(r.action == "update" for r in updates)
    narrative = next(r for r in updates if "narrative" in r.fields)
    assert describe(narrative) == "Fields: Narrative"
