"""``fieldkit store`` and the passphrase options, run as a user runs them: a subprocess, real files,
one line on stderr and exit status 2 for every refusal, nothing changed."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.cli import passphrase as cli_passphrase
from fieldkit.opening import Credentials, open_context
from fieldkit.services.office import init_office
from fieldkit.store import cipher, files

PASSPHRASE = "Blue gate, third key on the ring"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = cipher.KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)
    monkeypatch.setattr(cipher, "kdf_params", cheap)
    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    monkeypatch.delenv("FIELDKIT_NEW_PASSPHRASE", raising=False)


def fieldkit(*args: str, db: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fieldkit", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def secret_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def encrypted_db(tmp_path: Path) -> Path:
    db = tmp_path / "store" / "office.db"
    ctx = open_context(db, create=True, credentials=Credentials(passphrase=lambda: PASSPHRASE))
    init_office(ctx, "KE-NBO", "Kenya", "country-office", "ROEA")
    ctx.close()
    return db


def refused(done: subprocess.CompletedProcess[str], message: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("fieldkit: error: "), done.stderr
    assert message in done.stderr


def test_the_passphrase_comes_from_a_private_file_or_the_environment(
    encrypted_db: Path, tmp_path: Path
) -> None:
    with_file = fieldkit(
        "--passphrase-file", str(secret_file(tmp_path / "pass", PASSPHRASE + "\n")), "stats", db=encrypted_db
    )
    assert with_file.returncode == 0, with_file.stderr
    from_env = fieldkit("stats", "--json", db=encrypted_db, env={"FIELDKIT_PASSPHRASE": PASSPHRASE})
    assert from_env.returncode == 0 and json.loads(from_env.stdout)["vocabulary_term"]["live"] > 100


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("wrong", "The passphrase does not open this store."),
        ("empty", "The passphrase is empty."),
        ("missing-file", "does not exist"),
        ("readable-file", "chmod 600"),
        ("no-source", "--passphrase-file"),
        ("other-kdf", "key derivation this FieldKit does not know"),
    ],
)
def test_every_refusal_is_one_line_exit_2_and_changes_nothing(
    encrypted_db: Path, tmp_path: Path, how: str, message: str
) -> None:
    args: list[str] = []
    env: dict[str, str] = {}
    if how == "wrong":
        env["FIELDKIT_PASSPHRASE"] = PASSPHRASE + "?"
    elif how == "empty":
        args = ["--passphrase-file", str(secret_file(tmp_path / "empty", "\n"))]
    elif how == "missing-file":
        args = ["--passphrase-file", str(tmp_path / "nowhere")]
    elif how == "readable-file":
        args = ["--passphrase-file", str(secret_file(tmp_path / "shared", PASSPHRASE, 0o644))]
    elif how == "other-kdf":
        header = files.header_path(encrypted_db)
        header.write_text(header.read_text().replace('"argon2id"', '"scrypt"'))
        env["FIELDKIT_PASSPHRASE"] = PASSPHRASE
    before = fingerprint(encrypted_db.parent)
    for command in (["stats"], ["store", "backup"], ["store", "passphrase"]):
        refused(fieldkit(*args, *command, db=encrypted_db, env=env), message)
    assert fingerprint(encrypted_db.parent) == before


def test_init_with_a_passphrase_makes_an_encrypted_store(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    done = fieldkit(
        "--passphrase-file",
        str(secret_file(tmp_path / "pass", PASSPHRASE)),
        "init",
        "--office-code",
        "KE-NBO",
        "--office-name",
        "Kenya",
        "--office-type",
        "country-office",
        db=db,
    )
    assert done.returncode == 0, done.stderr
    assert cipher.is_encrypted(db)
    info = fieldkit("store", "info", "--json", db=db)
    assert info.returncode == 0, info.stderr
    described = json.loads(info.stdout)
    assert described["encrypted"] is True and described["kdf"] == "argon2id"
    # the production costs: a new store made by the command line never gets the tests' cheap ones
    assert (described["time_cost"], described["memory_cost_kib"], described["parallelism"]) == (
        cipher.DEFAULT_KDF.time_cost,
        cipher.DEFAULT_KDF.memory_cost_kib,
        cipher.DEFAULT_KDF.parallelism,
    )
    assert PASSPHRASE not in info.stdout and "salt" not in described and "key_check" not in described


def test_store_encrypt_then_passphrase_then_backup(tmp_path: Path) -> None:
    db = tmp_path / "office.db"
    ctx = open_context(db, create=True)
    init_office(ctx, "KE-NBO", "Kenya", "country-office", "ROEA")
    ctx.close()
    plain_info = fieldkit("store", "info", "--json", db=db)
    assert json.loads(plain_info.stdout)["encrypted"] is False

    refused(fieldkit("store", "encrypt", db=db), "FIELDKIT_PASSPHRASE")  # no terminal, no file, no variable
    assert not cipher.is_encrypted(db)

    done = fieldkit("store", "encrypt", db=db, env={"FIELDKIT_PASSPHRASE": PASSPHRASE})
    assert done.returncode == 0, done.stderr
    assert str(db) in done.stdout and "office.db.kdf" in done.stdout
    assert cipher.is_encrypted(db)

    changed = fieldkit(
        "store",
        "passphrase",
        "--new-passphrase-file",
        str(secret_file(tmp_path / "new", "Second passphrase\n")),
        db=db,
        env={"FIELDKIT_PASSPHRASE": PASSPHRASE},
    )
    assert changed.returncode == 0, changed.stderr
    refused(fieldkit("stats", db=db, env={"FIELDKIT_PASSPHRASE": PASSPHRASE}), "does not open this store")

    second = {"FIELDKIT_PASSPHRASE": "Second passphrase"}
    target = tmp_path / "copies" / "office-backup.db"
    target.parent.mkdir()
    backup = fieldkit("store", "backup", "--to", str(target), db=db, env=second)
    assert backup.returncode == 0, backup.stderr
    assert cipher.is_encrypted(target) and files.header_path(target).exists()
    again = fieldkit("store", "backup", "--to", str(target), db=db, env=second)
    refused(again, "exists already")
    opened = fieldkit("stats", db=target, env=second)
    assert opened.returncode == 0, opened.stderr


def _args(db: Path) -> argparse.Namespace:
    return argparse.Namespace(db=str(db), passphrase_file=None)


def test_a_terminal_is_asked_twice_for_a_new_store_and_once_for_an_existing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed: list[str] = []
    answers = iter(["first try", "first tyr", "second", "second", "existing"])

    def getpass(prompt: str) -> str:
        typed.append(prompt)
        return next(answers)

    monkeypatch.setattr(cli_passphrase.getpass, "getpass", getpass)
    monkeypatch.setattr(cli_passphrase.sys.stdin, "isatty", lambda: True)
    source = cli_passphrase.passphrase_source(_args(tmp_path / "new.db"))
    assert source is not None
    with pytest.raises(cipher.PassphraseError, match="differ"):
        source()
    assert source() == "second" and len(typed) == 4
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"x" * 4096)
    other = cli_passphrase.passphrase_source(_args(existing))
    assert other is not None and other() == "existing" and len(typed) == 5


def test_without_a_terminal_file_or_variable_there_is_no_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_passphrase.sys.stdin, "isatty", lambda: False)
    assert cli_passphrase.passphrase_source(_args(tmp_path / "new.db")) is None  # a new store is then plain
