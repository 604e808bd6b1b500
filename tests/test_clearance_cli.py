"""The command line applies the clearance of whoever signs in: `fieldkit search`, `visits list`,
`visits show`, `stats` and `export-data` neither show nor count what is above it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from accounts_fixtures import _cheap_argon2  # noqa: F401  (cheap password hashes)
from sync_offices import visit

from fieldkit.cli.main import main
from fieldkit.context import Context
from fieldkit.services.monitoring import save_visit
from fieldkit.services.users import add_user, has_accounts

SECRET_WORD = "Zanzibarite"
PASSWORD = "a long enough password"


@pytest.fixture
def db(ctx: Context) -> str:
    """A store with a public, an internal and a confidential visit; only the last says the word."""
    for title, level, summary in (
        ("Market visit", "public", "Stalls closed"),
        ("Court hearing", "internal", "Hearing postponed"),
        ("Kamiti prison", "confidential", f"{SECRET_WORD} block beating"),
    ):
        data = dataclasses.replace(visit(title), confidentiality=level, date_start=dt.date(2026, 3, 2))
        data = dataclasses.replace(data, incidents=(dataclasses.replace(data.incidents[0], summary=summary),))
        save_visit(ctx, data)
    assert ctx.store.path is not None
    return str(ctx.store.path)


@pytest.fixture
def signed_in_as(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """From now on the CLI signs in to the store as an administrator with this clearance
    (a real account: the store gains accounts, so every command must sign in)."""

    def sign_in_with(clearance: str) -> None:
        if not has_accounts(ctx):
            add_user(ctx, "amina", display_name="Amina", roles=["administrator"], password=PASSWORD)
        name = f"reader_{clearance.replace('-', '_')}"
        add_user(
            ctx, name, display_name=name, roles=["administrator"], clearance=clearance, password=PASSWORD
        )
        monkeypatch.setenv("FIELDKIT_USER", name)
        monkeypatch.setenv("FIELDKIT_PASSWORD", PASSWORD)

    return sign_in_with


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    status = main(["--db", db, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_search_run_by_an_uncleared_user_neither_shows_nor_counts_confidential_visits(
    capsys: pytest.CaptureFixture[str], db: str, signed_in_as: Callable[[str], None]
) -> None:
    status, out, _err = run(capsys, db, "search", SECRET_WORD, "--json")
    assert status == 0 and [hit["title"] for hit in json.loads(out)] == ["Kamiti prison"]

    signed_in_as("internal")
    status, out, err = run(capsys, db, "search", SECRET_WORD, "--json")
    assert (status, json.loads(out), err) == (0, [], "")
    status, out, _err = run(capsys, db, "search", "Overcrowding", "--json")
    assert sorted(hit["title"] for hit in json.loads(out)) == ["Court hearing", "Market visit"]

    status, out, _err = run(capsys, db, "visits", "list", "--json")
    listed = json.loads(out)
    assert listed["total"] == 2 and sorted(v["title"] for v in listed["visits"]) == [
        "Court hearing",
        "Market visit",
    ]
    status, out, _err = run(capsys, db, "visits", "list", "--json", "--search", SECRET_WORD)
    assert json.loads(out)["total"] == 0 and json.loads(out)["visits"] == []
    status, out, _err = run(capsys, db, "stats", "--json")
    assert json.loads(out)["monitoring_visit"]["live"] == 2


def test_show_reports_a_hidden_visit_as_missing_and_refuses_identities_to_the_uncleared(
    capsys: pytest.CaptureFixture[str], db: str, signed_in_as: Callable[[str], None]
) -> None:
    status, out, _err = run(capsys, db, "visits", "list", "--json", "--search", SECRET_WORD)
    hidden = json.loads(out)["visits"][0]["id"]
    status, out, _err = run(capsys, db, "visits", "list", "--json", "--search", "Hearing")
    internal = json.loads(out)["visits"][0]["id"]

    signed_in_as("internal")
    status, out, err = run(capsys, db, "visits", "show", hidden)
    assert status == 2 and out == ""
    assert err.strip() == f"fieldkit: error: No monitoring visit with id {hidden}"
    status, out, err = run(capsys, db, "visits", "show", internal, "--include-restricted")
    assert status == 2 and out == "" and "identifying details" in err and "Omar Haddad" not in err
    status, out, _err = run(capsys, db, "visits", "show", internal, "--json")
    assert status == 0 and "Omar Haddad" not in out

    signed_in_as("confidential")
    status, out, _err = run(capsys, db, "visits", "show", internal, "--include-restricted")
    assert status == 0 and "Omar Haddad" in out


def test_export_data_leaves_hidden_visits_out_and_refuses_identities_to_the_uncleared(
    capsys: pytest.CaptureFixture[str], db: str, signed_in_as: Callable[[str], None], tmp_path: Path
) -> None:
    signed_in_as("internal")
    status, _out, err = run(capsys, db, "export-data", "--format", "jsonl", "--out", str(tmp_path / "a"))
    assert status == 0, err
    visits = (tmp_path / "a" / "monitoring_visit.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(v)["title"] for v in visits) == ["Court hearing", "Market visit"]
    assert "Omar Haddad" not in (tmp_path / "a" / "person_identity.jsonl").read_text(encoding="utf-8")

    out_dir = tmp_path / "b"
    status, out, err = run(
        capsys, db, "export-data", "--format", "csv", "--out", str(out_dir), "--include-restricted"
    )
    assert (
        status == 2
        and out == ""
        and err.startswith("fieldkit: error: reader_internal may not see identifying")
    )
    assert not out_dir.exists()
