"""The headless CLI, run as a user runs it: a subprocess, real files, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sync_offices import visit

from fieldkit.opening import open_context, opened
from fieldkit.services.monitoring import save_visit
from fieldkit.services.records import create_record


def fieldkit(*args: str, db: Path | str | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "fieldkit"]
    if db is not None:
        argv += ["--db", str(db)]
    return subprocess.run(argv + list(args), capture_output=True, text=True, env={**os.environ}, timeout=120)


@pytest.fixture
def office_db(tmp_path: Path) -> Path:
    db = tmp_path / "office.db"
    done = fieldkit(
        "init",
        "--office-code",
        "KE-NBO",
        "--office-name",
        "Kenya",
        "--office-type",
        "country-office",
        "--parent",
        "ROEA",
        db=db,
    )
    assert done.returncode == 0, done.stderr
    assert "KE-NBO" in done.stdout
    return db


def test_init_stats_export(office_db: Path, tmp_path: Path) -> None:
    stats = fieldkit("stats", "--json", db=office_db)
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert counts["monitoring_visit"] == {"live": 0, "deleted": 0}
    assert counts["vocabulary_term"]["live"] > 100

    for fmt in ("jsonl", "csv", "xlsx"):
        out = tmp_path / fmt
        done = fieldkit("export-data", "--format", fmt, "--out", str(out), db=office_db)
        assert done.returncode == 0, done.stderr
        assert any(out.iterdir())
    assert (tmp_path / "jsonl" / "monitoring_visit.jsonl").exists()


def test_version() -> None:
    done = fieldkit("version")
    assert done.returncode == 0 and done.stdout.startswith("fieldkit ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["init", "--office-code", "bad code", "--office-name", "X", "--office-type", "country-office"],
            "office code",
        ),
        (
            ["init", "--office-code", "KE-NBO", "--office-name", "X", "--office-type", "embassy"],
            "Unknown office type 'embassy'; use one of: country-office, headquarters,",
        ),
        (["demo", "--mutate", "5"], "no office yet"),
        (["vocab", "no-such-list"], "No vocabulary"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    db = tmp_path / "x.db"
    if args[0] != "init":  # only init creates a store
        open_context(db, create=True).close()
    done = fieldkit(*args, db=db)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_database_url_is_reported() -> None:
    done = fieldkit("stats", db="postgresql+nosuchdriver://u@localhost/x")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "store" in done.stderr.lower()


def test_init_twice_keeps_the_first_office(office_db: Path) -> None:
    done = fieldkit(
        "init",
        "--office-code",
        "UG-KLA",
        "--office-name",
        "Uganda",
        "--office-type",
        "country-office",
        db=office_db,
    )
    assert done.returncode == 2 and "already belongs" in done.stderr


def test_unwritable_output_folder_is_named(office_db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = fieldkit("export-data", "--format", "jsonl", "--out", str(blocker / "out"), db=office_db)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "a-file" in done.stderr


def test_search_finds_records_of_any_searchable_type(office_db: Path) -> None:
    with opened(office_db) as ctx:
        visit_id = save_visit(ctx, visit("Visit to Kamiti prison")).value.id
        project = create_record(
            ctx,
            "project",
            {"code": "KEN-01", "title": "Prison monitoring in Kamiti", "status": "in-implementation"},
        )
    done = fieldkit("search", "kamiti", "--json", db=office_db)
    assert done.returncode == 0, done.stderr
    found = {(hit["type"], hit["id"]) for hit in json.loads(done.stdout)}
    assert found == {("monitoring_visit", visit_id), ("project", project["id"])}
    only_projects = fieldkit("search", "kamiti", "--type", "project", db=office_db)
    assert only_projects.stdout.splitlines() == [f"{project['id']}\tProject\tPrison monitoring in Kamiti"]
    refused = fieldkit("search", "kamiti", "--type", "attendance", db=office_db)
    assert refused.returncode == 2 and "cannot be searched: attendance" in refused.stderr
