"""`fieldkit visits ...` driven in-process: the window's services and rules, from a script."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldkit.cli import visits_cmds
from fieldkit.cli.main import main
from fieldkit.context import Context
from fieldkit.i18n import set_language
from fieldkit.services.data import stats
from fieldkit.services.monitoring import save_visit
from fieldkit.services.monitoring_types import FollowUpData, IncidentData, PersonData, VisitData
from fieldkit.services.records import create_record


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    yield
    set_language("en")


@pytest.fixture
def db(ctx: Context) -> str:
    assert ctx.store.path is not None
    return str(ctx.store.path)


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    status = main(["--db", db, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def listed(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> dict[str, Any]:
    status, out, err = run(capsys, db, "visits", "list", "--json", *args)
    assert status == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def titles(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> list[str]:
    return [v["title"] for v in listed(capsys, db, *args)["visits"]]


def visit(title: str, day: dt.date, **changes: Any) -> VisitData:
    base = VisitData(
        title=title,
        visit_type="detention-visit",
        date_start=day,
        confidentiality="internal",
        narrative="Detainees describe overcrowding in block C.",
        incidents=(IncidentData(summary="Allegation", violation_types=("arbitrary-detention",)),),
    )
    return dataclasses.replace(base, **changes)


def area(ctx: Context, name: str, parent: str | None = None) -> str:
    values = {"name": name, "level": 1 if parent else 0, "parent_id": parent}
    return str(create_record(ctx, "admin_area", values)["id"])


@pytest.fixture
def visits(ctx: Context) -> dict[str, str]:
    kenya, uganda = area(ctx, "Kenya"), area(ctx, "Uganda")
    kenya_central, uganda_central = area(ctx, "Central", kenya), area(ctx, "Central", uganda)
    kibera = area(ctx, "Kibera", kenya_central)
    saved = {
        "torture": visit(
            "Kamiti prison",
            dt.date(2026, 3, 2),
            admin_area_id=kibera,
            incidents=(IncidentData(summary="Beating", violation_types=("torture",)),),
        ),
        "trial": visit("Trial of activists", dt.date(2026, 2, 10), visit_type="trial-observation"),
        "old": visit("Police cells in Gulu", dt.date(2025, 6, 1), admin_area_id=uganda_central),
    }
    ids = {key: save_visit(ctx, data).value.id or "" for key, data in saved.items()}
    ids.update(kenya=kenya, kibera=kibera, uganda_central=uganda_central)
    return ids


def test_list_applies_the_windows_filters(
    capsys: pytest.CaptureFixture[str], db: str, visits: dict[str, str]
) -> None:
    assert titles(capsys, db) == ["Kamiti prison", "Trial of activists", "Police cells in Gulu"]
    # a broader violation term finds the visits whose incidents carry a term under it
    assert titles(capsys, db, "--violation", "torture-and-ill-treatment") == ["Kamiti prison"]
    assert titles(capsys, db, "--type", "trial-observation") == ["Trial of activists"]
    assert titles(capsys, db, "--from", "2026-01-01", "--to", "2026-02-28") == ["Trial of activists"]
    assert titles(capsys, db, "--search", "kamiti") == ["Kamiti prison"]
    assert titles(capsys, db, "--area", "Kenya") == ["Kamiti prison"]
    assert titles(capsys, db, "--area", visits["uganda_central"]) == ["Police cells in Gulu"]
    assert titles(capsys, db, "--area", "Uganda › Central") == ["Police cells in Gulu"]
    assert titles(capsys, db, "--confidentiality", "public") == []


def test_list_pages_through_the_whole_result(
    capsys: pytest.CaptureFixture[str], db: str, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(visits_cmds, "PAGE_SIZE", 2)
    for day in range(1, 8):
        save_visit(ctx, visit(f"Visit {day}", dt.date(2026, 1, day)))
    everything = listed(capsys, db)
    assert everything["total"] == 7
    assert [v["title"] for v in everything["visits"]] == [f"Visit {day}" for day in range(7, 0, -1)]
    first = everything["visits"][0]
    assert set(first) == {
        "id", "title", "visit_type", "date_start", "date_end", "date_precision", "location",
        "confidentiality", "incidents", "open_followups", "origin_office", "updated_at", "version", "deleted",
    }  # fmt: skip
    assert first["date_start"] == "2026-01-07" and first["incidents"] == 1
    limited = listed(capsys, db, "--limit", "3")
    assert limited["total"] == 7 and len(limited["visits"]) == 3
    status, out, _err = run(capsys, db, "visits", "list", "--limit", "5")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 1 + 5 + 1
    assert lines[-1] == "5 of 7 visits shown"
    assert run(capsys, db, "visits", "list")[1].splitlines()[-1] == "7 visits"


def test_the_table_writes_dates_in_the_chosen_language(
    capsys: pytest.CaptureFixture[str], db: str, visits: dict[str, str]
) -> None:
    status, out, _err = run(capsys, db, "--lang", "fr", "visits", "list", "--search", "kamiti")
    assert status == 0
    _header, row, _total = out.splitlines()
    assert row.startswith(visits["torture"]) and "2 mars 2026" in row and "Kamiti prison" in row


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--from", "2026-02-30"], "--from: '2026-02-30' is not a date"),
        (["list", "--from", "2026-03-01", "--to", "2026-02-01"], "--to is before --from"),
        (["list", "--type", "picnic"], "--type: unknown code 'picnic'"),
        (["list", "--violation", "rudeness"], "--violation: unknown code 'rudeness'"),
        (["list", "--area", "Atlantis"], "--area: no area with the id or name 'Atlantis'"),
        (["list", "--area", "Central"], "'Central' names 2 areas; give the id or the full path of one: "),
        (["show", "no-such-id"], "No monitoring visit with id no-such-id"),
        (["delete", "no-such-id"], "No monitoring visit with id no-such-id"),
        (["restore", "no-such-id"], "No monitoring visit with id no-such-id"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    db: str,
    ctx: Context,
    visits: dict[str, str],
    args: list[str],
    message: str,
) -> None:
    before = stats(ctx)
    status, out, err = run(capsys, db, "visits", *args)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and message in err, err
    assert stats(ctx) == before


def test_an_ambiguous_area_lists_the_matches(
    capsys: pytest.CaptureFixture[str], db: str, visits: dict[str, str]
) -> None:
    err = run(capsys, db, "visits", "list", "--area", "central")[2]
    assert "Kenya › Central" in err and "Uganda › Central" in err


def test_delete_and_restore_take_the_children_along(
    capsys: pytest.CaptureFixture[str], db: str, ctx: Context, visits: dict[str, str]
) -> None:
    before = stats(ctx)
    status, out, _err = run(capsys, db, "visits", "delete", visits["torture"])
    assert status == 0 and visits["torture"] in out
    assert stats(ctx)["incident"]["live"] == before["incident"]["live"] - 1
    assert titles(capsys, db, "--deleted") == ["Kamiti prison"]
    again = run(capsys, db, "visits", "delete", visits["torture"])
    assert again[0] == 2 and "already deleted" in again[2]

    status, out, _err = run(capsys, db, "visits", "restore", visits["torture"])
    assert status == 0 and visits["torture"] in out
    assert stats(ctx) == before
    assert titles(capsys, db, "--deleted") == []
    live_again = run(capsys, db, "visits", "restore", visits["torture"])
    assert live_again[0] == 2 and "is not deleted" in live_again[2]


def test_show_gives_the_visit_its_children_and_warnings(
    capsys: pytest.CaptureFixture[str], db: str, ctx: Context
) -> None:
    saved = save_visit(
        ctx,
        visit(
            "Kamiti prison",
            dt.date(2026, 3, 2),
            people=(
                PersonData(code="V-001", age_group="child-0-11", birth_year=1980, full_name="Omar Haddad"),
            ),
            follow_ups=(FollowUpData(action="Write to the director", due_date=dt.date(2026, 2, 1)),),
        ),
    ).value
    status, out, _err = run(capsys, db, "visits", "show", saved.id or "")
    assert status == 0
    assert "Kamiti prison" in out and "V-001" in out and "Write to the director" in out
    assert "Person V-001, Age group: Born in 1980" in out
    assert "Due before the visit took place" in out
    assert "Omar Haddad" not in out

    status, out, _err = run(capsys, db, "visits", "show", saved.id or "", "--json")
    shown = json.loads(out)
    assert shown["id"] == saved.id and shown["title"] == "Kamiti prison"
    assert set(shown["warnings"]) == {"people[0].age_group", "follow_ups[0].due_date"}
    assert "full_name" not in shown["people"][0] and shown["people"][0]["code"] == "V-001"
    assert "loaded_children" not in shown
    full = json.loads(run(capsys, db, "visits", "show", saved.id or "", "--json", "--include-restricted")[1])
    assert full["people"][0]["full_name"] == "Omar Haddad"


def test_help_documents_the_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["visits", "list", "--help"])
    out = capsys.readouterr().out
    for key in ("total", "visits", "open_followups", "updated_at"):
        assert f'"{key}"' in out


def test_the_commands_are_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    for command in ("list", "show", "delete", "restore"):
        assert f"fieldkit visits {command}" in readme
