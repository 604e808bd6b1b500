"""The office's secret keys sealed under a passphrase in a PostgreSQL store: the raw row holds no
key material, packets are signed and opened once the passphrase is given at opening, a wrong or
missing passphrase is refused in one line and changes nothing, and the passphrase can change."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sync_offices import add_visits, offices

from fieldkit.access import unchecked
from fieldkit.crypto.keys import OfficeKeys
from fieldkit.domain.keys import change_office_keys_passphrase, local_keys, seal_office_keys
from fieldkit.opening import Credentials, open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.office import init_office
from fieldkit.store import cipher, office_keys
from fieldkit.store.cipher import PassphraseError
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

PASSPHRASE = "Blue gate, third key on the ring"
NEW_PASSPHRASE = "Seven herons over the dry river"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        cipher, "kdf_params", cipher.KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)
    )
    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    monkeypatch.delenv("FIELDKIT_NEW_PASSPHRASE", raising=False)


def raw_rows(url: str) -> list[tuple[str, str]]:
    """``office_secret`` and the key header as the database server holds them (a dump would)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT code, CAST(keys AS text) FROM office_secret")).all()
            header = conn.execute(text("SELECT key, value FROM setting WHERE key = 'office_keys.kdf'")).all()
            return [(str(r[0]), str(r[1])) for r in [*rows, *header]]
    finally:
        engine.dispose()


def secret_strings(keys: OfficeKeys) -> list[str]:
    seed = keys.minisign.secret_seed
    return [keys.age_identity, keys.age_identity.split("-")[-1], base64.b64encode(seed).decode(), seed.hex()]


def sealed_region(url: str) -> OfficeKeys:
    """A PostgreSQL regional office whose keys are sealed under PASSPHRASE; its keys, as made."""
    ctx = open_context(url, create=True)
    try:
        init_office(ctx, "ROEA", "Regional office", "regional-office", None)
        keys = local_keys(ctx)
        assert seal_office_keys(ctx, PASSPHRASE) == 1
        return keys
    finally:
        ctx.close()


def test_sealed_keys_hold_no_key_material_and_still_sign_and_decrypt(
    tmp_path: Path, pg_url: Callable[[], str]
) -> None:
    url = pg_url()
    keys = sealed_region(url)
    dump = "\n".join(value for _code, value in raw_rows(url))
    assert "fieldkit-sealed-office-keys" in dump and '"cipher": "chacha20-poly1305"' in dump
    for secret in secret_strings(keys):
        assert secret not in dump

    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA")) as o:
        region = open_context(url, credentials=Credentials(passphrase=lambda: PASSPHRASE))
        try:
            assert local_keys(region).fingerprint == keys.fingerprint
            write_card(region, tmp_path / "roea.json")
            trust_card(o["KE-NBO"], read_card(o["KE-NBO"], tmp_path / "roea.json"))
            trust_card(region, read_card(region, tmp_path / "KE-NBO.card.json"))
            add_visits(o["KE-NBO"], 3)
            # opening a packet addressed to the region needs its age identity
            inbound = export_packet(o["KE-NBO"], "ROEA", tmp_path / "in.fieldkit").paths[0]
            assert import_packet(region, inbound).new > 0
            # the field office checks the region's minisign signature
            outbound = export_packet(region, "KE-NBO", tmp_path / "out.fieldkit", full=True).paths[0]
            assert import_packet(o["KE-NBO"], outbound).status == "imported"
        finally:
            region.close()


def test_a_wrong_or_missing_passphrase_is_refused_and_changes_nothing(pg_url: Callable[[], str]) -> None:
    url = pg_url()
    sealed_region(url)
    before = raw_rows(url)
    with pytest.raises(PassphraseError, match="The passphrase does not open this store"):
        open_context(url, credentials=Credentials(passphrase=lambda: "not the passphrase"))
    with pytest.raises(PassphraseError, match="sealed under a passphrase"):
        open_context(url)
    with pytest.raises(PassphraseError, match="The passphrase is empty"):
        open_context(url, credentials=Credentials(passphrase=lambda: ""))
    assert raw_rows(url) == before


def test_changing_the_passphrase_seals_the_keys_again(pg_url: Callable[[], str]) -> None:
    url = pg_url()
    keys = sealed_region(url)
    before = raw_rows(url)
    ctx = open_context(url, credentials=Credentials(passphrase=lambda: PASSPHRASE))
    try:
        with pytest.raises(PassphraseError, match="does not open"):
            change_office_keys_passphrase(ctx, "wrong", NEW_PASSPHRASE)
        assert raw_rows(url) == before
        with pytest.raises(PassphraseError, match="sealed already"):
            seal_office_keys(ctx, NEW_PASSPHRASE)
        assert change_office_keys_passphrase(ctx, PASSPHRASE, NEW_PASSPHRASE) == 1
        assert local_keys(ctx).fingerprint == keys.fingerprint  # the open store goes on with the new key
    finally:
        ctx.close()
    after = raw_rows(url)
    assert after != before and all(s not in "".join(v for _c, v in after) for s in secret_strings(keys))
    with pytest.raises(PassphraseError, match="does not open"):
        open_context(url, credentials=Credentials(passphrase=lambda: PASSPHRASE))
    ctx = open_context(url, credentials=Credentials(passphrase=lambda: NEW_PASSPHRASE))
    try:
        assert local_keys(ctx).fingerprint == keys.fingerprint
    finally:
        ctx.close()


