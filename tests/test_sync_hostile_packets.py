"""Hostile packets: whatever a packet holds, it is refused with a reason, logged, the store stays
byte-for-byte the same, and the next packet of a folder is still tried."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_offices import add_visits, offices
from test_sync_bad_input import FIELD, HQ, REGION, refused, resign, rewrite

from fieldkit.context import Context
from fieldkit.crypto import agebox, minisign
from fieldkit.domain.keys import local_keys
from fieldkit.opening import open_context
from fieldkit.sync import importer
from fieldkit.sync import packet as fmt
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import (
    ImportSummary,
    import_files,
    log_refusal,
    refusal_log_path,
)
from fieldkit.sync.manifest import MAX_MEMBERS
from fieldkit.sync.refusal_log import MAX_LOGGED_PROBLEMS, MAX_READ_BYTES, newest_entries
from fieldkit.sync.rows import MAX_PROBLEMS

World = tuple[dict[str, Context], Path, Path]
PRIVATE = "Testimony of Amina about block C"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with offices(tmp_path, FIELD, REGION, HQ) as o:
        add_visits(o["KE-NBO"], 3)
        good = export_packet(o["KE-NBO"], "ROEA", tmp_path / "good.fieldkit").paths[0]
        yield o, good, tmp_path


def with_manifest_entry(o: dict[str, Context], good: Path, dst: Path, key: str, value: object) -> Path:
    """The good packet with one manifest entry replaced, signed by its real (trusted) sender."""

    def change(members: dict[str, bytes]) -> None:
        manifest = json.loads(members[fmt.MANIFEST])
        comment = fmt.trusted_comment(manifest)
        manifest[key] = value
        body = json.dumps(manifest).encode()
        members[fmt.MANIFEST] = body
        members[fmt.SIGNATURE] = minisign.sign(body, local_keys(o["KE-NBO"]).minisign, comment).encode()

    return rewrite(good, dst, change)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("members", 5),
        ("members", None),
        ("members", [5]),
        ("members", [{"name": fmt.PAYLOAD, "sha256": "00", "size": "big"}]),
        ("recipients", None),
        ("recipients", "ROEA"),
        ("sender", None),
        ("packet_id", None),
        ("packet_id", "x" * 1_000),
        ("ack", [1, 2]),
        ("counts", "many"),
        ("ranges", None),
    ],
)
def test_manifest_entry_of_the_wrong_form(world: World, key: str, value: object) -> None:
    o, good, tmp = world
    bad = with_manifest_entry(o, good, tmp / "odd.fieldkit", key, value)
    refused(o, "ROEA", bad, tmp, "manifest is damaged")


def test_manifest_lacking_an_entry(world: World) -> None:
    o, good, tmp = world

    def without_counts(members: dict[str, bytes]) -> None:
        manifest = json.loads(members[fmt.MANIFEST])
        del manifest["counts"]
        resign(o, members, manifest)

    refused(o, "ROEA", rewrite(good, tmp / "lacks.fieldkit", without_counts), tmp, "lacks: counts")


def test_too_many_members(world: World) -> None:
    """More members than any FieldKit packet: refused from the (ZIP64) end records alone."""
    o, _good, tmp = world
    crowded = tmp / "crowded.fieldkit"
    with zipfile.ZipFile(crowded, "w") as zf:
        for number in range(MAX_MEMBERS + 1):
            zf.writestr(fmt.entry(f"attachments/{number:064x}.age"), b"")
    refused(o, "ROEA", crowded, tmp, "directory \\(65536 members\\) is larger than any")


def test_directory_larger_than_any_packet_makes(world: World) -> None:
    """Names longer than any member a FieldKit writer makes: refused before ``zipfile`` reads them."""
    o, _good, tmp = world
    long_names = tmp / "long.fieldkit"
    with zipfile.ZipFile(long_names, "w") as zf:
        for number in range(3):
            zf.writestr(fmt.entry(f"{number}" * 60_000), b"")
    refused(o, "ROEA", long_names, tmp, "larger than any FieldKit packet")


def test_member_declared_larger_than_a_zip_header_holds(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A manifest whose directory entry says it inflates to 5 GiB (a ZIP64 size field), in a zip
    whose end record is the plain one."""
    o, good, tmp = world
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 16)  # makes zipfile write ZIP64 size fields
    inflating = rewrite(good, tmp / "inflating.fieldkit", lambda members: None)
    monkeypatch.undo()
    data = bytearray(inflating.read_bytes())
    zip64_end = data.rindex(b"PK\x06\x06")
    count, directory_size, directory_start = struct.unpack_from("<3Q", data, zip64_end + 32)
    del data[zip64_end:]
    data += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, directory_size, directory_start, 0)
    entry = directory_start  # the manifest's directory entry comes first
    name_length, extra_length = struct.unpack_from("<HH", data, entry + 28)
    extra = entry + 46 + name_length
    assert struct.unpack_from("<H", data, extra)[0] == 1 and extra_length >= 12  # ZIP64 sizes
    struct.pack_into("<Q", data, extra + 4, 5 << 30)
    inflating.write_bytes(bytes(data))
    refused(o, "ROEA", inflating, tmp, "header for manifest.json is damaged")


