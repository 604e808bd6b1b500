"""Stores written by earlier FieldKit versions open, upgrade, and keep every record.

``tests/data/store-<revision>.db`` are real stores committed at each past schema
revision; add one whenever a migration lands.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sync_offices import visit

from fieldkit.access import unchecked
from fieldkit.opening import open_context
from fieldkit.search import rebuild_index
from fieldkit.services.monitoring import delete_visit, save_visit
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.office import init_office
from fieldkit.services.visit_list import list_visits
from fieldkit.store import migrate
from fieldkit.store.engine import Store

DATA = Path(__file__).parent / "data"
OLD_STORES = sorted(DATA.glob("store-*.db"))


@pytest.mark.parametrize("old", OLD_STORES, ids=lambda p: p.stem)
def test_old_store_upgrades_with_a_backup(old: Path, tmp_path: Path) -> None:
    store = tmp_path / "old.db"
    shutil.copy(old, store)
    ctx = open_context(store)
    try:
        assert migrate.current_revision(ctx.store) == migrate.head_revision()
        assert (
            ctx.backup is not None
            and ctx.backup.name == f"old.db.{old.stem.replace('store-', 'schema-')}.bak"
        )
        with sqlite3.connect(ctx.backup) as backup:
            assert backup.execute("select version_num from alembic_version").fetchone() == (old.stem[6:],)
        assert ctx.office == "KE-NBO"
        with unchecked(), ctx.store.read() as s:
            assert s.execute(text("select count(*) from monitoring_visit")).scalar() == 3
            assert s.execute(text("select count(*) from change_log")).scalar() == 9
        # the search index was built for records that existed before it
        assert list_visits(ctx, VisitFilter(text="المحتجزون")).total == 1
        assert list_visits(ctx, VisitFilter(text="律师")).total == 1
    finally:
        ctx.close()


def test_every_revision_has_a_committed_store() -> None:
    revisions = {p.stem.removeprefix("store-") for p in OLD_STORES}
    assert {"0001", "0002", "0003", "0004", "0005", "0006"} <= revisions


def _index_rows(store: Store) -> list[tuple[str, ...]]:
    tsv = ", tsv::text" if store.backend == "postgresql" else ""
    query = f"select record_id, body{tsv} from search_index where record_type = 'monitoring_visit'"
    with unchecked(), store.read() as s:
        rows = s.execute(text(query + " order by record_id")).all()
    return [tuple(r) for r in rows]


def _indexed_words(store: Store) -> list[tuple[str, list[str]]]:
    return [(row[0], row[1].split()) for row in _index_rows(store)]


def _downgrade(store: Store, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.MIGRATIONS))
    with store.write_engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
        conn.commit()


@pytest.mark.parametrize("old", OLD_STORES, ids=lambda p: p.stem)
def test_upgraded_search_index_is_the_one_the_application_builds(old: Path, tmp_path: Path) -> None:
    shutil.copy(old, tmp_path / "old.db")
    ctx = open_context(tmp_path / "old.db")
    try:
        upgraded = _indexed_words(ctx.store)
        with unchecked(), ctx.store.write() as s:
            rebuild_index(s)
        assert len(upgraded) == 3
        # 0005 copies the text older versions indexed; they spaced CJK characters more widely
        assert upgraded == _indexed_words(ctx.store)
    finally:
        ctx.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_revisions_rebuild_the_search_index_of_existing_visits(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """From 0001 (no index) to head, the revisions index the live visits they find, and opening the
    store then indexes every visit as the application does."""
    url: str | Path = tmp_path / "store.db"
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")()
    ctx = open_context(url, create=True)
    try:
        init_office(ctx, "KE-NBO", "Kenya country office", "country-office", "ROEA")
        for title, narrative in [
            ("زيارة إلى سجن المدينة", "أفاد المحتجزون بالتعذيب وبالضرب، والمحامون ممنوعون."),
            ("探访拘留中心", "被拘留者无法会见律师。"),
            ("Посещение тюрьмы", "Задержанные сообщили о ПЫТКАХ."),
            ("Visite à la prison de Tanger", "Surpopulation; détenus frappés."),
        ]:
            save_visit(ctx, visit(title, narrative))
        delete_visit(ctx, save_visit(ctx, visit("Deleted visit", "gone")).value.id or "")
        built = _index_rows(ctx.store)
        _downgrade(ctx.store, "0001")
        with unchecked(), ctx.store.write() as s:
            assert migrate.current_revision(ctx.store) == "0001"
            assert "visit_search" not in {t for (t,) in s.execute(text(_TABLES[backend]))}
            # a store of that time did not say which normaliser made its index
            s.execute(text("delete from setting where key = 'search_normaliser'"))
        migrate.upgrade(ctx.store)
        assert len(_index_rows(ctx.store)) == 4  # the revisions index live visits, with their own copy
        ctx.close()
        ctx = open_context(url)
        assert len(built) == 5
        assert _index_rows(ctx.store) == built
        assert list_visits(ctx, VisitFilter(text="التعذيب")).total == 1
        assert list_visits(ctx, VisitFilter(text="律师")).total == 1
        assert list_visits(ctx, VisitFilter(text="gone", deleted=True)).total == 1
    finally:
        ctx.close()


_TABLES = {
    "sqlite": "select name from sqlite_master where type = 'table'",
    "postgresql": "select tablename from pg_tables where schemaname = 'public'",
}


def test_recommendation_lists_become_link_records_and_leave_the_change_log(tmp_path: Path) -> None:
    """0006: a follow-up's recommendation ids are kept aside, and its logged changes fit the schema."""
    store = tmp_path / "old.db"
    shutil.copy(DATA / "store-0005.db", store)
    with sqlite3.connect(store) as raw:
        first = raw.execute("select id from follow_up order by id").fetchone()[0]
        raw.execute(
            "update follow_up set recommendation_refs = '[\"CRC/C/KEN/CO/6 para 12\"]' where id = ?", (first,)
        )
    ctx = open_context(store)
    try:
        with unchecked(), ctx.store.read() as s:
            logged = [
                row[0]
                for row in s.execute(text("select data from change_log where record_type = 'follow_up'"))
            ]
            kept = s.execute(text("select follow_up_id, refs from legacy_recommendation_refs")).all()
            pending = s.execute(text("select count(*) from search_pending")).scalar()
            columns = {c[1] for c in s.execute(text("pragma table_info(follow_up)"))}
        assert len(logged) == 3 and not any("recommendation_refs" in data for data in logged)
        assert [(fid, json.loads(refs) if isinstance(refs, str) else refs) for fid, refs in kept] == [
            (first, ["CRC/C/KEN/CO/6 para 12"])
        ]
        assert pending == 0 and "recommendation_refs" not in columns
    finally:
        ctx.close()