def test_a_sealed_row_does_not_open_as_another_office(pg_url: Callable[[], str]) -> None:
    url = pg_url()
    sealed_region(url)
    ctx = open_context(url, credentials=Credentials(passphrase=lambda: PASSPHRASE))
    try:
        with unchecked(), ctx.store.read() as session:
            stored = session.execute(text("SELECT CAST(keys AS text) FROM office_secret")).scalar_one()
        import json

        with pytest.raises(cipher.KeyHeaderError, match="damaged"):
            office_keys.unseal(ctx.store.office_keys_key, "KE-NBO", json.loads(stored))
    finally:
        ctx.close()


def fieldkit(*args: str, db: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fieldkit", "--db", db, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def secret_file(path: Path, value: str) -> str:
    path.write_text(value)
    path.chmod(0o600)
    return str(path)


def refused(done: subprocess.CompletedProcess[str], message: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("fieldkit: error: "), done.stderr
    assert message in done.stderr


def test_store_encrypt_and_passphrase_on_postgres_from_the_command_line(
    tmp_path: Path, pg_url: Callable[[], str]
) -> None:
    url = pg_url()
    ctx = open_context(url, create=True)
    init_office(ctx, "ROEA", "Regional office", "regional-office", None)
    keys = local_keys(ctx)
    ctx.close()
    old = secret_file(tmp_path / "old", PASSPHRASE)
    new = secret_file(tmp_path / "new", NEW_PASSPHRASE)
    info = fieldkit("store", "info", db=url)
    assert info.returncode == 0 and "The office keys are not sealed." in info.stdout, info.stderr
    assert json.loads(fieldkit("store", "info", "--json", db=url).stdout)["office_keys_sealed"] is False

    done = fieldkit("--passphrase-file", old, "store", "encrypt", db=url)
    assert done.returncode == 0, done.stderr
    assert "sealed" in done.stdout
    info = fieldkit("store", "info", db=url)  # read without the passphrase: the header is no secret
    assert "The office keys are sealed under a passphrase with ChaCha20-Poly1305." in info.stdout
    assert "Key derived with Argon2id: 256 MiB, 3 passes, 2 lanes." in info.stdout  # the command line's costs
    assert json.loads(fieldkit("store", "info", "--json", db=url).stdout)["office_keys_sealed"] is True
    assert all(s not in "".join(v for _c, v in raw_rows(url)) for s in secret_strings(keys))
    sealed = raw_rows(url)

    refused(fieldkit("stats", db=url), "sealed under a passphrase")
    refused(fieldkit("stats", db=url, env={"FIELDKIT_PASSPHRASE": "wrong"}), "The passphrase does not open")
    refused(fieldkit("store", "encrypt", db=url, env={"FIELDKIT_PASSPHRASE": PASSPHRASE}), "sealed already")
    refused(
        fieldkit("--passphrase-file", new, "store", "passphrase", "--new-passphrase-file", old, db=url),
        "The passphrase does not open",
    )
    assert raw_rows(url) == sealed

    done = fieldkit("office", "card", "--out", str(tmp_path / "card.json"), db=url,
                    env={"FIELDKIT_PASSPHRASE": PASSPHRASE})  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = fieldkit("--passphrase-file", old, "store", "passphrase", "--new-passphrase-file", new, db=url)
    assert done.returncode == 0, done.stderr
    refused(
        fieldkit("stats", db=url, env={"FIELDKIT_PASSPHRASE": PASSPHRASE}), "The passphrase does not open"
    )
    assert fieldkit("stats", db=url, env={"FIELDKIT_PASSPHRASE": NEW_PASSPHRASE}).returncode == 0


def test_the_lock_screen_takes_the_passphrase_of_sealed_keys(pg_url: Callable[[], str]) -> None:
    from ui.lock import WrongSecret, check_unlock_secret, unlock_method

    url = pg_url()
    plain = open_context(url, create=True)
    try:
        assert unlock_method(plain) is None  # no accounts, nothing sealed: nothing to unlock with
    finally:
        plain.close()
    sealed_region(url)
    ctx = open_context(url, credentials=Credentials(passphrase=lambda: PASSPHRASE))
    try:
        assert unlock_method(ctx) == "passphrase"
        check_unlock_secret(ctx, "passphrase", PASSPHRASE)
        with pytest.raises(WrongSecret):
            check_unlock_secret(ctx, "passphrase", NEW_PASSPHRASE)
    finally:
        ctx.close()


def test_init_on_postgres_with_a_passphrase_seals_the_keys_from_the_start(
    tmp_path: Path, pg_url: Callable[[], str]
) -> None:
    url = pg_url()
    phrase = secret_file(tmp_path / "phrase", PASSPHRASE)
    bad = ("init", "--office-code", "ROEA", "--office-name", "Regional office", "--office-type", "nonsense")
    refused(fieldkit("--passphrase-file", phrase, *bad, db=url), "nonsense")
    assert raw_rows(url) == []  # a refused init seals nothing

    done = fieldkit("--passphrase-file", phrase, *bad[:-1], "regional-office", db=url)
    assert done.returncode == 0, done.stderr
    [(code, sealed), (_setting, header)] = raw_rows(url)
    assert code == "ROEA" and "fieldkit-sealed-office-keys" in sealed and "argon2id" in header
    ctx = open_context(url, credentials=Credentials(passphrase=lambda: PASSPHRASE))
    try:
        keys = local_keys(ctx)
    finally:
        ctx.close()
    assert all(s not in sealed for s in secret_strings(keys))
