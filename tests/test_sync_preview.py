"""The import preview: the checks up to the signature, and the manifest's counts; no second import."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import event
from sync_offices import add_visits, offices

from fieldkit.context import Context
from fieldkit.services.data import stats
from fieldkit.sync import packet as fmt
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet, refusal_log_path
from fieldkit.sync.preview import preview_files

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")
HQ = ("HQ", "headquarters", None)


def _logged(ctx: Context) -> list[dict[str, object]]:
    log = refusal_log_path(ctx)
    assert log is not None
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_a_preview_reads_the_manifest_and_writes_nothing(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        add_visits(o["KE-NBO"], 3)
        exported = export_packet(o["KE-NBO"], "ROEA", tmp_path / "p.fieldkit")
        region = o["ROEA"]
        written: list[str] = []

        def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
            written.append(sql)

        event.listen(region.store.write_engine, "before_cursor_execute", record)
        try:
            [summary] = preview_files(region, [tmp_path])
        finally:
            event.remove(region.store.write_engine, "before_cursor_execute", record)
        assert written == []  # a dry-run import opened a write transaction and applied every row
        assert (summary.status, summary.sender, summary.file) == ("preview", "KE-NBO", "p.fieldkit")
        assert summary.new == exported.changes == 15
        assert summary.by_type == exported.counts
        assert stats(region)["monitoring_visit"]["live"] == 0
        assert import_packet(region, exported.paths[0]).new == 15


def test_a_preview_refuses_what_the_import_would_refuse_before_reading_a_member(tmp_path: Path) -> None:
    with offices(tmp_path, FIELD, REGION, HQ) as o:
        add_visits(o["KE-NBO"], 2)
        good = export_packet(o["KE-NBO"], "ROEA", tmp_path / "good.fieldkit").paths[0]
        elsewhere = export_packet(o["KE-NBO"], "HQ", tmp_path / "for-hq.fieldkit").paths[0]
        with zipfile.ZipFile(good) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        manifest = json.loads(members[fmt.MANIFEST])
        manifest["counts"] = {"monitoring_visit": 1}  # changed after signing
        members[fmt.MANIFEST] = json.dumps(manifest).encode()
        tampered = tmp_path / "tampered.fieldkit"
        with zipfile.ZipFile(tampered, "w") as zf:
            for name, data in members.items():
                zf.writestr(fmt.entry(name), data)
        region = o["ROEA"]
        import_packet(region, good)

        results = preview_files(region, [tampered, elsewhere, good])
        assert [(r.file, r.status, r.refusal) for r in results] == [
            ("tampered.fieldkit", "refused", "packet"),
            ("for-hq.fieldkit", "refused", "packet"),
            ("good.fieldkit", "already-imported", ""),
        ]
        assert "signature" in results[0].reason and "not to this office" in results[1].reason
        assert "already imported" in results[2].reason
        assert all(r.new == 0 and r.by_type == {} for r in results)
        # refusals are logged as an import's are; a packet seen before is not news
        assert [entry["file"] for entry in _logged(region)] == ["tampered.fieldkit", "for-hq.fieldkit"]
