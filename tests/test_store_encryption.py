"""Encryption at rest: what an encrypted store, its WAL and its backups let a reader of the disk see
(nothing), wrong passphrases, damaged or foreign key headers, converting a plain store in place and
changing the passphrase, on real SQLCipher files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixed_clock import SteppingClock
from sqlalchemy import func, select, text

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.errors import StoreError
from fieldkit.opening import Credentials, open_context
from fieldkit.services.monitoring import add_attachment, save_visit
from fieldkit.services.monitoring_types import IncidentData, PersonData, VisitData, VisitFilter
from fieldkit.services.office import init_office
from fieldkit.services.visit_list import list_visits
from fieldkit.store import cipher, encryption, files, migrate
from fieldkit.store.records import MonitoringVisit
from fieldkit.store.system import OfficeSecret

PASSPHRASE = "Mango tree behind the clinic, 1987!"
DATA = Path(__file__).parent / "data"

#: words only the test's own records hold: none may be found in the bytes of an encrypted file
NARRATIVE = "Halima Wanjiru-Otieno described night interrogations in block Q7 of Shimo la Tewa."
PERSON = "Omar Farouk Haddad"
ATTACHMENT = b"Scanned medical report of Zawadi Kiprono, left forearm fracture. " * 40
KNOWN_TEXT = [NARRATIVE, PERSON, "Wanjiru", "interrogations", "Zawadi Kiprono", "medical report"]


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its cheapest: the costs do not change what is tested, only how long it takes."""
    monkeypatch.setattr(
        cipher, "kdf_params", cipher.KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)
    )


def unlocking(passphrase: str = PASSPHRASE) -> Credentials:
    return Credentials(passphrase=lambda: passphrase)


def _office(path: Path, credentials: Credentials | None, tmp_path: Path) -> Context:
    ctx = open_context(path, create=True, credentials=credentials)
    ctx.now = SteppingClock()
    init_office(ctx, "KE-NBO", "Kenya country office", "country-office", "ROEA")
    data = VisitData(
        title="Visit to Shimo la Tewa prison",
        visit_type="detention-visit",
        date_start=dt.date(2026, 3, 2),
        confidentiality="confidential",
        narrative=NARRATIVE,
        incidents=(
            IncidentData(summary="Beating", violation_types=("torture",), victims={"male/adult-18-59": 1}),
        ),
        people=(
            PersonData(code="V-1", role="victim", sex="male", age_group="adult-18-59", full_name=PERSON),
        ),
    )
    visit_id = save_visit(ctx, data).value.id or ""
    scan = tmp_path / f"scan-{path.stem}.txt"
    scan.write_bytes(ATTACHMENT)
    add_attachment(ctx, visit_id, scan, "Medical report")
    scan.unlink()
    return ctx


