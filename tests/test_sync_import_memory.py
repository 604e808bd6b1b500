"""Reading packets: attachments a piece at a time, and nothing kept from one batch to the next
that the store already holds."""

from __future__ import annotations

import hashlib
import sqlite3
import tracemalloc
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text
from sync_offices import offices, visit

from fieldkit.access import unchecked
from fieldkit.opening import open_context
from fieldkit.search import rebuild_index
from fieldkit.services.monitoring import add_attachment, attachment_bytes, save_visit
from fieldkit.store.bulk import has_blob, insert_blob
from fieldkit.sync import importer, transaction
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")


def test_import_memory_does_not_grow_with_its_attachments(tmp_path: Path) -> None:
    photos = 40
    photo_bytes = 512 * 1024
    with offices(tmp_path, FIELD, REGION) as o:
        visit_id = save_visit(o["KE-NBO"], visit()).value.id or ""
        digests = []
        for number in range(photos):
            photo = tmp_path / f"photo-{number}.jpg"
            photo.write_bytes(bytes([number]) * photo_bytes)
            digests.append(add_attachment(o["KE-NBO"], visit_id, photo).value.sha256)
        packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "out.fieldkit").paths[0]
        packet_size = packet.stat().st_size
        assert packet_size > photos * photo_bytes
        tracemalloc.start()
        try:
            summary = import_packet(o["ROEA"], packet)
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert summary.attachments == photos
        # a piece of one attachment at a time, not every attachment decrypted at once
        assert peak < packet_size / 4
        assert [attachment_bytes(o["ROEA"], d) for d in digests] == [
            bytes([n]) * photo_bytes for n in range(photos)
        ]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bytes_written_in_pieces_are_the_bytes_given(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url: str | Path = tmp_path / "store.db"
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")()
    ctx = open_context(url, create=True)
    try:
        with unchecked(), ctx.store.write() as session:
            pieces = [b"a" * 1000, b"b" * 10, b"c" * 4000]
            whole = b"".join(pieces)
            digest = hashlib.sha256(whole).hexdigest()
            assert not has_blob(session, digest)
            assert insert_blob(session, digest, len(whole), iter(pieces)) == (digest, len(whole))
            assert has_blob(session, digest)
            stored = session.execute(
                text("select size, data from attachment_blob where sha256 = :d"), {"d": digest}
            ).one()
            assert (stored[0], bytes(stored[1])) == (len(whole), whole)
            # more than announced: told, so that the caller refuses
            longer = insert_blob(session, "0" * 64, 10, iter([b"x" * 8, b"y" * 8]))
            assert longer == (hashlib.sha256(b"x" * 8 + b"y" * 8).hexdigest(), 16)
    finally:
        ctx.close()


@pytest.mark.parametrize("text_budget", [transaction.TEXT_BUDGET, 60], ids=["texts-kept", "texts-read-back"])
def test_records_of_earlier_batches_are_found_and_indexed(
    text_budget: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of two changes: references reach records many batches back (the attachment to the
    first visit), and every visit's index row holds its incidents' text, whether the import kept
    it or, past its budget, read it back from the store."""
    monkeypatch.setattr(importer, "BATCH", 2)
    monkeypatch.setattr(transaction, "TEXT_BUDGET", text_budget)
    with offices(tmp_path, FIELD, REGION) as o:
        ids = [
            save_visit(o["KE-NBO"], visit(f"Visit {word}", narrative=f"Narrative {word}")).value.id or ""
            for word in ("alpha", "bravo", "charlie", "delta")
        ]
        photo = tmp_path / "photo.jpg"
        photo.write_bytes(b"photo")
        add_attachment(o["KE-NBO"], ids[0], photo)
        sent = export_packet(o["KE-NBO"], "ROEA", tmp_path / "out.fieldkit")
        summary = import_packet(o["ROEA"], sent.paths[0])
        assert (summary.held, summary.new, summary.by_type["attachment"]) == (0, sent.changes, 1)
        with closing(sqlite3.connect(tmp_path / "ROEA.db")) as region:
            imported = region.execute(
                "select record_id, body from search_index where record_type = 'monitoring_visit'"
                " order by record_id"
            ).fetchall()
        with unchecked(), o["ROEA"].store.write() as session:
            rebuild_index(session)
        with closing(sqlite3.connect(tmp_path / "ROEA.db")) as region:
            rebuilt = region.execute(
                "select record_id, body from search_index where record_type = 'monitoring_visit'"
                " order by record_id"
            ).fetchall()
        assert [r[0] for r in imported] == sorted(ids)
        assert all("beating" in body for _id, body in imported)
        assert imported == rebuilt
