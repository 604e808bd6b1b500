"""Key backup and recovery: shares that restore the office, backups the reference tools read.

Real stores in tmp_path; the reference ``age``, ``minisign`` and ``zbarimg`` tools where
installed (scripts/setup.sh installs them; the tests that need one say so when skipped).
"""

from __future__ import annotations

import itertools
import os
import pty
import select
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fixed_clock import SteppingClock
from sqlalchemy import delete
from sqlalchemy import select as sql_select
from sync_offices import add_visits, offices

from fieldkit.cli.main import main
from fieldkit.context import Context
from fieldkit.crypto import DecryptionError, KeyFormatError, agebox, minisign, shamir
from fieldkit.crypto.keybackup import (
    KeyBundle,
    ShareError,
    age_identity_bytes,
    age_identity_from_bytes,
    combine_shares,
    parse_share,
    split_bundle,
)
from fieldkit.crypto.keys import OfficeKeys
from fieldkit.domain.keys import local_keys
from fieldkit.errors import ValidationError
from fieldkit.opening import open_context
from fieldkit.services.cards import read_card, trust_card
from fieldkit.services.keys import (
    OfficeFields,
    backup_keys,
    read_share_files,
    restore_from_backup,
    restore_from_shares,
    split_keys,
)
from fieldkit.services.monitoring import get_visit
from fieldkit.services.office import local_office
from fieldkit.store.system import AuditLog, OfficeSecret
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

#: libsodium's INTERACTIVE scrypt limits (16 MiB): cheap for tests, still the real format
CHEAP = (524288, 16777216)
PASSPHRASE = "correct horse battery staple"

needs_age = pytest.mark.skipif(shutil.which("age") is None, reason="reference tool age is not installed")
needs_minisign = pytest.mark.skipif(
    shutil.which("minisign") is None, reason="reference tool minisign is not installed"
)
needs_zbarimg = pytest.mark.skipif(
    shutil.which("zbarimg") is None, reason="zbarimg is not installed (apt-get install zbar-tools)"
)


def _bundle(code: str = "KE-NBO") -> KeyBundle:
    return KeyBundle(OfficeKeys.generate(), code, "Kenya office — مكتب كينيا", "country-office", "ROEA")


def _audit(ctx: Context, action: str) -> list[dict[str, object]]:
    from fieldkit.access import unchecked

    with unchecked("test reads the audit"), ctx.store.read() as session:
        rows = session.execute(sql_select(AuditLog).where(AuditLog.action == action)).scalars()
        return [dict(row.detail or {}) for row in rows]


# --------------------------------------------------------------------------- shares


def test_any_three_of_five_shares_rebuild_the_bundle_and_two_say_how_many_are_needed() -> None:
    bundle = _bundle()
    shares = split_bundle(bundle, 3, 5)
    assert [s.index for s in shares] == [1, 2, 3, 4, 5]
    for chosen in itertools.combinations(shares, 3):
        assert combine_shares(chosen) == bundle
    for pair in itertools.combinations(shares, 2):
        with pytest.raises(ShareError, match="3 shares are needed to restore the keys; only 2 were given"):
            combine_shares(pair)


def test_shamir_below_the_threshold_gives_another_secret() -> None:
    secret = os.urandom(64)
    shares = shamir.split(secret, 3, 5)
    assert shamir.combine(shares[:3]) == secret
    assert shamir.combine(shares[1:]) == secret
    assert shamir.combine(shares[:2]) != secret


def test_a_share_typed_back_by_hand_reads_and_a_mistyped_one_is_named() -> None:
    share = split_bundle(_bundle(), 2, 3)[1]
    typed = "fieldkit-share-1:\n" + "\n".join(share.grouped_text()).lower()
    assert parse_share(typed) == share
    body = share.text
    position = len(body) - 20
    wrong = body[:position] + ("A" if body[position] != "A" else "B") + body[position + 1 :]
    with pytest.raises(ShareError, match=r"alice\.txt is damaged or mistyped: its check does not match"):
        parse_share(wrong, "alice.txt")
    with pytest.raises(ShareError, match="not a FieldKit key share"):
        parse_share("AGE-SECRET-KEY-1XYZ", "bob.txt")


def test_shares_of_another_office_or_another_split_are_named() -> None:
    bundle = _bundle()
    first = split_bundle(bundle, 2, 3)
    second = split_bundle(bundle, 2, 3)
    other = split_bundle(_bundle("UG-KLA"), 2, 3)
    with pytest.raises(ShareError, match=r"share 2 of 3 holds the keys of another office \(fingerprint"):
        combine_shares([first[0], other[1]])
    with pytest.raises(ShareError, match="share 2 of 3 comes from another split"):
        combine_shares([first[0], second[1]])
    # the same share twice counts once
    with pytest.raises(ShareError, match="only 1 was given"):
        combine_shares([first[0], first[0]])


