"""Store files are FieldKit's own: marked, never created by mistake, refused untouched when they
are someone else's or damaged, opened read-only when write-protected, and readable by their
owner only; errors never carry record values."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sync_offices import visit

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.errors import StoreError, describe_error
from fieldkit.opening import open_context
from fieldkit.services.keys import backup_keys
from fieldkit.services.monitoring import save_visit
from fieldkit.services.office import init_office
from fieldkit.store.files import FIELDKIT_APPLICATION_ID, is_damage
from fieldkit.sync.importer import ImportSummary, log_refusal, refusal_log_path

DATA = Path(__file__).parent / "data"
NARRATIVE = "شهادة المحتجز عن التعذيب في الزنزانة"


def fieldkit(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "fieldkit", "--db", str(db), *args]
    return subprocess.run(argv, capture_output=True, text=True, env={**os.environ}, timeout=120)


def files_beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def application_id(path: Path) -> int:
    with path.open("rb") as fh:
        return int.from_bytes(fh.read(72)[68:72], "big")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def office_store(tmp_path: Path) -> Iterator[Path]:
    """A closed office store holding one visit, in a folder whose name needs escaping in a URI."""
    db = tmp_path / "مكتب #1 100%" / "office.db"
    ctx = open_context(db, create=True)
    init_office(ctx, "KE-NBO", "Kenya country office", "country-office", "ROEA")
    save_visit(ctx, visit("Visit to Kamiti prison", NARRATIVE))
    ctx.close()
    yield db
    for path in (db.parent, *db.parent.iterdir()):
        path.chmod(0o700)  # so that pytest can remove what a test write-protected


# --- item 6: store files are ours, and only ours -------------------------------------------------


def test_a_new_store_is_marked_as_fieldkit(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    open_context(db, create=True).close()
    assert application_id(db) == FIELDKIT_APPLICATION_ID


def test_a_store_from_before_the_mark_is_recognised_and_marked(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(sorted(DATA.glob("store-*.db"))[-1], db)
    assert application_id(db) == 0
    ctx = open_context(db)
    try:
        assert ctx.office == "KE-NBO"
    finally:
        ctx.close()
    assert application_id(db) == FIELDKIT_APPLICATION_ID


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "contacts.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("create table contact (name text)")
        conn.execute("insert into contact values ('someone')")
    conn.close()
    before, beside = db.read_bytes(), files_beside(db)
    done = fieldkit("stats", "--json", db=db)
    assert done.returncode == 2, done.stdout
    assert "another program" in done.stderr and "Traceback" not in done.stderr
    assert db.read_bytes() == before
    assert files_beside(db) == beside  # no WAL, no backup
    with pytest.raises(StoreError, match="another program"):
        open_context(db, create=True)
    assert db.read_bytes() == before


def test_a_mistyped_store_path_creates_nothing(office_store: Path) -> None:
    mistyped = office_store.with_name("ofice.db")
    beside = files_beside(office_store)
    done = fieldkit("stats", db=mistyped)
    assert done.returncode == 2
    assert "no FieldKit store" in done.stderr and "fieldkit init" in done.stderr
    assert files_beside(office_store) == beside
    with pytest.raises(StoreError, match="no FieldKit store"):
        open_context(mistyped)
    assert not mistyped.exists()


def test_init_creates_the_store(tmp_path: Path) -> None:
    db = tmp_path / "new" / "office.db"
    done = fieldkit(
        "init", "--office-code", "KE-NBO", "--office-name", "Kenya", "--office-type", "country-office", db=db
    )
    assert done.returncode == 0, done.stderr
    assert application_id(db) == FIELDKIT_APPLICATION_ID


@pytest.mark.parametrize("folder_too", [False, True], ids=["file", "file-and-folder"])
def test_a_write_protected_store_opens_read_only(
    office_store: Path, tmp_path: Path, folder_too: bool
) -> None:
    office_store.chmod(0o444)
    if folder_too:  # read-only media: not even SQLite's shared-memory file may be created
        office_store.parent.chmod(0o555)
    before, beside = office_store.read_bytes(), files_beside(office_store)
    ctx = open_context(office_store)
    try:
        assert ctx.office == "KE-NBO"
        with unchecked(), ctx.store.read() as session:
            assert session.execute(text("select count(*) from monitoring_visit")).scalar() == 1
        with pytest.raises(StoreError, match="read-only"):
            save_visit(ctx, visit("Another visit"))
    finally:
        ctx.close()
    stats = fieldkit("stats", "--json", db=office_store)
    assert stats.returncode == 0, stats.stderr
    exported = fieldkit("export-data", "--format", "jsonl", "--out", str(tmp_path / "out"), db=office_store)
    assert exported.returncode == 0, exported.stderr
    assert NARRATIVE in (tmp_path / "out" / "monitoring_visit.jsonl").read_text("utf-8")
    assert office_store.read_bytes() == before
    if folder_too:
        assert files_beside(office_store) == beside


def test_a_file_that_is_not_a_database_gets_a_message_that_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(b"Meeting notes, not a database.\n" * 200)
    before = db.read_bytes()
    done = fieldkit("stats", db=db)
    assert done.returncode == 2
    assert "damaged or is not a database" in done.stderr and "restore your own backup" in done.stderr
    assert "sqlite" not in done.stderr.lower() and "unexpected" not in done.stderr
    assert db.read_bytes() == before


def test_a_truncated_store_names_the_backup_beside_it(office_store: Path) -> None:
    backup = office_store.with_name(office_store.name + ".schema-0005.bak")
    shutil.copy(office_store, backup)
    whole = office_store.read_bytes()
    office_store.write_bytes(whole[: len(whole) // 2])
    done = fieldkit("stats", db=office_store)
    assert done.returncode == 2
    assert backup.name in done.stderr and "damaged" in done.stderr
    assert "sqlite" not in done.stderr.lower() and "unexpected" not in done.stderr
    assert office_store.read_bytes() == whole[: len(whole) // 2]


def test_a_store_cut_down_to_nothing_is_damaged_not_missing(office_store: Path) -> None:
    backup = office_store.with_name(office_store.name + ".schema-0005.bak")
    shutil.copy(office_store, backup)
    office_store.write_bytes(b"")
    with pytest.raises(StoreError, match="damaged") as refused:
        open_context(office_store)
    assert backup.name in str(refused.value)
    assert office_store.read_bytes() == b""


def test_only_damage_counts_as_damage(tmp_path: Path) -> None:
    """A locked store must not be reported as damaged (and sent to its backup)."""
    db = tmp_path / "plain.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("create table t (x)")
    holder.execute("begin exclusive")
    engine = create_engine(f"sqlite:///{db}", connect_args={"timeout": 0})
    try:
        with pytest.raises(DatabaseError) as locked, engine.connect() as conn:
            conn.execute(text("select * from t"))
        assert "locked" in str(locked.value.orig) and not is_damage(locked.value)
    finally:
        holder.close()
        engine.dispose()
    db.write_bytes(b"not a database" * 100)
    with pytest.raises(DatabaseError) as garbage, engine.connect() as conn:
        conn.execute(text("select * from t"))
    assert is_damage(garbage.value)
    engine.dispose()


# --- item 7: nothing personal in error output -----------------------------------------------------


def test_a_failed_write_carries_no_record_values(ctx: Context) -> None:
    with pytest.raises(IntegrityError) as failure, unchecked(), ctx.store.write() as session:
        session.execute(
            text("insert into monitoring_visit (id, narrative) values (:id, :narrative)"),
            {"id": "v-1", "narrative": NARRATIVE},
        )
    assert NARRATIVE not in str(failure.value)
    described = describe_error(failure.value)
    assert described == "It could not be done: the store refused a change that lacks a required value."
    assert NARRATIVE not in described and "INSERT" not in described


def test_the_cli_reports_an_unexpected_database_error_without_values(office_store: Path) -> None:
    # a trigger stands in for any failure inside a write: the statement's values must not be printed
    with sqlite3.connect(office_store) as conn:
        conn.execute(
            "create trigger refuse_changes before insert on change_log "
            "begin select raise(abort, 'change refused'); end"
        )
    conn.close()
    done = fieldkit("demo", "--mutate", "3", db=office_store)
    assert done.returncode == 2
    assert "the store refused the change" in done.stderr  # its reason in words, not the driver's text
    assert "parameters" not in done.stderr and "INSERT" not in done.stderr


# --- item 8: files readable by their owner only -----------------------------------------------------


def test_a_new_store_its_wal_and_its_folder_are_the_owners_only(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "FieldKit"
    db = folder / "fieldkit.db"
    ctx = open_context(db, create=True)
    try:
        init_office(ctx, "KE-NBO", "Kenya country office", "country-office", "ROEA")
        assert mode(folder) == 0o700
        assert mode(db) == 0o600
        for companion in ("-wal", "-shm"):
            assert mode(db.with_name(db.name + companion)) == 0o600
    finally:
        ctx.close()


def test_the_default_data_folder_is_narrowed_a_chosen_one_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("FIELDKIT_HOME", str(home))
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    open_context(None, create=True).close()
    assert mode(home) == 0o700 and mode(home / "fieldkit.db") == 0o600
    chosen = tmp_path / "shared"
    chosen.mkdir()
    chosen.chmod(0o755)
    open_context(chosen / "office.db", create=True).close()
    assert mode(chosen) == 0o755


def test_an_upgrade_backup_is_the_owners_only(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(sorted(DATA.glob("store-*.db"))[0], db)
    ctx = open_context(db)
    try:
        assert ctx.backup is not None and mode(ctx.backup) == 0o600
    finally:
        ctx.close()


def test_a_store_left_readable_by_everyone_is_narrowed_when_opened(office_store: Path) -> None:
    backup = office_store.with_name(office_store.name + ".schema-0005.bak")
    shutil.copy(office_store, backup)
    for path in (office_store, backup):
        path.chmod(0o644)
    open_context(office_store).close()
    assert mode(office_store) == 0o600 and mode(backup) == 0o600


def test_the_refusal_log_is_the_owners_only(ctx: Context) -> None:
    log_refusal(ctx, ImportSummary(file="x.fieldkit", status="refused", reason="test", refusal="packet"))
    path = refusal_log_path(ctx)
    assert path is not None and path.exists() and mode(path) == 0o600


def test_export_keys_narrows_files_that_already_exist(ctx: Context, tmp_path: Path) -> None:
    out = tmp_path / "keys"
    out.mkdir()
    earlier = out / "KE-NBO.minisign.key"
    earlier.write_text("an older copy")
    earlier.chmod(0o644)
    written = backup_keys(ctx, out, "a recovery passphrase", minisign_cost=(524288, 16777216)).files
    assert earlier in written
    assert {path.name: mode(path) for path in written} == {path.name: 0o600 for path in written}
    assert earlier.read_text() != "an older copy"