_BY_TYPE = "ix_change_log_origin_type_seq"
_INDEXES = {
    "sqlite": "select name from sqlite_master where type = 'index' and tbl_name = 'change_log'",
    "postgresql": "select indexname from pg_indexes where tablename = 'change_log'",
}
#: what an export to a country office asks of the change log, per origin and record type
_PER_TYPE = (
    "select seq, record_id from change_log where origin_office = 'KE-NBO' and record_type = 'incident'"
    " and seq > 0 and seq <= 100 order by seq"
)


def _change_log_indexes(store: Store) -> set[str]:
    with unchecked(), store.read() as s:
        return {str(name) for (name,) in s.execute(text(_INDEXES[store.backend]))}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0007_indexes_the_change_log_by_origin_type_and_sequence(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url: str | Path = tmp_path / "store.db"
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")()
    ctx = open_context(url, create=True)
    try:
        assert _BY_TYPE in _change_log_indexes(ctx.store)
        _downgrade(ctx.store, "0006")
        assert _BY_TYPE not in _change_log_indexes(ctx.store)
        assert migrate.current_revision(ctx.store) == "0006"
        migrate.upgrade(ctx.store)
        assert _BY_TYPE in _change_log_indexes(ctx.store)
        assert migrate.current_revision(ctx.store) == migrate.head_revision()
    finally:
        ctx.close()


def test_an_upgraded_store_reads_one_record_type_of_an_origin_through_the_index(tmp_path: Path) -> None:
    store = tmp_path / "old.db"
    shutil.copy(DATA / "store-0006.db", store)
    with sqlite3.connect(store) as raw:  # an index made by hand before the revision does not stop it
        raw.execute(f"create index {_BY_TYPE} on change_log (origin_office, record_type, seq, record_id)")
    ctx = open_context(store)
    try:
        with unchecked(), ctx.store.read() as s:
            plan = " ".join(str(row[-1]) for row in s.execute(text("explain query plan " + _PER_TYPE)))
        assert f"USING COVERING INDEX {_BY_TYPE}" in plan
        assert migrate.current_revision(ctx.store) == migrate.head_revision()
    finally:
        ctx.close()