def test_age_identity_bytes_round_trip_through_bech32() -> None:
    for _ in range(20):
        identity, _recipient = agebox.generate_identity()
        assert age_identity_from_bytes(age_identity_bytes(identity)) == identity
    with pytest.raises(KeyFormatError, match="checksum"):
        age_identity_bytes(identity[:-1] + ("Q" if identity[-1] != "Q" else "P"))


# ------------------------------------------------------------------- restore a packet


@pytest.fixture
def two_offices(tmp_path: Path) -> Iterator[dict[str, Context]]:
    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA"), ("ROEA", "regional-office", None)) as o:
        yield o


def _fresh(path: Path) -> Context:
    ctx = open_context(path, create=True)
    ctx.now = SteppingClock()
    return ctx


def test_keys_restored_from_three_of_five_shares_decrypt_a_packet_addressed_to_the_office(
    two_offices: dict[str, Context], tmp_path: Path
) -> None:
    o = two_offices
    result = split_keys(o["ROEA"], tmp_path / "shares", 3, 5)
    visit_ids = add_visits(o["KE-NBO"], 2, "Restored")
    packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "to-roea.fieldkit").paths[0]
    texts = sorted((tmp_path / "shares").glob("ROEA-share-*-of-5.txt"))
    assert len(texts) == 5

    laptop = _fresh(tmp_path / "new-laptop.db")
    try:
        with pytest.raises(ValidationError, match="3 shares are needed"):
            restore_from_shares(laptop, read_share_files(texts[:2]))
        assert laptop.office_code is None and local_office(laptop) is None  # nothing changed
        restored = restore_from_shares(laptop, read_share_files([texts[0], texts[2], texts[4]]))
        assert restored.created_office and restored.office_code == "ROEA"
        assert restored.fingerprint == result.fingerprint == local_office(o["ROEA"]).fingerprint  # type: ignore[union-attr]
        info = local_office(laptop)
        assert info is not None and (info.name, info.office_type) == ("Office ROEA", "regional-office")
        trust_card(laptop, read_card(laptop, tmp_path / "KE-NBO.card.json"))
        summary = import_packet(laptop, packet)
        assert summary.status == "imported", summary
        assert [get_visit(laptop, i).title for i in visit_ids] == ["Restored 0", "Restored 1"]
        assert _audit(laptop, "key-restore") == [{"form": "shares", "fingerprint": restored.fingerprint}]
    finally:
        laptop.close()
    assert _audit(o["ROEA"], "key-export") == [{"form": "shares", "threshold": 3, "count": 5}]


def test_restoring_over_another_office_is_refused_and_the_same_office_gets_its_keys_back(
    two_offices: dict[str, Context], tmp_path: Path
) -> None:
    o = two_offices
    split_keys(o["ROEA"], tmp_path / "shares", 2, 3)
    shares = read_share_files(sorted((tmp_path / "shares").glob("*.txt"))[:2])
    before = local_keys(o["KE-NBO"])
    with pytest.raises(ValidationError, match=r"These keys are office ROEA's .*this store is office KE-NBO"):
        restore_from_shares(o["KE-NBO"], shares)
    assert local_keys(o["KE-NBO"]) == before

    # the keys wiped from ROEA's own store come back from the shares
    from fieldkit.access import unchecked

    expected = local_keys(o["ROEA"])
    with unchecked("test wipes the keys"), o["ROEA"].store.write() as session:
        session.execute(delete(OfficeSecret))
    restored = restore_from_shares(o["ROEA"], shares)
    assert not restored.created_office
    assert local_keys(o["ROEA"]) == expected


# ------------------------------------------------------------------ passphrase backup


def test_a_passphrase_backup_restores_the_office_and_a_wrong_passphrase_is_named(
    ctx: Context, tmp_path: Path
) -> None:
    out = tmp_path / "backup"
    result = backup_keys(ctx, out, PASSPHRASE, minisign_cost=CHEAP)
    names = {p.name for p in result.files}
    assert {"KE-NBO.age-identity.age", "KE-NBO.minisign.key", "KE-NBO.card"} <= names
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in result.files)
    keys = local_keys(ctx)
    for path in result.files:  # nothing secret is written in the clear
        data = path.read_bytes()
        assert keys.age_identity.encode() not in data
        assert minisign.secret_key_file(keys.minisign).split("\n")[1][60:120].encode() not in data
    assert _audit(ctx, "key-export")[0]["form"] == "passphrase"

    laptop = _fresh(tmp_path / "laptop.db")
    try:
        with pytest.raises(ValidationError, match="Wrong recovery passphrase"):
            restore_from_backup(laptop, [out], "not the passphrase at all")
        assert laptop.office_code is None
        restored = restore_from_backup(laptop, [out], PASSPHRASE, OfficeFields(name="Nairobi"))
        assert restored.fingerprint == result.fingerprint and restored.office_name == "Nairobi"
        assert local_keys(laptop) == keys
        info = local_office(laptop)
        assert info is not None and (info.code, info.office_type, info.parent_code) == (
            "KE-NBO",
            "country-office",
            "ROEA",
        )
    finally:
        laptop.close()


