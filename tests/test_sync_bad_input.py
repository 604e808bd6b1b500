"""Every kind of bad packet is refused with a reason, and the store stays byte-for-byte the same."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sync_offices import add_visits, offices

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.crypto import agebox, minisign
from fieldkit.domain.keys import local_keys
from fieldkit.errors import FieldKitError
from fieldkit.opening import open_context
from fieldkit.sync import packet as fmt
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")
HQ = ("HQ", "headquarters", None)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[dict[str, Context], Path, Path]]:
    with offices(tmp_path, FIELD, REGION, HQ) as o:
        add_visits(o["KE-NBO"], 3)
        good = export_packet(o["KE-NBO"], "ROEA", tmp_path / "good.fieldkit").paths[0]
        yield o, good, tmp_path


def refused(o: dict[str, Context], code: str, packet: Path, tmp: Path, match: str) -> None:
    """Import must raise naming ``match`` and leave the store file unchanged."""
    db = tmp / f"{code}.db"
    o[code].close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    o[code] = open_context(db)
    with pytest.raises(FieldKitError, match=match):
        import_packet(o[code], packet)
    o[code].close()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "the store changed"
    o[code] = open_context(db)


def rewrite(src: Path, dst: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    change(members)
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(fmt.entry(name), data)
    return dst


def resign(
    o: dict[str, Context], members: dict[str, bytes], manifest: dict, payload: bytes | None = None
) -> None:
    """Rebuild a packet the way a real (but misbehaving) sender would: valid hashes and signature."""
    from fieldkit.crypto import minisign

    keys = local_keys(o["KE-NBO"])
    if payload is not None:
        with unchecked(), o["ROEA"].store.read() as s:
            from fieldkit.store.system import Office

            roea = s.get(Office, "ROEA")
            assert roea is not None
            recipient = roea.age_recipient
        members[fmt.PAYLOAD] = agebox.encrypt(payload, [recipient, keys.age_recipient])
    manifest["members"] = [
        {"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
        for n, d in members.items()
        if n not in (fmt.MANIFEST, fmt.SIGNATURE)
    ]
    body = json.dumps(manifest).encode()
    members[fmt.MANIFEST] = body
    members[fmt.SIGNATURE] = minisign.sign(body, keys.minisign, fmt.trusted_comment(manifest)).encode()


def test_good_packet_imports(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, _tmp = world
    assert import_packet(o["ROEA"], good).new > 0


def test_truncated_file(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    cut = tmp / "cut.fieldkit"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(o, "ROEA", cut, tmp, "truncated|damaged")


@pytest.mark.parametrize("where", [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
def test_flipped_byte_anywhere(world: tuple[dict[str, Context], Path, Path], where: float) -> None:
    o, good, tmp = world
    data = bytearray(good.read_bytes())
    position = int(len(data) * where)
    data[position] ^= 0x01
    bad = tmp / "flipped.fieldkit"
    bad.write_bytes(bytes(data))
    refused(o, "ROEA", bad, tmp, _damage_named(good, position))


def _damage_named(packet: Path, position: int) -> str:
    """What the refusal must name for a byte flipped at ``position``: the member it hit,
    or, past the members, the packet's directory."""
    with zipfile.ZipFile(packet) as zf:
        members = sorted(zf.infolist(), key=lambda info: info.header_offset)
    data = packet.read_bytes()
    for info in members:
        # local header: 30 fixed bytes, then the name and extra field whose lengths it gives
        name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
        end = info.header_offset + 30 + name_length + extra_length + info.compress_size
        if info.header_offset <= position < end:
            if info.filename == fmt.MANIFEST:
                return "The manifest is damaged"
            return f"{re.escape(info.filename)} is damaged|header for {re.escape(info.filename)} is damaged"
    # zipfile itself notices some of these (a central directory magic), as a file it cannot read
    return "unexpected member|directory is damaged|header for .* is damaged|not a FieldKit packet, or it is"


