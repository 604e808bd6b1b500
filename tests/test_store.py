"""The store: schema, pragmas, versioned and logged changes, tombstones, gap-free sequences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.errors import NotFound, NotInitialised, StoreError, ValidationError
from fieldkit.ids import uuid7, uuid7_ms
from fieldkit.opening import open_context
from fieldkit.services import records
from fieldkit.store import migrate
from fieldkit.store.engine import resolve_url
from fieldkit.store.records import MonitoringVisit
from fieldkit.store.system import AuditLog, ChangeLog, OriginSequence

VISIT = {"title": "Visit to Central Prison", "visit_type": "detention-visit", "narrative": "Overcrowding."}


def test_new_store_is_wal_with_foreign_keys_at_head(ctx: Context) -> None:
    with ctx.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert migrate.current_revision(ctx.store) == migrate.head_revision()


def test_path_and_url_both_accepted(tmp_path: Path) -> None:
    assert resolve_url(tmp_path / "a.db") == f"sqlite:///{tmp_path / 'a.db'}"
    assert resolve_url("postgresql+psycopg://u@h/db").startswith("postgresql+psycopg://")
    with pytest.raises(StoreError):
        resolve_url("not a url://")


def test_uuid7_sorts_by_time_and_is_version_7() -> None:
    a, b = uuid7(1_700_000_000_000), uuid7(1_700_000_000_001)
    assert a < b
    assert a[14] == "7"
    assert uuid7_ms(a) == 1_700_000_000_000


def test_create_update_delete_are_versioned_and_logged(ctx: Context) -> None:
    visit = records.create_record(ctx, "monitoring_visit", VISIT)
    assert visit["version"] == 1 and visit["origin_office"] == "KE-NBO"
    assert visit["created_by"] == "tester"

    updated = records.update_record(ctx, "monitoring_visit", visit["id"], {"narrative": "Cells hold 40."})
    assert updated["version"] == 2
    # an update that changes nothing is not a change
    same = records.update_record(ctx, "monitoring_visit", visit["id"], {"narrative": "Cells hold 40."})
    assert same["version"] == 2

    records.delete_record(ctx, "monitoring_visit", visit["id"])
    with pytest.raises(NotFound):
        records.get_record(ctx, "monitoring_visit", visit["id"])
    tomb = records.get_record(ctx, "monitoring_visit", visit["id"], include_deleted=True)
    assert tomb["deleted"] is True and tomb["version"] == 3

    with unchecked(), ctx.store.read() as s:
        log = s.execute(select(ChangeLog).order_by(ChangeLog.seq)).scalars().all()
        assert [(c.seq, c.op, c.version) for c in log] == [
            (1, "create", 1),
            (2, "update", 2),
            (3, "delete", 3),
        ]
        assert log[1].data == {"narrative": "Cells hold 40."}
        audit = s.execute(select(AuditLog).order_by(AuditLog.id)).scalars().all()
        assert [a.action for a in audit] == ["create", "update", "delete"]
        assert audit[1].old == {"narrative": "Overcrowding."}
        assert audit[1].actor == "tester"
        # the row is still there: a tombstone, never a removal
        assert s.execute(select(func.count()).select_from(MonitoringVisit)).scalar() == 1

    records.restore_record(ctx, "monitoring_visit", visit["id"])
    assert records.get_record(ctx, "monitoring_visit", visit["id"])["version"] == 4


def test_sequence_is_gap_free_when_a_transaction_fails(ctx: Context) -> None:
    records.create_record(ctx, "monitoring_visit", VISIT)
    with pytest.raises(RuntimeError), unchecked(), ctx.write() as (_session, writer):
        writer.create(MonitoringVisit, VISIT)
        raise RuntimeError("power cut")
    records.create_record(ctx, "monitoring_visit", VISIT)
    with unchecked(), ctx.store.read() as s:
        seqs = s.execute(select(ChangeLog.seq).order_by(ChangeLog.seq)).scalars().all()
        assert seqs == [1, 2]
        assert s.get(OriginSequence, "KE-NBO").last_seq == 2


def test_bulk_create_logs_every_row(ctx: Context) -> None:
    with unchecked(), ctx.write() as (_s, writer):
        writer.create(MonitoringVisit, VISIT)
        ids = writer.bulk_create(
            MonitoringVisit,
            [{**VISIT, "title": f"Visit {i}", "date_start": dt.date(2026, 1, i + 1)} for i in range(5)],
        )
    assert len(set(ids)) == 5
    with unchecked(), ctx.store.read() as s:
        assert s.execute(select(ChangeLog.seq).order_by(ChangeLog.seq)).scalars().all() == [1, 2, 3, 4, 5, 6]
        first = s.execute(select(ChangeLog).where(ChangeLog.seq == 2)).scalar_one()
        assert first.data["date_start"] == "2026-01-01"


def test_unknown_fields_and_versions_are_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="Unknown field"):
        records.create_record(ctx, "monitoring_visit", {**VISIT, "colour": "red"})
    with pytest.raises(ValidationError, match="Unknown record type"):
        records.create_record(ctx, "spaceship", {})
    visit = records.create_record(ctx, "monitoring_visit", VISIT)
    records.update_record(ctx, "monitoring_visit", visit["id"], {"title": "A"})
    with pytest.raises(ValidationError, match="changed elsewhere"):
        records.update_record(ctx, "monitoring_visit", visit["id"], {"title": "B"}, expected_version=1)


def test_foreign_keys_are_enforced(ctx: Context) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"):
        records.create_record(ctx, "incident", {"visit_id": "no-such-visit"})


def test_writes_need_an_office(bare_ctx: Context) -> None:
    with pytest.raises(NotInitialised):
        records.create_record(bare_ctx, "monitoring_visit", VISIT)


def test_reopen_keeps_office_and_data(ctx: Context, store_path: Path) -> None:
    records.create_record(ctx, "monitoring_visit", VISIT)
    ctx.close()
    again = open_context(store_path)
    try:
        assert again.office == "KE-NBO"
        with unchecked(), again.store.read() as s:
            assert s.execute(text("select count(*) from monitoring_visit")).scalar() == 1
    finally:
        again.close()


def test_store_from_a_newer_fieldkit_is_refused(ctx: Context, store_path: Path) -> None:
    with unchecked(), ctx.store.write() as s:
        s.execute(text("update alembic_version set version_num = '9999'"))
    ctx.close()
    with pytest.raises(StoreError, match="newer FieldKit"):
        open_context(store_path)