def test_a_short_recovery_passphrase_is_refused(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at least 12 characters"):
        backup_keys(ctx, tmp_path / "b", "short", minisign_cost=CHEAP)
    assert not (tmp_path / "b").exists()
    assert _audit(ctx, "key-export") == []


def test_minisign_encrypted_key_round_trips_and_a_wrong_passphrase_is_a_decryption_error() -> None:
    kp = minisign.generate_keypair()
    text = minisign.secret_key_file(kp, PASSPHRASE, opslimit=CHEAP[0], memlimit=CHEAP[1])
    assert minisign.is_encrypted_secret_key_file(text)
    assert minisign.parse_secret_key_file(text, PASSPHRASE) == kp
    with pytest.raises(DecryptionError, match="wrong passphrase"):
        minisign.parse_secret_key_file(text, "another passphrase")
    with pytest.raises(KeyFormatError, match="encrypted with a password"):
        minisign.parse_secret_key_file(text)


def test_scrypt_parameters_follow_libsodium() -> None:
    # minisign -G's SENSITIVE limits, INTERACTIVE, and FieldKit's backup default
    assert minisign.scrypt_parameters(33554432, 1073741824) == (20, 8, 1)
    assert minisign.scrypt_parameters(*CHEAP) == (14, 8, 1)
    assert minisign.scrypt_parameters(minisign.OPSLIMIT_BACKUP, minisign.MEMLIMIT_BACKUP) == (18, 8, 1)


# ------------------------------------------------------------------ reference tools


def _with_terminal(argv: Sequence[str], answer: str, cwd: Path) -> tuple[int, bytes]:
    """Run ``argv`` on a pseudo-terminal (age reads passphrases from the terminal only) and type
    ``answer`` at its first prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the tool
        os.chdir(cwd)
        os.execvp(argv[0], list(argv))
    output, typed = b"", False
    try:
        while True:
            ready, _w, _x = select.select([fd], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the tool closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if (not typed and b"assphrase" in output) or (not typed and b"assword" in output):
                os.write(fd, answer.encode() + b"\n")
                typed = True
    finally:
        os.close(fd)
        _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output


@needs_age
@needs_minisign
def test_a_key_backup_is_read_by_the_reference_age_and_minisign_tools(ctx: Context, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    backup_keys(ctx, out, PASSPHRASE, minisign_cost=CHEAP)
    keys = local_keys(ctx)

    status, output = _with_terminal(
        ["age", "-d", "-o", "identity.txt", "KE-NBO.age-identity.age"], PASSPHRASE, out
    )
    assert status == 0, output
    assert keys.age_identity in (out / "identity.txt").read_text().splitlines()

    message = out / "message.txt"
    message.write_text("signed with the restored key\n")
    status, output = _with_terminal(
        ["minisign", "-S", "-s", "KE-NBO.minisign.key", "-m", "message.txt"], PASSPHRASE, out
    )
    assert status == 0, output
    signature = (out / "message.txt.minisig").read_text()
    verified = subprocess.run(
        ["minisign", "-V", "-p", "KE-NBO.minisign.pub", "-m", "message.txt"],
        cwd=out,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert minisign.verify(message.read_bytes(), signature, keys.minisign_public_key_line)

    status, output = _with_terminal(
        ["minisign", "-S", "-s", "KE-NBO.minisign.key", "-m", "message.txt"], "wrong passphrase", out
    )
    assert status != 0 and b"Wrong password" in output


@needs_zbarimg
def test_a_share_qr_code_decodes_to_the_share_text(ctx: Context, tmp_path: Path) -> None:
    split_keys(ctx, tmp_path, 2, 2)
    expected = (tmp_path / "KE-NBO-share-2-of-2.txt").read_text().strip()
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "KE-NBO-share-2-of-2.png")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0, decoded.stderr
    assert decoded.stdout.strip() == expected
    pdf = (tmp_path / "KE-NBO-share-2-of-2.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")


# ----------------------------------------------------------------------------- command line


def test_the_command_line_splits_and_restores(
    ctx: Context, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fingerprint = local_keys(ctx).fingerprint
    ctx.close()
    out = tmp_path / "shares"
    assert (
        main(
            ["--db", str(store_path), "keys", "split", "--threshold", "2", "--shares", "3", "--out", str(out)]
        )
        == 0
    )
    texts = sorted(str(p) for p in out.glob("*.txt"))
    new = tmp_path / "new.db"
    assert main(["--db", str(new), "keys", "restore", "--shares", texts[0]]) == 2
    assert "2 shares are needed to restore the keys; only 1 was given" in capsys.readouterr().err
    assert not new.exists()
    assert main(["--db", str(new), "keys", "restore", "--shares", texts[0], texts[2]]) == 0
    assert fingerprint in capsys.readouterr().out
    assert (
        main(
            ["--db", str(store_path), "keys", "split", "--threshold", "3", "--shares", "2", "--out", str(out)]
        )
        == 2
    )
    assert "Choose between 2 and 16 shares" in capsys.readouterr().err
