"""No record value outside the store: real work on named people, with every log line captured at
DEBUG (SQLAlchemy's statement log included) and FieldKit's data folder searched afterwards."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from fieldkit import access
from fieldkit.cli import private_log
from fieldkit.cli.main import main as cli_main
from fieldkit.context import Context
from fieldkit.errors import FieldKitError, describe_error
from fieldkit.services.monitoring import save_visit
from fieldkit.services.monitoring_types import IncidentData, PersonData, VisitData
from fieldkit.services.search import search_records

NAMES = ("Zawadi Kipchumba-Odhiambo", "Wanjiku Nyamweya", "Baraka Otieno-Lukalo")


def _visit(name: str, **changes: object) -> VisitData:
    values: dict[str, object] = {
        "title": f"Visit to {name} at Kamiti",
        "visit_type": "detention-visit",
        "date_start": dt.date(2026, 2, 20),
        "narrative": f"{name} described the night of the arrest.",
        "confidentiality": "internal",
        "incidents": (IncidentData(summary=f"{name} beaten on arrival", violation_types=("torture",)),),
        "people": (PersonData(code="V-01", full_name=name, contact=f"{name} via the parish office"),),
    }
    values.update(changes)
    return VisitData(**values)  # type: ignore[arg-type]


def _assert_nowhere(text_: str, where: str) -> None:
    for name in NAMES:
        for part in (name, *name.split()):
            if len(part) > 6:
                assert part not in text_, f"{part!r} in {where}"


def test_real_work_on_named_people_leaves_no_name_in_logs_or_own_files(
    ctx: Context, store_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    private_log.install(logging.DEBUG)  # what `fieldkit --debug` and the window set up
    saved = [save_visit(ctx, _visit(name)).value for name in NAMES]
    assert all(v.id for v in saved)
    assert search_records(ctx, "Kipchumba")  # the store finds them: the names are really there

    # an error path carrying a record value: a code that is not in its vocabulary
    with pytest.raises(FieldKitError) as refused:
        save_visit(ctx, _visit(NAMES[0], visit_type=NAMES[0]))
    logging.getLogger("fieldkit").error("Save refused\n%s", private_log.redacted_traceback(refused.value))
    _assert_nowhere(describe_error(refused.value), "the message shown for a refused save")

    # a driver error that quotes its statement: the store hides its parameters
    with access.unchecked("test"), pytest.raises(Exception) as failed, ctx.store.write() as session:
        session.execute(text("INSERT INTO office (code) VALUES (:code)"), {"code": NAMES[1]})
    _assert_nowhere(str(failed.value), "a database error's text")
    logging.getLogger("fieldkit").error("Write failed\n%s", private_log.redacted_traceback(failed.value))
    # an uncaught error, as a slot of the window raises it
    try:
        raise ValueError(f"unexpected value {NAMES[2]!r}")
    except ValueError as exc:
        private_log.log_uncaught(type(exc), exc, exc.__traceback__)
    ctx.close()

    monkeypatch.setenv("FIELDKIT_DB", str(store_path))
    out = tmp_path / "export"
    assert cli_main(["--debug", "search", "Kipchumba", "--json"]) == 0
    assert cli_main(["--debug", "export-data", "--format", "csv", "--out", str(out)]) == 0
    assert "Kipchumba" in capsys.readouterr().out  # the search's own answer holds the name, as it should
    assert any("Zawadi" in p.read_text(encoding="utf-8-sig") for p in out.glob("*.csv"))

    assert any("Traceback" in r.getMessage() for r in caplog.records)  # the errors were logged
    assert any(r.name.startswith("alembic") or r.name.startswith("fieldkit") for r in caplog.records)
    _assert_nowhere(caplog.text, "the log")
    home = Path(os.environ["FIELDKIT_HOME"])
    for path in home.rglob("*"):
        if path.is_file():
            _assert_nowhere(path.read_bytes().decode("utf-8", "replace"), str(path))