def test_member_not_in_manifest(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    extra = "attachments/" + "a" * 64 + ".age"
    bad = rewrite(good, tmp / "extra.fieldkit", lambda m: m.__setitem__(extra, b"junk"))
    refused(o, "ROEA", bad, tmp, "does not list")


def test_foreign_zip_headers(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(tmp / "rezipped.fieldkit", "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
    refused(o, "ROEA", tmp / "rezipped.fieldkit", tmp, "header")


def test_unexpected_member(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    bad = rewrite(good, tmp / "odd.fieldkit", lambda m: m.__setitem__("notes.txt", b"hello"))
    refused(o, "ROEA", bad, tmp, "unexpected member")


def test_member_listed_but_missing(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    bad = rewrite(good, tmp / "missing.fieldkit", lambda m: m.pop(fmt.PAYLOAD))
    refused(o, "ROEA", bad, tmp, "does not contain")


def test_path_traversal(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    bad = rewrite(good, tmp / "evil.fieldkit", lambda m: m.__setitem__("../x", b"evil"))
    refused(o, "ROEA", bad, tmp, "forbidden path")


def test_packet_for_another_office(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, _good, tmp = world
    to_hq = export_packet(o["KE-NBO"], "HQ", tmp / "hq.fieldkit").paths[0]
    refused(o, "ROEA", to_hq, tmp, "addressed to HQ")


def test_unknown_sender(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "p.fieldkit").paths[0]
        with offices(tmp_path / "other", ("ROEA", "regional-office", None)) as stranger:
            db = tmp_path / "other" / "ROEA.db"
            stranger["ROEA"].close()
            before = db.read_bytes()
            stranger["ROEA"] = open_context(db)
            with pytest.raises(FieldKitError, match="does not trust"):
                import_packet(stranger["ROEA"], packet)
            stranger["ROEA"].close()
            assert db.read_bytes() == before
            stranger["ROEA"] = open_context(db)


def test_replayed_packet(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    import_packet(o["ROEA"], good)
    refused(o, "ROEA", good, tmp, "already imported")


def test_newer_format_version(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world

    def newer(m: dict[str, bytes]) -> None:
        manifest = json.loads(m[fmt.MANIFEST])
        manifest["format_version"] = fmt.FORMAT_VERSION + 1
        resign(o, m, manifest)

    refused(o, "ROEA", rewrite(good, tmp / "v2.fieldkit", newer), tmp, "format version 2")


def _payload_with(good: Path, o: dict[str, Context], edit: Callable[[dict], None]) -> Callable[[dict], None]:
    identity = local_keys(o["ROEA"]).age_identity

    def change(m: dict[str, bytes]) -> None:
        rows = [json.loads(line) for line in agebox.decrypt(m[fmt.PAYLOAD], identity).splitlines()]
        edit(next(r for r in rows if r["type"] == "monitoring_visit"))
        payload = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
        resign(o, m, json.loads(m[fmt.MANIFEST]), payload)

    return change


def test_row_with_a_wrong_type(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    bad = rewrite(
        good, tmp / "type.fieldkit", _payload_with(good, o, lambda r: r["data"].update(latitude="north"))
    )
    refused(o, "ROEA", bad, tmp, "latitude")


def test_row_with_an_unknown_code(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    bad = rewrite(
        good, tmp / "code.fieldkit", _payload_with(good, o, lambda r: r["data"].update(visit_type="picnic"))
    )
    refused(o, "ROEA", bad, tmp, "unknown code 'picnic'")


def test_signature_by_another_key(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    from fieldkit.crypto import minisign

    def forged(m: dict[str, bytes]) -> None:
        manifest = json.loads(m[fmt.MANIFEST])
        m[fmt.SIGNATURE] = minisign.sign(
            m[fmt.MANIFEST], minisign.generate_keypair(), fmt.trusted_comment(manifest)
        ).encode()

    refused(o, "ROEA", rewrite(good, tmp / "forged.fieldkit", forged), tmp, "signature")


@pytest.mark.skipif(
    not (shutil.which("age") and shutil.which("minisign")), reason="needs Debian's age and minisign"
)
def test_reference_tools_read_a_packet(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    keys_dir = tmp / "keys"
    keys_dir.mkdir()
    roea_keys = local_keys(o["ROEA"])
    (keys_dir / "ROEA.age-identity.txt").write_text(agebox.identity_file(roea_keys.age_identity))
    sender_keys = tmp / "sender-keys"
    sender_keys.mkdir()
    nbo_keys = local_keys(o["KE-NBO"])
    (sender_keys / "KE-NBO.age-identity.txt").write_text(agebox.identity_file(nbo_keys.age_identity))
    (sender_keys / "KE-NBO.minisign.pub").write_text(minisign.public_key_file(nbo_keys.minisign))
    unpacked = tmp / "unpacked"
    with zipfile.ZipFile(good) as zf:
        zf.extractall(unpacked)
    verify = subprocess.run(
        [
            "minisign",
            "-V",
            "-m",
            str(unpacked / fmt.MANIFEST),
            "-x",
            str(unpacked / fmt.SIGNATURE),
            "-p",
            str(sender_keys / "KE-NBO.minisign.pub"),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert verify.returncode == 0, verify.stderr
    assert "fieldkit packet" in verify.stdout
    decrypted = subprocess.run(
        ["age", "-d", "-i", str(keys_dir / "ROEA.age-identity.txt"), str(unpacked / fmt.PAYLOAD)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    assert decrypted.returncode == 0, decrypted.stderr
    rows = [json.loads(line) for line in decrypted.stdout.splitlines()]
    assert {r["type"] for r in rows} >= {"monitoring_visit", "incident", "follow_up"}
    manifest = json.loads((unpacked / fmt.MANIFEST).read_text())
    assert manifest["sender"] == "KE-NBO" and manifest["recipients"] == ["ROEA"]
    # the sender can reopen its own outbox
    own = subprocess.run(
        ["age", "-d", "-i", str(sender_keys / "KE-NBO.age-identity.txt"), str(unpacked / fmt.PAYLOAD)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    assert own.returncode == 0


def test_every_header_byte_and_sampled_data_bytes(world: tuple[dict[str, Context], Path, Path]) -> None:
    """Flip each byte of the headers and directory, and a sample of data bytes: all refused."""
    o, good, tmp = world
    data = good.read_bytes()
    positions = list(range(0, 160)) + list(range(len(data) - 400, len(data)))
    positions += list(range(160, len(data) - 400, max(1, (len(data) - 560) // 60)))
    db = tmp / "ROEA.db"
    o["ROEA"].close()
    before = db.read_bytes()
    o["ROEA"] = open_context(db)
    bad = tmp / "flip.fieldkit"
    accepted = []
    for position in positions:
        flipped = bytearray(data)
        flipped[position] ^= 0x20
        bad.write_bytes(bytes(flipped))
        try:
            import_packet(o["ROEA"], bad)
            accepted.append(position)
        except FieldKitError:
            pass
    o["ROEA"].close()
    assert not accepted, f"flipped bytes at {accepted[:10]} were accepted"
    assert db.read_bytes() == before
    o["ROEA"] = open_context(db)


def test_row_with_a_date_in_another_spelling(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    # date.fromisoformat alone would take this; the store keeps one spelling
    bad = rewrite(
        good, tmp / "date.fieldkit", _payload_with(good, o, lambda r: r["data"].update(date_start="20260302"))
    )
    refused(o, "ROEA", bad, tmp, "YYYY-MM-DD")


def test_bad_last_row_refuses_batches_already_applied(
    world: tuple[dict[str, Context], Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    o, good, tmp = world
    monkeypatch.setattr("fieldkit.sync.importer.BATCH", 2)
    identity = local_keys(o["ROEA"]).age_identity

    def last_row_bad(m: dict[str, bytes]) -> None:
        rows = [json.loads(line) for line in agebox.decrypt(m[fmt.PAYLOAD], identity).splitlines()]
        rows[-1]["version"] = "two"
        payload = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
        resign(o, m, json.loads(m[fmt.MANIFEST]), payload)

    refused(o, "ROEA", rewrite(good, tmp / "last.fieldkit", last_row_bad), tmp, "bad version")


def test_every_bad_row_is_named(world: tuple[dict[str, Context], Path, Path]) -> None:
    o, good, tmp = world
    identity = local_keys(o["ROEA"]).age_identity

    def two_bad(m: dict[str, bytes]) -> None:
        rows = [json.loads(line) for line in agebox.decrypt(m[fmt.PAYLOAD], identity).splitlines()]
        visits = [r for r in rows if r["type"] == "monitoring_visit"]
        visits[0]["data"]["visit_type"] = "picnic"
        visits[1]["data"]["latitude"] = "north"
        payload = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
        resign(o, m, json.loads(m[fmt.MANIFEST]), payload)

    with pytest.raises(FieldKitError) as refusal:
        import_packet(o["ROEA"], rewrite(good, tmp / "two.fieldkit", two_bad))
    assert "2 rows" in str(refusal.value)
    assert "picnic" in str(refusal.value) and "latitude" in str(refusal.value)


def test_payload_cut_short_after_signing(world: tuple[dict[str, Context], Path, Path]) -> None:
    """A sender that signed a cut ciphertext: the hashes match, decryption fails part way."""
    o, good, tmp = world

    def cut(m: dict[str, bytes]) -> None:
        m[fmt.PAYLOAD] = m[fmt.PAYLOAD][:-40]
        resign(o, m, json.loads(m[fmt.MANIFEST]))

    refused(o, "ROEA", rewrite(good, tmp / "cut.fieldkit", cut), tmp, "cannot be decrypted")


@pytest.mark.parametrize("ranges", [{"KE-NBO": ["1", "9"]}, {"KE-NBO": [3]}, {"KE-NBO": [9, 2]}, [[1, 9]]])
def test_manifest_with_malformed_ranges(world: tuple[dict[str, Context], Path, Path], ranges: object) -> None:
    o, good, tmp = world

    def malformed(m: dict[str, bytes]) -> None:
        manifest = json.loads(m[fmt.MANIFEST])
        manifest["ranges"] = ranges
        resign(o, m, manifest)

    refused(o, "ROEA", rewrite(good, tmp / "ranges.fieldkit", malformed), tmp, "change ranges")
