"""Demo data: counts, determinism, scripts, valid codes, refusal, and simulated office work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, func, select, text

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.demo import CLOCK, generate, mutate
from fieldkit.demo.generate import SCALES, Scale
from fieldkit.domain.vocab import vocabularies
from fieldkit.errors import NotInitialised, ValidationError
from fieldkit.opening import open_context
from fieldkit.progress import Cancelled, Progress
from fieldkit.services.data import export_data, stats
from fieldkit.services.office import init_office
from fieldkit.store.records import (
    Attendance,
    FollowUp,
    MonitoringVisit,
    Participant,
    PersonIdentity,
)
from fieldkit.store.registry import MODEL_BY_TYPE, search_roots
from fieldkit.store.system import ChangeLog, OriginSequence

ARABIC = re.compile(r"[\u0600-\u06FF]")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
CJK = re.compile(r"[\u4E00-\u9FFF]")
LATIN = re.compile(r"[A-Za-z]")

#: (record type, field) -> vocabulary; list fields hold several codes
CODED = {
    ("monitoring_visit", "visit_type"): "visit_type",
    ("monitoring_visit", "institution_type"): "institution_type",
    ("monitoring_visit", "confidentiality"): "sensitivity_level",
    ("monitoring_visit", "date_precision"): "date_precision",
    ("incident", "violation_types"): "violation_type",
    ("incident", "rights"): "right",
    ("incident", "affected_groups"): "affected_group",
    ("incident", "perpetrator_type"): "perpetrator_type",
    ("incident", "pattern"): "incident_pattern",
    ("incident", "source_reliability"): "source_reliability",
    ("person", "sex"): "sex",
    ("person", "age_group"): "age_group",
    ("involvement", "role"): "person_role",
    ("follow_up", "status"): "followup_status",
    ("organisation", "org_type"): "organisation_type",
    ("project", "status"): "project_status",
    ("project", "funding_source"): "funding_source",
    ("project", "implementation_gaps"): "implementation_gap",
    ("project", "sdgs"): "sdg",
    ("training_event", "event_type"): "training_event_type",
    ("training_event", "audiences"): "training_audience",
    ("participant", "sex"): "sex",
}


def _store(path: Path) -> Context:
    ctx = open_context(path, create=True)
    init_office(ctx, "KE-NBO", "Kenya office", "country-office")
    return ctx


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[list[Context]]:
    """Open stores made by the test through ``_store``; closed at the end."""
    opened: list[Context] = []
    yield opened
    for ctx in opened:
        ctx.close()


def _demo(stores: list[Context], path: Path, seed: int = 1) -> Context:
    ctx = _store(path)
    stores.append(ctx)
    generate(ctx, "small", seed=seed)
    return ctx


def _export(ctx: Context, out: Path) -> dict[str, bytes]:
    paths = export_data(ctx, "jsonl", out, include_restricted=True)
    return {p.name: p.read_bytes() for p in paths}


def _change_count(ctx: Context) -> int:
    with unchecked(), ctx.store.read() as session:
        return int(session.execute(select(func.count()).select_from(ChangeLog)).scalar_one())


def test_small_demo_gives_the_expected_counts(stores: list[Context], tmp_path: Path) -> None:
    ctx = _store(tmp_path / "a.db")
    stores.append(ctx)
    counts = generate(ctx, "small", seed=1)
    live = {kind: c["live"] for kind, c in stats(ctx).items() if kind != "vocabulary_term"}
    assert {kind: n for kind, n in live.items() if n} == counts
    assert counts["monitoring_visit"] == 300
    assert counts["project"] == 30
    assert counts["training_event"] == 40
    assert counts["participant"] == 800
    assert 300 <= counts["incident"] <= 900
    assert counts["person_identity"] == counts["person"] > 0
    assert counts["involvement"] >= counts["incident"]
    assert counts["attendance"] >= 800
    assert _change_count(ctx) == sum(counts.values())
    today = CLOCK.date()  # the demo's data are dated from its own clock
    with unchecked(), ctx.store.read() as session:
        attending = session.execute(select(func.count(func.distinct(Attendance.participant_id)))).scalar_one()
        assert attending == session.execute(select(func.count()).select_from(Participant)).scalar_one()
        overdue = select(func.count()).where(FollowUp.status == "open", FollowUp.due_date < today)
        assert session.execute(overdue).scalar_one() > 0
        done = select(func.count()).where(FollowUp.status == "done", FollowUp.completed_on.is_not(None))
        assert session.execute(done).scalar_one() > 0
        users = set(session.execute(select(MonitoringVisit.created_by).distinct()).scalars())
        assert users == {"demo@KE-NBO"}
    areas = {(a["level"], a["parent_id"] is None) for a in _records(ctx, "admin_area")}
    assert areas == {(0, True), (1, False), (2, False)}


def _records(ctx: Context, kind: str) -> list[dict[str, object]]:
    from fieldkit.services.data import iter_records

    return list(iter_records(ctx, MODEL_BY_TYPE[kind], include_restricted=True))


def test_same_seed_gives_byte_identical_exports(stores: list[Context], tmp_path: Path) -> None:
    a = _demo(stores, tmp_path / "a.db", seed=7)
    b = _demo(stores, tmp_path / "b.db", seed=7)
    first, second = _export(a, tmp_path / "out-a"), _export(b, tmp_path / "out-b")
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_a_different_seed_gives_different_data(stores: list[Context], tmp_path: Path) -> None:
    a = _demo(stores, tmp_path / "a.db", seed=1)
    b = _demo(stores, tmp_path / "b.db", seed=2)
    first, second = _export(a, tmp_path / "out-a"), _export(b, tmp_path / "out-b")
    assert first["monitoring_visit.jsonl"] != second["monitoring_visit.jsonl"]


def test_mutate_changes_the_store_and_logs_each_change(stores: list[Context], tmp_path: Path) -> None:
    a = _demo(stores, tmp_path / "a.db", seed=5)
    b = _demo(stores, tmp_path / "b.db", seed=5)
    before = _change_count(b)
    result = mutate(b, 60, seed=3)
    assert result["updated"] + result["deleted"] == 60
    assert result["deleted"] > 0 and result["updated"] > result["deleted"]
    assert _change_count(b) - before == 60
    assert sum(c["deleted"] for c in stats(b).values()) == result["deleted"]
    assert _export(a, tmp_path / "out-a") != _export(b, tmp_path / "out-b")


def test_names_and_narratives_use_every_script(stores: list[Context], tmp_path: Path) -> None:
    ctx = _demo(stores, tmp_path / "a.db")
    with unchecked(), ctx.store.read() as session:
        narratives = " ".join(session.execute(select(MonitoringVisit.narrative)).scalars())
        names = " ".join(session.execute(select(PersonIdentity.full_name)).scalars())
        names += " ".join(session.execute(select(Participant.full_name)).scalars())
    for script in (LATIN, ARABIC, CYRILLIC, CJK):
        assert script.search(narratives), script.pattern
        assert script.search(names), script.pattern
    assert re.search("é|ñ|ç", narratives)  # French and Spanish, not just ASCII


def test_every_coded_field_holds_a_code_of_its_vocabulary(stores: list[Context], tmp_path: Path) -> None:
    ctx = _demo(stores, tmp_path / "a.db")
    vocab = vocabularies(ctx)
    for (kind, field), name in CODED.items():
        codes = vocab.codes(name)
        assert codes, name
        seen: set[object] = set()
        for record in _records(ctx, kind):
            value = record[field]
            values = value if isinstance(value, list) else [value]
            seen.update(v for v in values if v is not None)
        assert seen, (kind, field)
        assert seen <= codes, (kind, field, seen - codes)
    for record in _records(ctx, "incident"):
        assert isinstance(record["victims"], dict) and record["victims"]
        for key in record["victims"]:
            sex, age = key.split("/")
            assert vocab.has("sex", sex) and vocab.has("age_group", age), key


def test_every_searchable_record_of_the_demo_is_indexed(stores: list[Context], tmp_path: Path) -> None:
    ctx = _demo(stores, tmp_path / "a.db")
    live = stats(ctx)
    with unchecked(), ctx.store.read() as session:
        indexed = dict(
            session.execute(text("select record_type, count(*) from search_index group by record_type")).all()
        )
    assert set(search_roots()) >= {"monitoring_visit", "project", "training_event"}
    assert indexed == {t: live[t]["live"] for t in search_roots() if live[t]["live"]}


def test_demo_refuses_a_store_with_records(stores: list[Context], tmp_path: Path) -> None:
    ctx = _demo(stores, tmp_path / "a.db")
    with pytest.raises(ValidationError, match="already holds records"):
        generate(ctx, "small", seed=2)
    assert stats(ctx)["monitoring_visit"]["live"] == 300


def test_cancelling_leaves_the_store_empty(stores: list[Context], tmp_path: Path) -> None:
    ctx = _store(tmp_path / "a.db")
    stores.append(ctx)
    progress = Progress(lambda done, _total, _label: progress.cancel() if done else None)
    with pytest.raises(Cancelled):
        generate(ctx, "small", progress=progress)
    assert all(c["live"] == 0 for kind, c in stats(ctx).items() if kind != "vocabulary_term")
    assert _change_count(ctx) == 0
    assert generate(ctx, "small")["monitoring_visit"] == 300


def test_demo_refuses_a_store_without_office_and_unknown_scales(
    stores: list[Context], tmp_path: Path
) -> None:
    bare = open_context(tmp_path / "bare.db", create=True)
    stores.append(bare)
    with pytest.raises(NotInitialised):
        generate(bare, "small")
    ctx = _store(tmp_path / "a.db")
    stores.append(ctx)
    with pytest.raises(ValidationError):
        generate(ctx, "huge")


def test_other_offices_write_under_their_own_origin(
    stores: list[Context], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The large scale's multi-office path, at a size a test can afford."""
    monkeypatch.setitem(SCALES, "tiny", Scale(3, 30, 3, 3, 20, 30, 3))
    ctx = _store(tmp_path / "a.db")
    stores.append(ctx)
    counts = generate(ctx, "tiny", seed=1)
    assert counts["monitoring_visit"] == 30
    visit, log, seq = MonitoringVisit, ChangeLog, OriginSequence
    with unchecked(), ctx.store.read() as session:

        def pairs(query: Select[str, Any]) -> dict[str, Any]:
            return {key: value for key, value in session.execute(query)}

        origins = pairs(select(visit.origin_office, func.count()).group_by(visit.origin_office))
        logged = pairs(select(log.origin_office, func.count()).group_by(log.origin_office))
        sequences = pairs(select(seq.origin_office, seq.last_seq))
        users = pairs(select(visit.origin_office, visit.created_by).distinct())
    assert len(origins) == 3 and "KE-NBO" in origins
    assert sorted(origins.values()) == [10, 10, 10]
    assert logged == sequences  # each office's sequence numbers are gap-free and its own
    assert users == {office: f"demo@{office}" for office in origins}