def test_zip64_directory_named_before_the_end_record(world: World) -> None:
    """A ZIP64 locator before the end record, without the ZIP64 end record it must point at:
    ``zipfile`` would go looking for a directory elsewhere."""
    o, good, tmp = world
    data = good.read_bytes()
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, 0, 1)
    # the locator replaces the last directory bytes, as a crafted file would place it
    bad = tmp / "locator.fieldkit"
    bad.write_bytes(data[: -22 - len(locator)] + locator + data[-22:])
    refused(o, "ROEA", bad, tmp, "not a FieldKit packet")


def test_a_manifest_is_not_parsed_before_its_signature_is_checked(world: World) -> None:
    """Megabytes of empty objects (hundreds of MB once parsed) under a signature that does not
    cover them: refused for the signature, which is checked over the bytes first."""
    o, good, tmp = world

    def swollen(members: dict[str, bytes]) -> None:
        members[fmt.MANIFEST] = b"[" + b",".join([b"{}"] * 2_000_000) + b"]"

    refused(o, "ROEA", rewrite(good, tmp / "swollen.fieldkit", swollen), tmp, "signature does not match")


def test_a_signature_larger_than_any_signature(world: World) -> None:
    o, good, tmp = world

    def padded(members: dict[str, bytes]) -> None:
        members[fmt.SIGNATURE] += b"\n" * (fmt.MAX_SIGNATURE_BYTES + 1)

    refused(o, "ROEA", rewrite(good, tmp / "padded.fieldkit", padded), tmp, "signature is damaged")


@pytest.mark.parametrize("comment", ["", "fieldkit packet  from KE-NBO", "some other program's comment"])
def test_a_trusted_comment_that_names_no_packet(world: World, comment: str) -> None:
    o, good, tmp = world

    def renamed(members: dict[str, bytes]) -> None:
        lines = members[fmt.SIGNATURE].decode().split("\n")
        lines[2] = "trusted comment: " + comment
        members[fmt.SIGNATURE] = "\n".join(lines).encode()

    refused(o, "ROEA", rewrite(good, tmp / "renamed.fieldkit", renamed), tmp, "signature is damaged")


def _store_digest(o: dict[str, Context], code: str, tmp: Path) -> str:
    """Everything the store holds but its audit trail, which notes each refusal."""
    o[code].close()
    conn = sqlite3.connect(tmp / f"{code}.db")
    kept = [line for line in conn.iterdump() if "audit_log" not in line and "audit.head" not in line]
    conn.close()
    o[code] = open_context(tmp / f"{code}.db")
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()


def _folder(o: dict[str, Context], good: Path, tmp: Path, hostile: Path) -> Path:
    """A folder: the good packet, then the hostile one, then a later good packet, in name order."""
    folder = tmp / "stick"
    folder.mkdir()
    good.rename(folder / "1-first.fieldkit")
    hostile.rename(folder / "2-hostile.fieldkit")
    add_visits(o["KE-NBO"], 2, prefix="Later visit")
    export_packet(o["KE-NBO"], "ROEA", folder / "3-later.fieldkit")
    return folder


def _logged(o: dict[str, Context]) -> list[dict[str, object]]:
    path = refusal_log_path(o["ROEA"])
    assert path is not None
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_a_hostile_packet_in_a_folder_is_refused_and_the_next_one_still_tried(world: World) -> None:
    o, good, tmp = world
    hostile = with_manifest_entry(o, good, tmp / "hostile.fieldkit", "members", 5)
    results = import_files(o["ROEA"], [_folder(o, good, tmp, hostile)])
    assert [r.status for r in results] == ["imported", "refused", "imported"]
    assert results[0].new > 0 and results[2].by_type["monitoring_visit"] == 2  # the two later visits
    assert "manifest is damaged" in results[1].reason
    assert [entry["file"] for entry in _logged(o)] == ["2-hostile.fieldkit"]


