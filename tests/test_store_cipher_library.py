"""The SQLCipher library behind encrypted stores: an optimised build of SQLCipher 4 with its default
cipher settings, which opens the stores written before it and searches an encrypted store exactly as
the plain one is searched (same records, same order of relevance)."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import shutil
from pathlib import Path

import pytest
from fixed_clock import SteppingClock
from sqlalchemy import text

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.opening import Credentials, open_context
from fieldkit.services.monitoring import save_visit
from fieldkit.services.monitoring_types import IncidentData, VisitData, VisitFilter
from fieldkit.services.office import init_office
from fieldkit.services.search import search_records
from fieldkit.services.visit_list import list_visits
from fieldkit.store import cipher, encryption, files, migrate

DATA = Path(__file__).parent / "data"
#: the passphrase of ``data/encrypted-store-0008.db``: a store at schema 0008 with one visit (that of
#: ``test_store_encryption._office``), encrypted by sqlcipher3-binary 0.6.0, the library used before
OLD_STORE_PASSPHRASE = "Mango tree behind the clinic, 1987!"
PASSPHRASE = "Ranked alike, plain or encrypted"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its cheapest: the costs do not change what is tested, only how long it takes."""
    monkeypatch.setattr(
        cipher, "kdf_params", cipher.KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)
    )


def unlocking(passphrase: str) -> Credentials:
    return Credentials(passphrase=lambda: passphrase)


def test_encrypted_stores_use_the_optimised_sqlcipher_build() -> None:
    """sqlcipher3-binary 0.6.0 is compiled without optimisation (SQLite ran about 1.5-2x slower than
    the system's, FTS5 searches 2x): it must not come back, and it would, silently, since both
    packages install the same module."""
    installed = {dist.metadata["Name"].lower() for dist in importlib.metadata.distributions()}
    assert "sqlcipher3-wheels" in installed
    assert "sqlcipher3-binary" not in installed
    files_of_module = importlib.metadata.files("sqlcipher3-wheels") or []
    assert any(str(f).startswith("sqlcipher3/_sqlite3") for f in files_of_module)
    assert cipher.cipher_version().startswith("4.")


def test_an_encrypted_store_keeps_sqlcipher_4_default_cipher_settings(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    ctx = open_context(path, create=True, credentials=unlocking(PASSPHRASE))
    try:
        with unchecked(), ctx.store.read() as session:

            def pragma(name: str) -> str:
                return str(session.execute(text(f"PRAGMA {name}")).scalar())

            assert pragma("cipher_page_size") == "4096"
            assert pragma("cipher_use_hmac") == "1"
            assert pragma("cipher_hmac_algorithm") == "HMAC_SHA512"
            assert pragma("cipher_kdf_algorithm") == "PBKDF2_HMAC_SHA512"
            assert pragma("cipher_plaintext_header_size") == "0"
            assert pragma("cipher_provider") == "openssl"
    finally:
        ctx.close()


def test_a_store_encrypted_by_the_library_used_before_opens_reads_and_writes(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(DATA / "encrypted-store-0008.db", path)
    shutil.copy(DATA / "encrypted-store-0008.db.kdf", files.header_path(path))
    assert cipher.is_encrypted(path)
    ctx = open_context(path, credentials=unlocking(OLD_STORE_PASSPHRASE))
    ctx.now = SteppingClock()
    try:
        assert ctx.store.is_encrypted
        assert migrate.current_revision(ctx.store) == migrate.head_revision()
        rows = list_visits(ctx, VisitFilter(text="interrogation")).rows
        assert [row.title for row in rows] == ["Visit to Shimo la Tewa prison"]
        assert [hit.title for hit in search_records(ctx, "Wanjiru")] == ["Visit to Shimo la Tewa prison"]
        save_visit(ctx, _visit(0))
        assert [hit.title for hit in search_records(ctx, "overcrowded")] == ["Visit 0"]
        with unchecked(), ctx.store.read() as session:
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        ctx.close()
    again = open_context(path, credentials=unlocking(OLD_STORE_PASSPHRASE))
    try:
        assert len(list_visits(again, VisitFilter()).rows) == 2
    finally:
        again.close()


def _visit(n: int) -> VisitData:
    """Visits whose relevance to "overcrowded cells" differs: the words n + 1 times in texts of
    different lengths, and in incidents for some."""
    words = " ".join(["overcrowded cells"] * (n % 4 + 1))
    filler = " ".join(["the delegation met the director"] * (n % 5))
    incidents = (
        (IncidentData(summary=f"Cells overcrowded in wing {n}", violation_types=("torture",)),)
        if n % 3 == 0
        else ()
    )
    return VisitData(
        title=f"Visit {n}",
        visit_type="detention-visit",
        date_start=dt.date(2026, 1, 1) + dt.timedelta(days=n),
        confidentiality="internal",
        narrative=f"{filler} {words} lawyer {n}" if n % 2 else f"{words} {filler}",
        incidents=incidents,
    )


def _office(path: Path) -> None:
    ctx = open_context(path, create=True)
    ctx.now = SteppingClock()
    try:
        init_office(ctx, "KE-NBO", "Kenya country office", "country-office", "ROEA")
        for n in range(24):
            save_visit(ctx, _visit(n))
    finally:
        ctx.close()


def _answers(ctx: Context) -> list[object]:
    found: list[object] = []
    for words in ("overcrowded cells", "cell", "lawyer", "director overcrowded", "wing"):
        found.append([(h.record_type, h.record_id, h.title) for h in search_records(ctx, words)])
        found.append([row.id for row in list_visits(ctx, VisitFilter(text=words)).rows])
    found.append([row.id for row in list_visits(ctx, VisitFilter(), sort="title", descending=False).rows])
    return found


def test_ranked_search_and_lists_answer_alike_on_a_plain_store_and_its_encrypted_copy(tmp_path: Path) -> None:
    plain = tmp_path / "plain" / "store.db"
    plain.parent.mkdir()
    _office(plain)
    copy = tmp_path / "encrypted" / "store.db"
    copy.parent.mkdir()
    shutil.copy(plain, copy)
    encryption.encrypt_store(copy, PASSPHRASE)

    plain_ctx = open_context(plain)
    encrypted_ctx = open_context(copy, credentials=unlocking(PASSPHRASE))
    try:
        assert not plain_ctx.store.is_encrypted and encrypted_ctx.store.is_encrypted
        expected = _answers(plain_ctx)
        assert _answers(encrypted_ctx) == expected
    finally:
        plain_ctx.close()
        encrypted_ctx.close()
    ranked = expected[0]
    assert isinstance(ranked, list) and len(ranked) == 24
    # relevance, not the order of writing: the ranking itself is what is compared
    assert [title for _t, _i, title in ranked] != [f"Visit {n}" for n in range(24)]
