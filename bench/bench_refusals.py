"""Refusing hostile packets: time and peak memory, each in a process of its own.

Floor measured in the same run: a process that opens the same store and reads the packet's
last bytes, which is the least any refusal costs.
Goals (issue): refusing a 3 GiB file that is not a valid packet, and a packet of 100,000
members, < 2 s and < 150 MB each; telling that a packet was already imported without reading it.
Run: .venv/bin/python bench/bench_refusals.py
"""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from common import OUT, cpu_note, fill_visits, line, peak_rss_mb
from sqlalchemy import select

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.monitoring import add_attachment
from fieldkit.services.office import init_office
from fieldkit.store.records import MonitoringVisit
from fieldkit.sync import packet as fmt
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_files, import_packet

LOCAL = struct.Struct("<4s5H3L2H")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
END = struct.Struct("<4s4H2LH")
HUGE = 3 << 30


def offices() -> tuple[Path, Path]:
    """A country office with a few visits, and the region that trusts it; the good packet between them."""
    for leftover in OUT.glob("refuse-*"):
        leftover.unlink()
    OUT.mkdir(parents=True, exist_ok=True)
    field = open_context(OUT / "refuse-field.db", create=True)
    init_office(field, "KE-NBO", "Kenya office", "country-office", "ROEA")
    region = open_context(OUT / "refuse-region.db", create=True)
    init_office(region, "ROEA", "Regional office", "regional-office", "HQ")
    for src, dst in ((field, region), (region, field)):
        write_card(src, OUT / "refuse-card")
        trust_card(dst, read_card(dst, OUT / "refuse-card"))
    fill_visits(field, 20, random.Random(5), followups=False)
    good = export_packet(field, "ROEA", OUT / "refuse-good.fieldkit").paths[0]
    field.close()
    region.close()
    return OUT / "refuse-region.db", good


def huge_member(good: Path) -> Path:
    """The good packet's manifest and signature, then a payload of 3 GiB (a hole in a sparse file),
    every header as a FieldKit writer makes it: only the sizes disagree with the manifest."""
    with zipfile.ZipFile(good) as zf:
        members = [(name, zf.read(name)) for name in (fmt.MANIFEST, fmt.SIGNATURE)]
    path = OUT / "refuse-huge.fieldkit"
    time_, date = 0, (1 << 5) | 1
    central = b""
    with path.open("wb") as fh:
        for name, data in [*members, (fmt.PAYLOAD, None)]:
            size = HUGE if data is None else len(data)
            crc = 0 if data is None else zipfile.crc32(data)
            offset = fh.tell()
            encoded = name.encode()
            fh.write(
                LOCAL.pack(b"PK\x03\x04", 20, 0, 0, time_, date, crc, size, size, len(encoded), 0) + encoded
            )
            if data is None:
                fh.seek(size, 1)
            else:
                fh.write(data)
            central += CENTRAL.pack(b"PK\x01\x02", 20, 3, 20, 0, 0, 0, time_, date, crc, size, size,
                                    len(encoded), 0, 0, 0, 0, 0o600 << 16, offset) + encoded  # fmt: skip
        start = fh.tell()
        fh.write(central + END.pack(b"PK\x05\x06", 0, 0, 3, 3, len(central), start, 0))
    return path


def not_a_zip() -> Path:
    path = OUT / "refuse-zeros.fieldkit"
    with path.open("wb") as fh:
        fh.truncate(HUGE)
    return path


def crowded(count: int) -> Path:
    path = OUT / f"refuse-{count}.fieldkit"
    with zipfile.ZipFile(path, "w") as zf:
        for number in range(count):
            zf.writestr(fmt.entry(f"attachments/{number:064x}.age"), b"")
    return path


def swollen_manifest(good: Path) -> Path:
    """The good packet with its manifest replaced by 16 MB of empty objects (about 380 MB once
    parsed), under the signature of the real one."""
    path = OUT / "refuse-swollen.fieldkit"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == fmt.MANIFEST:
                data = b"[" + b",".join([b"{}"] * (fmt.MAX_MANIFEST_BYTES // 3 - 1)) + b"]"
            dst.writestr(fmt.entry(name), data)
    return path


def imported_with_attachments(store: Path) -> Path:
    """A real packet of about 300 MB (two large attachments), imported once: what a replay reads."""
    field = open_context(OUT / "refuse-field.db", create=True)
    visit_id = _first_visit(field)
    for number in range(2):
        photo = OUT / f"refuse-photo-{number}.bin"
        photo.write_bytes(os.urandom(150 * 1024 * 1024))
        add_attachment(field, visit_id, photo)
        photo.unlink()
    packet = export_packet(field, "ROEA", OUT / "refuse-attachments.fieldkit").paths[0]
    field.close()
    region = open_context(store, create=True)
    import_packet(region, packet)
    region.close()
    return packet


def _first_visit(ctx: Context) -> str:
    with unchecked(), ctx.store.read() as session:
        return str(session.execute(select(MonitoringVisit.id).limit(1)).scalar_one())


def in_child(*args: str) -> dict[str, Any]:
    """Run in a process of its own, so that its peak memory is the refusal's alone."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _refuse(store: Path, packet: Path) -> None:
    ctx = open_context(store, create=True)
    started = time.perf_counter()
    (summary,) = import_files(ctx, [packet])
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb(), "status": summary.status,
                      "reason": summary.reason}))  # fmt: skip
    ctx.close()


def _floor(store: Path, packet: Path) -> None:
    ctx = open_context(store, create=True)
    started = time.perf_counter()
    with packet.open("rb") as fh:
        fh.seek(-END.size, 2)
        fh.read()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb()}))
    ctx.close()


def main() -> None:
    if sys.argv[1:2] in (["--refuse"], ["--floor"]):
        (_refuse if sys.argv[1] == "--refuse" else _floor)(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    cpu_note()
    store, good = offices()
    floor = in_child("--floor", str(store), str(good))
    line(
        "floor: open the store, read a packet's end",
        f"{floor['seconds'] * 1000:.1f} ms, {floor['peak_mb']:.0f} MB",
    )
    cases = [
        ("3 GiB file of zeros", not_a_zip()),
        ("3 GiB packet (its payload 3 GiB, unlike its manifest)", huge_member(good)),
        ("a 16 MB manifest of empty objects under another's signature", swollen_manifest(good)),
        ("100,000 members", crowded(100_000)),
        ("60,000 members", crowded(60_000)),
    ]
    for label, packet in cases:
        measured = in_child("--refuse", str(store), str(packet))
        assert measured["status"] == "refused", measured
        line(
            f"refuse {label}",
            f"{measured['seconds'] * 1000:,.1f} ms, {measured['peak_mb']:.0f} MB "
            f"(floor + {max(0.0, measured['peak_mb'] - floor['peak_mb']):.0f} MB) (goal: < 2 s, < 150 MB)",
        )
        line("  reason", measured["reason"][:90])
        packet.unlink()
    replay = imported_with_attachments(store)
    measured = in_child("--refuse", str(store), str(replay))
    line(
        f"already imported: a {replay.stat().st_size / 1e6:.0f} MB packet",
        f"{measured['seconds'] * 1000:,.1f} ms, {measured['peak_mb']:.0f} MB "
        f"(floor + {max(0.0, measured['peak_mb'] - floor['peak_mb']):.0f} MB)",
    )
    replay.unlink()


if __name__ == "__main__":
    main()