def test_an_unexpected_error_refuses_one_packet_without_quoting_records(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error that is not a refusal (here one raised while applying) is still that packet's
    refusal: rolled back, logged by its kind only, and the next packet is tried."""
    o, good, tmp = world
    folder = tmp / "stick"
    folder.mkdir()
    good.rename(folder / "1-first.fieldkit")
    before = _store_digest(o, "ROEA", tmp)
    real_apply = importer.apply_changes
    calls: list[int] = []

    def failing_once(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError(f"UNIQUE constraint failed; parameters: ('{PRIVATE}',)")
        return real_apply(*args, **kwargs)

    monkeypatch.setattr("fieldkit.sync.importer.apply_changes", failing_once)
    add_visits(o["KE-NBO"], 1, prefix="Later visit")
    export_packet(o["KE-NBO"], "ROEA", folder / "2-later.fieldkit")
    first = import_files(o["ROEA"], [folder / "1-first.fieldkit"])
    assert [(r.status, r.refusal) for r in first] == [("refused", "error")]
    assert "RuntimeError" in first[0].reason and PRIVATE not in first[0].reason
    assert first[0].sender == "KE-NBO"  # read before the refusal, not by opening the packet again
    assert first[0].new == 0 and not first[0].changes
    assert _store_digest(o, "ROEA", tmp) == before, "the store changed"
    assert PRIVATE not in json.dumps(_logged(o))
    assert [r.status for r in import_files(o["ROEA"], [folder])] == ["imported", "imported"]


def test_a_refusal_log_entry_is_bounded(world: World) -> None:
    o, _good, _tmp = world
    problems = [f"row {n}: " + "x" * 5_000 for n in range(10_000)]
    summary = ImportSummary(
        file="many.fieldkit", status="refused", reason="y" * 1_000_000, refusal="rows", rejected=problems
    )
    summary.rejected_count = 1_000_000
    log_refusal(o["ROEA"], summary)
    (entry,) = _logged(o)
    assert len(entry["rejected"]) == MAX_LOGGED_PROBLEMS  # type: ignore[arg-type]
    assert entry["rejected_count"] == 1_000_000
    path = refusal_log_path(o["ROEA"])
    assert path is not None and path.stat().st_size < 200_000


def test_a_packet_of_many_bad_rows_names_some_and_counts_all(world: World) -> None:
    o, good, tmp = world
    identity = local_keys(o["ROEA"]).age_identity

    def many_bad(members: dict[str, bytes]) -> None:
        rows = agebox.decrypt(members[fmt.PAYLOAD], identity)
        resign(o, members, json.loads(members[fmt.MANIFEST]), rows + b"not json\n" * (MAX_PROBLEMS + 500))

    (result,) = import_files(o["ROEA"], [rewrite(good, tmp / "junk.fieldkit", many_bad)])
    assert result.refusal == "rows" and result.rejected_count == MAX_PROBLEMS + 500
    assert len(result.rejected) == MAX_PROBLEMS and f"{MAX_PROBLEMS + 500} rows" in result.reason
    (entry,) = _logged(o)
    assert entry["rejected_count"] == MAX_PROBLEMS + 500
    assert len(entry["rejected"]) == MAX_LOGGED_PROBLEMS  # type: ignore[arg-type]


def test_the_newest_refusals_are_read_from_the_end_of_the_log(tmp_path: Path) -> None:
    """A log that an earlier version filled with a line of many megabytes, then ordinary entries
    and a line torn by a crash: the newest whole entries come back, without the old line."""
    log = tmp_path / "store.db.sync-log.jsonl"
    giant = json.dumps({"at": "2026-01-01T00:00:00+00:00", "reason": "x" * (2 * MAX_READ_BYTES)})
    ordinary = [
        json.dumps({"at": f"2026-02-0{n}T00:00:00+00:00", "file": f"{n}.fieldkit"}) for n in (1, 2, 3)
    ]
    log.write_text("\n".join([giant, *ordinary, '{"at": "2026-02-04']), "utf-8")
    assert [e["file"] for e in newest_entries(log, 2)] == ["2.fieldkit", "3.fieldkit"]
    assert [e["file"] for e in newest_entries(log, 10)] == ["1.fieldkit", "2.fieldkit", "3.fieldkit"]
    assert newest_entries(tmp_path / "none.jsonl", 10) == []
