"""Emergency wipe: refused untouched without the office code; with it, key material first, then
every file of the store, its copies and FieldKit's own files, with an honest report."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from fieldkit.cli.main import main as cli_main
from fieldkit.context import Context
from fieldkit.store.migrate import backup_sqlite
from fieldkit.store.wipe import FIXED_CONFIRMATION, WipeRefused, expected_confirmation, wipe


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def installation(ctx: Context, store_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A closed office store with everything that gathers beside it, and FieldKit's own files
    in its data folder; FIELDKIT_DB points at the store."""
    ctx.close()
    backup_sqlite(store_path, "schema-0007")
    for suffix, content in (
        ("-wal", b"wal frames"),
        ("-shm", b"shared memory"),
        (".kdf", b"salt and argon2 parameters"),
        ("-writer", b'{"pid": 1}'),
        (".on-demand-2026-03-01.bak", b"a copy taken from Settings"),
    ):
        store_path.with_name(store_path.name + suffix).write_bytes(content)
    home = Path(os.environ["FIELDKIT_HOME"])
    (home / "ui-settings.ini").write_text("[ui]\nlanguage=en\n")
    (home / "logs").mkdir()
    (home / "logs" / "fieldkit.log").write_text("Operation failed\n")
    (home / "fieldkit.db").write_bytes(b"another office's store")
    monkeypatch.setenv("FIELDKIT_DB", str(store_path))
    return store_path


@pytest.mark.parametrize("confirm", [[], ["--confirm", "KE-MSA"], ["--confirm", FIXED_CONFIRMATION]])
def test_without_the_office_code_nothing_is_touched(
    installation: Path, confirm: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    home = Path(os.environ["FIELDKIT_HOME"])
    before = _fingerprint(installation.parent), _fingerprint(home)
    assert cli_main(["wipe", *confirm]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fieldkit: error: Nothing was wiped") and "KE-NBO" in err
    assert err.count("\n") == 1
    assert (_fingerprint(installation.parent), _fingerprint(home)) == before


def test_wipe_destroys_the_store_its_copies_and_own_files(
    installation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = Path(os.environ["FIELDKIT_HOME"])
    linked = installation.with_name("hard-link-to-store")
    os.link(installation, linked)  # the same inode: shows the data itself was cut, not just the name
    assert cli_main(["wipe", "--confirm", "ke-nbo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    kdf = str(installation.with_name("store.db.kdf"))
    assert report["complete"] is True and report["failed"] == []
    assert report["key_material_destroyed"][0] == kdf
    assert str(installation) in report["key_material_destroyed"]
    assert report["destroyed"][0] == kdf
    assert sorted(p.name for p in installation.parent.iterdir()) == ["hard-link-to-store"]
    assert linked.stat().st_size == 0
    assert len(report["destroyed"]) == 9  # store, 2 backups, wal, shm, kdf, writer note, settings, log
    assert not (home / "ui-settings.ini").exists() and not (home / "logs").exists()
    assert report["left"] == [str(home / "fieldkit.db")]
    assert (home / "fieldkit.db").read_bytes() == b"another office's store"


def test_an_interrupted_wipe_has_already_destroyed_the_key_material(installation: Path) -> None:
    header = installation.read_bytes()[:100]
    assert header.startswith(b"SQLite format 3\x00")
    seen: list[str] = []

    class PowerCut(Exception):
        pass

    def cut_after_key_header(path: Path) -> None:
        seen.append(path.name)
        if len(seen) == 2:
            raise PowerCut

    with pytest.raises(PowerCut):
        wipe(installation, confirmation="KE-NBO", listener=cut_after_key_header)
    assert seen == ["store.db.kdf", "store.db"]
    assert not installation.with_name("store.db.kdf").exists()
    for copy in (installation, installation.with_name("store.db.schema-0007.bak")):
        first = copy.read_bytes()[:65536]
        assert not first.startswith(b"SQLite format 3"), copy.name
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(installation).execute("SELECT count(*) FROM office").fetchone()


def test_a_store_that_cannot_be_read_asks_for_the_fixed_word(tmp_path: Path) -> None:
    encrypted = tmp_path / "sealed.db"
    encrypted.write_bytes(os.urandom(8192))  # what an SQLCipher store looks like without its key
    assert expected_confirmation(encrypted) == FIXED_CONFIRMATION
    with pytest.raises(WipeRefused):
        wipe(encrypted, confirmation="KE-NBO", data_dir=tmp_path / "home")
    assert encrypted.exists()
    report = wipe(encrypted, confirmation="wipe", data_dir=tmp_path / "home")
    assert report.destroyed == [encrypted] and not encrypted.exists()


def test_nothing_to_wipe_and_server_stores_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["--db", str(tmp_path / "none.db"), "wipe", "--confirm", "WIPE"]) == 2
    assert "nothing to wipe" in capsys.readouterr().err
    assert cli_main(["--db", "postgresql+psycopg://u@localhost/x", "wipe", "--confirm", "WIPE"]) == 2
    assert "database server" in capsys.readouterr().err