def secret_keys(ctx: Context) -> list[str]:
    """Every secret string of the office's keys (age and minisign secret keys)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) >= 16:
            found.append(value)

    with unchecked(), ctx.store.read() as session:
        for secret in session.scalars(select(OfficeSecret)):
            walk(secret.keys)
    assert found, "the office has secret keys"
    return found


def readable_in(path: Path, needles: list[str]) -> list[str]:
    """Which of ``needles`` appear in the files named after ``path`` (the store, WAL, backups)."""
    blobs = [p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file()]
    shown = []
    for needle in needles:
        forms = {needle.encode(), needle.lower().encode(), needle.encode("utf-16-le")}
        if any(form in blob for form in forms for blob in blobs):
            shown.append(needle)
    return shown


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


@pytest.fixture
def encrypted(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "enc"
    folder.mkdir()
    path = folder / "store.db"
    ctx = _office(path, unlocking(), tmp_path)
    ctx.close()
    yield path


def test_an_encrypted_store_its_wal_and_backups_show_no_record_text_and_no_secret_key(tmp_path: Path) -> None:
    plain = tmp_path / "plain" / "store.db"
    plain.parent.mkdir()
    control = _office(plain, None, tmp_path)
    control_keys = secret_keys(control)
    control.close()
    # what the test looks for is really written in the plain bytes, so its absence below means something
    assert readable_in(plain, KNOWN_TEXT) == KNOWN_TEXT
    assert readable_in(plain, control_keys) == control_keys

    path = tmp_path / "enc" / "store.db"
    path.parent.mkdir()
    ctx = _office(path, unlocking(), tmp_path)
    keys = secret_keys(ctx)
    assert ctx.store.is_encrypted and cipher.is_encrypted(path)
    assert path.with_name("store.db-wal").exists()  # open: the latest pages are in the WAL
    assert readable_in(path, KNOWN_TEXT + keys) == []
    migrate.backup_sqlite(path, "schema-test", ctx.store.key)
    migrate.backup_store(path, path.with_name("store.db.by-hand.bak"), ctx.store.key)
    ctx.close()

    assert sorted(p.name for p in path.parent.iterdir()) == [
        "store.db",
        "store.db.by-hand.bak",
        "store.db.by-hand.bak.kdf",
        "store.db.kdf",
        "store.db.schema-test.bak",
        "store.db.schema-test.bak.kdf",
    ]
    assert readable_in(path, KNOWN_TEXT + keys) == []
    for backup in ("store.db.schema-test.bak", "store.db.by-hand.bak"):  # each opens with the passphrase
        copy = open_context(path.with_name(backup), credentials=unlocking())
        try:
            assert search_visit_titles(copy, "wanjiru") == ["Visit to Shimo la Tewa prison"]
        finally:
            copy.close()


def search_visit_titles(ctx: Context, words: str) -> list[str]:
    return [row.title for row in list_visits(ctx, VisitFilter(text=words)).rows]


def test_an_encrypted_store_is_searched_and_read_like_a_plain_one(encrypted: Path) -> None:
    ctx = open_context(encrypted, credentials=unlocking())
    try:
        assert search_visit_titles(ctx, "interrogation") == ["Visit to Shimo la Tewa prison"]
        with unchecked(), ctx.store.read() as session:
            assert session.scalar(select(func.count()).select_from(MonitoringVisit)) == 1
            assert session.execute(text("PRAGMA temp_store")).scalar() == 2  # memory: no plain temp files
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        ctx.close()


def test_a_write_protected_encrypted_store_opens_read_only(encrypted: Path) -> None:
    encrypted.chmod(0o400)
    try:
        ctx = open_context(encrypted, credentials=unlocking())
        try:
            assert ctx.store.read_only and search_visit_titles(ctx, "wanjiru")
        finally:
            ctx.close()
    finally:
        encrypted.chmod(0o600)


def test_a_wrong_or_empty_passphrase_is_refused_and_changes_no_byte(encrypted: Path) -> None:
    before = fingerprint(encrypted.parent)
    with pytest.raises(cipher.PassphraseError, match="does not open this store"):
        open_context(encrypted, credentials=unlocking("Mango tree behind the clinic, 1988!"))
    with pytest.raises(cipher.PassphraseError, match="empty"):
        open_context(encrypted, credentials=unlocking(""))
    with pytest.raises(cipher.PassphraseError, match="FIELDKIT_PASSPHRASE"):
        open_context(encrypted)  # no passphrase source at all
    assert fingerprint(encrypted.parent) == before


def test_a_passphrase_typed_in_another_unicode_form_opens_the_store(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    open_context(path, create=True, credentials=unlocking("café")).close()  # composed é
    open_context(path, credentials=unlocking("cafe\u0301")).close()  # e + combining accent


def _edit_header(path: Path, **changes: Any) -> None:
    header = files.header_path(path)
    data = json.loads(header.read_text())
    data.update(changes)
    header.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kdf": "scrypt"}, "key derivation this FieldKit does not know"),
        ({"version": 2}, "key derivation this FieldKit does not know"),
        ({"memory_cost_kib": 64 * 1024 * 1024}, "is damaged"),  # a header must not take all memory
        ({"salt": "not base64!"}, "is damaged"),
    ],
)
def test_a_header_of_another_kind_or_damaged_is_refused_untouched(
    encrypted: Path, changes: dict[str, Any], message: str
) -> None:
    _edit_header(encrypted, **changes)
    before = fingerprint(encrypted.parent)
    with pytest.raises(cipher.KeyHeaderError, match=message):
        open_context(encrypted, credentials=unlocking())
    assert fingerprint(encrypted.parent) == before


def test_an_encrypted_store_without_its_header_is_told_apart_from_a_damaged_one(encrypted: Path) -> None:
    header = files.header_path(encrypted)
    header.unlink()
    before = fingerprint(encrypted.parent)
    with pytest.raises(StoreError, match=r"store\.db\.kdf"):
        open_context(encrypted, credentials=unlocking())
    assert fingerprint(encrypted.parent) == before


def _plain_office(tmp_path: Path) -> Path:
    path = tmp_path / "plain" / "store.db"
    path.parent.mkdir()
    _office(path, None, tmp_path).close()
    migrate.backup_sqlite(path, "schema-0007", None)  # a plain copy, as an upgrade leaves one
    return path


def test_encrypting_a_plain_store_keeps_every_row_and_removes_every_plain_copy(tmp_path: Path) -> None:
    path = _plain_office(tmp_path)
    plain = open_context(path)
    with unchecked(), plain.store.read() as session:
        counts = {
            table: session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
            for table in session.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
        }
    plain.close()
    removed = encryption.encrypt_store(path, PASSPHRASE)
    assert path in removed and path.with_name("store.db.schema-0007.bak") in removed
    assert sorted(p.name for p in path.parent.iterdir()) == ["store.db", "store.db.kdf"]
    assert cipher.is_encrypted(path)
    ctx = open_context(path, credentials=unlocking())
    try:
        keys = secret_keys(ctx)
        with unchecked(), ctx.store.read() as session:
            for table, count in counts.items():
                assert session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == count, table
            assert session.execute(text("PRAGMA application_id")).scalar() == files.FIELDKIT_APPLICATION_ID
        assert search_visit_titles(ctx, "wanjiru") == ["Visit to Shimo la Tewa prison"]
    finally:
        ctx.close()
    assert readable_in(path, KNOWN_TEXT + keys) == []
    with pytest.raises(StoreError, match="encrypted already"):
        encryption.encrypt_store(path, PASSPHRASE)


def test_a_copy_that_does_not_verify_leaves_the_plain_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _plain_office(tmp_path)
    before = fingerprint(path.parent)
    pages = path.read_bytes()[100:]
    export = encryption._export_copy

    def losing_a_row(conn: Any, staged: Path, key: bytes) -> None:
        export(conn, staged, key)
        copy = cipher.connect(staged, key)
        copy.execute("DELETE FROM attachment_blob")  # the disk lost a page's worth of rows
        copy.commit()
        copy.close()

    monkeypatch.setattr(encryption, "_export_copy", losing_a_row)
    with pytest.raises(StoreError, match="left as it was, unencrypted"):
        encryption.encrypt_store(path, PASSPHRASE)
    # no header, no staged copy, the plain backup kept; of the store, only the counters in SQLite's
    # 100-byte file header moved (taking it alone changes the journal mode and back)
    after = fingerprint(path.parent)
    assert after.keys() == before.keys()
    assert {name: after[name] for name in after if name != "store.db"} == {
        name: before[name] for name in before if name != "store.db"
    }
    assert path.read_bytes()[100:] == pages
    open_context(path).close()  # and it still opens as the plain store it was


def test_encrypting_is_refused_while_another_program_has_the_store_open(tmp_path: Path) -> None:
    path = _plain_office(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "conn = sqlite3.connect(sys.argv[1])\n"
            "conn.execute('SELECT count(*) FROM sqlite_master').fetchall()\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        before = fingerprint(path.parent)
        with pytest.raises(encryption.StoreInUse, match="open"):
            encryption.encrypt_store(path, PASSPHRASE)
        assert fingerprint(path.parent) == before
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    encryption.encrypt_store(path, PASSPHRASE)  # once it has closed the store
    assert cipher.is_encrypted(path)


def test_changing_the_passphrase_gives_a_new_salt_and_key(encrypted: Path) -> None:
    old_header = cipher.read_header(encrypted)
    encryption.change_passphrase(encrypted, PASSPHRASE, "A new one for the new year")
    new_header = cipher.read_header(encrypted)
    assert old_header is not None and new_header is not None and new_header.salt != old_header.salt
    assert not cipher.pending_header_path(encrypted).exists()
    with pytest.raises(cipher.PassphraseError, match="does not open"):
        open_context(encrypted, credentials=unlocking())
    ctx = open_context(encrypted, credentials=unlocking("A new one for the new year"))
    try:
        assert search_visit_titles(ctx, "wanjiru")
    finally:
        ctx.close()
    before = fingerprint(encrypted.parent)
    with pytest.raises(cipher.PassphraseError, match="does not open"):
        encryption.change_passphrase(encrypted, PASSPHRASE, "whatever")
    assert fingerprint(encrypted.parent) == before


def test_a_change_of_passphrase_cut_short_is_finished_by_the_passphrase_that_opens_it(
    encrypted: Path,
) -> None:
    new = "After the power cut"
    header, new_key = cipher.new_header(new)
    pending = cipher.pending_header_path(encrypted)

    # cut before the pages were re-encrypted: the old passphrase still opens it, the new header goes
    cipher.write_header(pending, header)
    open_context(encrypted, credentials=unlocking()).close()
    assert not pending.exists()

    # cut after: only the new passphrase opens it, and its header takes the old one's place
    cipher.write_header(pending, header)
    old_key = cipher.unlock(encrypted, PASSPHRASE)
    conn = cipher.connect(encrypted, old_key)
    conn.execute(cipher.key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey"))
    conn.close()
    with pytest.raises(cipher.PassphraseError, match="does not open"):
        open_context(encrypted, credentials=unlocking())
    assert pending.exists()
    open_context(encrypted, credentials=unlocking(new)).close()
    assert not pending.exists() and cipher.read_header(encrypted) == header


def test_an_upgrade_of_an_encrypted_store_backs_it_up_encrypted(tmp_path: Path) -> None:
    old = max(DATA.glob("store-*.db"))
    path = tmp_path / "old.db"
    shutil.copy(old, path)
    encryption.encrypt_store(path, PASSPHRASE)
    ctx = open_context(path, credentials=unlocking())
    try:
        assert ctx.backup is not None and migrate.schema_is_current(ctx.store)
        backup = ctx.backup
    finally:
        ctx.close()
    assert cipher.is_encrypted(backup) and files.header_path(backup).exists()
    assert readable_in(path, ["律师", "lawyer", "KE-NBO"]) == []
    conn = cipher.connect(backup, cipher.unlock(backup, PASSPHRASE))
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (old.stem[6:],)
    finally:
        conn.close()


def test_a_new_store_without_a_passphrase_is_plain(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    ctx = open_context(path, create=True)
    try:
        assert not ctx.store.is_encrypted
    finally:
        ctx.close()
    assert not cipher.is_encrypted(path) and not files.header_path(path).exists()
    # an existing plain store stays plain even when a passphrase is at hand
    open_context(path, create=True, credentials=unlocking()).close()
    assert not cipher.is_encrypted(path)


def test_a_new_store_whose_passphrase_is_refused_leaves_no_file(tmp_path: Path) -> None:
    def mistyped() -> str:
        raise cipher.PassphraseError("The two passphrases differ. Nothing was changed.")

    path = tmp_path / "new" / "store.db"
    with pytest.raises(cipher.PassphraseError, match="differ"):
        open_context(path, create=True, credentials=Credentials(passphrase=mistyped))
    with pytest.raises(cipher.PassphraseError, match="empty"):
        open_context(path, create=True, credentials=unlocking(""))
    assert not path.exists() and not files.header_path(path).exists()


def test_an_encrypted_store_on_read_only_media_opens_without_writing(encrypted: Path) -> None:
    before = fingerprint(encrypted.parent)
    encrypted.chmod(0o400)
    encrypted.parent.chmod(0o500)  # SQLite cannot make its shared-memory file: opened immutable
    try:
        ctx = open_context(encrypted, credentials=unlocking())
        try:
            assert ctx.store.read_only and search_visit_titles(ctx, "wanjiru")
        finally:
            ctx.close()
    finally:
        encrypted.parent.chmod(0o700)
        encrypted.chmod(0o600)
    assert fingerprint(encrypted.parent) == before
