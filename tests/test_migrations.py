"""Stores written by earlier FieldKit versions open, upgrade, and keep every record.

``tests/data/store-<revision>.db`` are real stores committed at each past schema
revision; add one whenever a migration lands.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from fieldkit.opening import open_context
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.visit_list import list_visits
from fieldkit.store import migrate

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
        with ctx.store.read() as s:
            assert s.execute(text("select count(*) from monitoring_visit")).scalar() == 3
            assert s.execute(text("select count(*) from change_log")).scalar() == 9
        # the search index was built for records that existed before it
        assert list_visits(ctx, VisitFilter(text="المحتجزون")).total == 1
        assert list_visits(ctx, VisitFilter(text="律师")).total == 1
    finally:
        ctx.close()


def test_every_revision_has_a_committed_store() -> None:
    revisions = {p.stem.removeprefix("store-") for p in OLD_STORES}
    assert {"0001", "0002", "0003", "0004"} <= revisions
