"""``fieldkit audit verify`` and ``fieldkit audit list``: output, filters and exit codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from fieldkit.cli.audit_cmds import EXIT_TAMPERED
from fieldkit.cli.common import EXIT_ERROR
from fieldkit.cli.main import main
from fieldkit.context import Context
from fieldkit.services.records import create_record, update_record


@pytest.fixture
def db(ctx: Context, store_path: Path) -> Path:
    org = create_record(ctx, "organisation", {"name": "Legal Aid Centre"})
    update_record(ctx, "organisation", org["id"], {"name": "Legal Aid"})
    ctx.close()
    return store_path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_verify_says_intact_in_one_line_and_exits_0(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--db", str(db), "audit", "verify")
    assert code == 0 and err == ""
    assert out.strip().count("\n") == 0 and "intact" in out and "2 entries" in out
    code, out, _err = _run(capsys, "--db", str(db), "audit", "verify", "--json")
    verdict = json.loads(out)
    assert code == 0 and verdict["ok"] is True and verdict["checked"] == 2 and verdict["problem"] is None
    assert verdict["head"]["count"] == 2 and len(verdict["head"]["hash"]) == 64


def test_verify_names_the_broken_entry_and_exits_with_its_own_code(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = 1")
    conn.commit()
    conn.close()
    code, out, err = _run(capsys, "--db", str(db), "audit", "verify")
    assert code == EXIT_TAMPERED != EXIT_ERROR
    assert out == "" and "entry 1 " in err and "changed" in err
    code, out, _err = _run(capsys, "--db", str(db), "audit", "verify", "--json")
    verdict = json.loads(out)
    assert code == EXIT_TAMPERED
    assert (verdict["ok"], verdict["problem"], verdict["row_id"]) == (False, "edited", 1)


def test_list_filters_and_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "--db", str(db), "audit", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["Time", "User", "Action"]
    assert "Changed" in lines[1] and "Fields: Name" in lines[1] and "Created" in lines[2]
    assert lines[-1] == "2 entries"
    code, out, _err = _run(capsys, "--db", str(db), "audit", "list", "--action", "create", "--json")
    listing = json.loads(out)
    assert code == 0 and listing["total"] == 1
    [entry] = listing["entries"]
    assert (entry["action"], entry["user"], entry["record_type"]) == ("create", "tester", "organisation")
    code, out, _err = _run(capsys, "--db", str(db), "audit", "list", "--user", "nobody", "--json")
    assert json.loads(out) == {"total": 0, "limit": None, "entries": []}
    code, out, _err = _run(capsys, "--db", str(db), "audit", "list", "--limit", "1")
    assert out.splitlines()[-1] == "1 of 2 entries shown"
    code, out, _err = _run(capsys, "--db", str(db), "audit", "list", "--since", "2100-01-01", "--json")
    assert json.loads(out)["total"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--action", "sing"], "unknown action 'sing'"),
        (["--since", "yesterday"], "'yesterday' is not a date"),
        (["--since", "2026-05-02", "--until", "2026-05-01"], "is before"),
    ],
)
def test_bad_list_input_is_one_line_and_exit_2(
    db: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = _run(capsys, "--db", str(db), "audit", "list", *args)
    assert code == EXIT_ERROR and out == ""
    assert err.startswith("fieldkit: error: ") and message in err and err.count("\n") == 1
