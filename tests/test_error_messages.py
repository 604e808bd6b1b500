"""Messages are translated sentences: no exception's own English text, no Python class names."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sync_offices import add_visits, offices

from fieldkit.errors import describe_error, reason_for
from fieldkit.i18n import current_language, set_language
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import ImportSummary, import_files
from fieldkit.sync.preview import preview_files

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", None)
CLASS_NAME = re.compile(r"\b\w*(Error|Exception|Warning)\b|BadZipFile|Errno")


def _raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as exc:  # the real exception a real failure raises
        return exc
    raise AssertionError("nothing was raised")


def _assert_no_raw_text(message: str, exc: BaseException | None = None) -> None:
    assert message.strip()
    assert not CLASS_NAME.search(message), message
    if exc is not None:
        raw = str(exc)
        assert not raw or raw not in message, message
        for part in (getattr(exc, "strerror", None), *(str(a) for a in exc.args if isinstance(a, str))):
            assert not part or part not in message, message


@pytest.fixture(params=["ar", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    before = current_language()
    set_language(request.param)
    yield request.param
    set_language(before)


def _damaged_copies(good: Path, folder: Path) -> dict[str, Path]:
    data = good.read_bytes()
    not_zip = folder / "notes.fieldkit"
    not_zip.write_text("Meeting notes, not a packet\n" * 40, "utf-8")
    truncated = folder / "cut.fieldkit"
    truncated.write_bytes(data[: len(data) // 2])
    with zipfile.ZipFile(good) as zf:
        payload = max(zf.infolist(), key=lambda info: info.compress_size)
        start = payload.header_offset + 30 + len(payload.filename.encode()) + len(payload.extra)
    flipped = bytearray(data)
    for i in range(start + 10, start + 60):
        flipped[i] ^= 0xFF
    damaged = folder / "damaged.fieldkit"
    damaged.write_bytes(bytes(flipped))
    return {"not a zip": not_zip, "truncated": truncated, "damaged inside": damaged,
            "missing": folder / "gone.fieldkit"}  # fmt: skip


def test_bad_packets_are_refused_in_translated_sentences(tmp_path: Path, language: str) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 1)
        good = export_packet(o["KE-NBO"], "ROEA", tmp_path / "good.fieldkit").paths[0]
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        for kind, path in _damaged_copies(good, inbox).items():
            summaries: list[ImportSummary] = [
                *import_files(o["ROEA"], [path]),
                *preview_files(o["ROEA"], [path]),
            ]
            refused = [s for s in summaries if s.status == "refused"]
            assert refused, f"{kind}: not refused"
            for summary in refused:
                _assert_no_raw_text(summary.reason)
                assert "zip file" not in summary.reason and "CRC" not in summary.reason, (
                    kind,
                    summary.reason,
                )
        # a folder named like a packet is searched for packets, not read as one
        (tmp_path / "folder.fieldkit").mkdir()
        assert import_files(o["ROEA"], [tmp_path / "folder.fieldkit"]) == []


def test_every_kind_of_failure_is_described_without_its_own_text(tmp_path: Path, language: str) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    not_zip = tmp_path / "notes.fieldkit"
    not_zip.write_text("not a packet", "utf-8")
    failures = [
        _raised(lambda: (tmp_path / "missing.txt").read_bytes()),
        _raised(folder.read_bytes),
        _raised(lambda: zipfile.ZipFile(not_zip)),
        _raised(lambda: json.loads("{not json")),
        _raised(lambda: b"\xff\xfe\xfa".decode("utf-8")),
        _raised(lambda: {}["key"]),
    ]
    for exc in failures:
        _assert_no_raw_text(describe_error(exc), exc)
        _assert_no_raw_text(reason_for(exc), exc)
    # a path stays in the message, so the user knows which file
    assert str(tmp_path / "missing.txt") in describe_error(failures[0])
