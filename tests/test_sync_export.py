"""Writing packets: flat memory, batched owner lookups, durable names, no leftovers, same bytes."""

from __future__ import annotations

import os
import sqlite3
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sync_offices import add_visits, offices, visit

from fieldkit.context import Context
from fieldkit.progress import Cancelled, Progress
from fieldkit.services.monitoring import add_attachment, attachment_bytes, save_visit
from fieldkit.sync.errors import PacketRefused
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")
HQ = ("HQ", "headquarters", None)


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    """Every SQL statement the store runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    engines = {ctx.store.engine, ctx.store.write_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def test_export_to_a_country_office_does_not_query_once_per_record(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 2, prefix="First")
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "a.fieldkit").paths[0])
        with statements(o["ROEA"]) as few:
            small = export_packet(o["ROEA"], "KE-NBO", tmp_path / "b.fieldkit", full=True)
        add_visits(o["KE-NBO"], 10, prefix="Then")
        import_packet(o["ROEA"], export_packet(o["KE-NBO"], "ROEA", tmp_path / "c.fieldkit").paths[0])
        with statements(o["ROEA"]) as many:
            large = export_packet(o["ROEA"], "KE-NBO", tmp_path / "d.fieldkit", full=True)
        # the field office's own records go back to it: six times the changes, not six times the queries
        assert large.changes == 6 * small.changes > 0
        assert len(many) == len(few)


def test_export_memory_does_not_grow_with_the_packet(tmp_path: Path) -> None:
    photos = 40
    photo_bytes = 512 * 1024
    with offices(tmp_path, FIELD, REGION) as o:
        visit_id = add_visits(o["KE-NBO"], 1)[0]
        digests = []
        for number in range(photos):
            photo = tmp_path / f"photo-{number}.jpg"
            photo.write_bytes(bytes([number]) * photo_bytes)
            digests.append(add_attachment(o["KE-NBO"], visit_id, photo).value.sha256)
        tracemalloc.start()
        try:
            result = export_packet(o["KE-NBO"], "ROEA", tmp_path / "out.fieldkit")
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert result.attachments == photos
        packet_size = result.paths[0].stat().st_size
        assert packet_size > photos * photo_bytes
        # one attachment and its ciphertext at a time, not the whole packet (once, twice or three times)
        assert peak < packet_size / 4
        import_packet(o["ROEA"], result.paths[0])
        assert all(attachment_bytes(o["ROEA"], d) == bytes([n]) * photo_bytes for n, d in enumerate(digests))


def test_split_export_streams_parts_that_import_in_any_order(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        for number in range(30):
            save_visit(o["KE-NBO"], visit(f"Visit {number}", narrative="Overcrowding in block C. " * 200))
        result = export_packet(o["KE-NBO"], "ROEA", tmp_path, part_size=64 * 1024)
        assert len(result.paths) > 1
        for path in reversed(result.paths):
            import_packet(o["ROEA"], path)
        with closing(sqlite3.connect(tmp_path / "ROEA.db")) as db:
            assert db.execute("select count(*) from monitoring_visit").fetchone() == (30,)
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


def test_a_packet_is_on_the_disk_before_it_gets_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, int]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        events.append(("fsync", os.fstat(descriptor).st_ino))
        real_fsync(descriptor)

    def replace(source: Any, target: Any) -> None:
        events.append(("named", os.stat(source).st_ino))
        real_replace(source, target)

    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 2)
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "out.fieldkit").paths[0]
        monkeypatch.undo()
        inode = packet.stat().st_ino
        assert ("named", inode) in events
        assert ("fsync", inode) in events[: events.index(("named", inode))]
        import_packet(o["ROEA"], packet)


def test_the_next_export_removes_what_a_killed_export_left(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    # what an export killed while writing leaves: the unfinished packet and its spool files
    leftovers = [
        outbox / "KE-NBO-to-ROEA-20260302-090000.fieldkit.part",
        outbox / "KE-NBO-to-ROEA-20260302-090000.fieldkit.1.payload.part",
        outbox / "KE-NBO-to-HQ-20260301-170000.fieldkit.1.attachments.part",
    ]
    for leftover in leftovers:
        leftover.write_bytes(b"PK\x03\x04 half a packet")
    unrelated = outbox / "notes.part"
    unrelated.write_text("mine")
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        result = export_packet(o["KE-NBO"], "ROEA", outbox)
        assert sorted(outbox.iterdir()) == sorted([*result.paths, unrelated])
        import_packet(o["ROEA"], result.paths[0])


def _stored_json(db: Path) -> dict[tuple[str, int], tuple[str, str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("select origin_office, seq, data, parents, resolves from change_log")
        return {(origin, seq): (data, parents, resolves) for origin, seq, data, parents, resolves in rows}


def _incident_json(db: Path) -> dict[str, tuple[str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("select id, violation_types, victims from incident")
        return {row[0]: (row[1], row[2]) for row in rows}


def test_a_change_is_stored_as_the_same_bytes_at_every_office(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION, HQ) as o:
        save_visit(o["KE-NBO"], visit("زيارة سجن كاميتي", narrative="اكتظاظ في العنبر ج. 拥挤"))
        first = export_packet(o["KE-NBO"], "ROEA", tmp_path / "a.fieldkit").paths[0]
        import_packet(o["ROEA"], first)
        import_packet(o["HQ"], export_packet(o["ROEA"], "HQ", tmp_path / "b.fieldkit").paths[0])
        origin = _stored_json(tmp_path / "KE-NBO.db")
        for office in ("ROEA", "HQ"):
            copy = _stored_json(tmp_path / f"{office}.db")
            # identities stay home, so compare what travelled
            assert len(copy) > len(origin) / 2
            assert {k: origin[k] for k in copy if k in origin} == {k: copy[k] for k in copy if k in origin}
            assert _incident_json(tmp_path / f"{office}.db") == _incident_json(tmp_path / "KE-NBO.db")
        # and readable as it is, not escaped
        assert any("زيارة" in data for data, _p, _r in origin.values())


def test_packets_past_the_zip64_limits_export_and_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the limits lowered from 2 GiB and 65,535 members, so that ``zipfile`` writes ZIP64 records
    # for a packet of a few hundred KB exactly as it does for one of several GB
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 64 * 1024)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 3)
    with offices(tmp_path, FIELD, REGION) as o:
        visit_id = add_visits(o["KE-NBO"], 1)[0]
        digests = []
        for number in range(4):
            photo = tmp_path / f"photo-{number}.jpg"
            photo.write_bytes(bytes([number]) * 100 * 1024)
            digests.append(add_attachment(o["KE-NBO"], visit_id, photo).value.sha256)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "big.fieldkit").paths[0]
        raw = packet.read_bytes()
        assert b"PK\x06\x06" in raw and b"PK\x06\x07" in raw  # ZIP64 end records
        # a flipped byte in a ZIP64 extra field is still noticed
        damaged = bytearray(raw)
        zip64_extra = raw.index(b"\x01\x00\x10\x00")
        damaged[zip64_extra + 4] ^= 0x01
        (tmp_path / "damaged.fieldkit").write_bytes(bytes(damaged))
        with pytest.raises(PacketRefused):
            import_packet(o["ROEA"], tmp_path / "damaged.fieldkit")
        summary = import_packet(o["ROEA"], packet)
        assert summary.new > 0
        assert [attachment_bytes(o["ROEA"], d) for d in digests] == [
            bytes([n]) * 100 * 1024 for n in range(4)
        ]


def test_a_cancelled_export_stops_and_leaves_nothing(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 5)

        def cancel_half_way(done: int, total: int, _label: str) -> None:
            if done * 2 >= total > 0:
                progress.cancel()

        progress = Progress(cancel_half_way)
        with pytest.raises(Cancelled):
            export_packet(o["KE-NBO"], "ROEA", outbox, progress=progress)
        assert list(outbox.iterdir()) == []
        assert export_packet(o["KE-NBO"], "ROEA", outbox).changes == 25
