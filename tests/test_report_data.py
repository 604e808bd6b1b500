"""The figures reports print, counted exactly on a small hand-built store: visits by type,
allegations by violation type with the vocabulary's hierarchy, by region and month, trends
against the period before, overdue follow-ups on the context's day; the clearance capping
every figure; bad filters; the briefing pack's sections; the audit entry of a report."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from clearance_users import as_user
from fixed_clock import SteppingClock

from fieldkit.access import PermissionDenied, Principal, Role, unchecked
from fieldkit.context import Context
from fieldkit.domain.vocab import invalidate_cache
from fieldkit.errors import NotFound, ValidationError
from fieldkit.opening import open_context
from fieldkit.services.audit import AuditFilter, audit_page, verify_audit
from fieldkit.services.monitoring import delete_visit, save_visit
from fieldkit.services.monitoring_types import FollowUpData, IncidentData, PersonData, VisitData
from fieldkit.services.office import init_office
from fieldkit.services.report_data import (
    record_report_generated,
    regional_summary,
    situation_summary,
    visit_report,
)
from fieldkit.services.report_filter import ReportFilter
from fieldkit.services.report_sections import (
    country_briefing,
    register_section,
    registered_sections,
    unregister_section,
)
from fieldkit.services.report_types import SituationSummary, TermCount
from fieldkit.store.clearance import REDACTED
from fieldkit.store.records import AdminArea, VocabularyTerm

APRIL, MAY = dt.date(2026, 4, 1), dt.date(2026, 5, 31)
PERIOD = ReportFilter(date_from=APRIL, date_to=MAY)


@dataclasses.dataclass
class Store:
    ctx: Context
    ids: dict[str, str]
    areas: dict[str, str]


def _areas(ctx: Context) -> dict[str, str]:
    ids: dict[str, str] = {}
    with unchecked(), ctx.write() as (_session, writer):
        for name, level, parent, country in [
            ("Kenya", 0, None, "KEN"),
            ("Nairobi", 1, "Kenya", "KEN"),
            ("Kibera", 2, "Nairobi", "KEN"),
            ("Westlands", 2, "Nairobi", "KEN"),
            ("Coast", 1, "Kenya", "KEN"),
            ("Mombasa", 2, "Coast", "KEN"),
            ("Uganda", 0, None, "UGA"),
            ("Central", 1, "Uganda", "UGA"),
            ("Kampala", 2, "Central", "UGA"),
        ]:
            values = {
                "name": name,
                "level": level,
                "parent_id": ids.get(parent or ""),
                "country_code": country,
            }
            ids[name] = writer.create(AdminArea, values).id
    return ids


def _visit(
    day: dt.date,
    kind: str,
    area: str | None,
    level: str,
    incidents: list[tuple[str, ...]],
    follow_ups: Sequence[tuple[dt.date, str]] = (),
    people: tuple[PersonData, ...] = (),
) -> VisitData:
    return VisitData(
        title=f"Visit of {day.isoformat()}",
        visit_type=kind,
        date_start=day,
        admin_area_id=area,
        confidentiality=level,
        incidents=tuple(IncidentData(summary="Heard", violation_types=codes) for codes in incidents),
        follow_ups=tuple(
            FollowUpData(
                action=f"Owed {due}",
                due_date=due,
                status=status,
                completed_on=due if status == "done" else None,
            )
            for due, status in follow_ups
        ),
        people=people,
    )


def _fill(ctx: Context) -> Store:
    """Kenya's office (KE-NBO) and, in the same store, one visit from Uganda's (UG-KLA)."""
    ctx.now = SteppingClock()  # today is 2026-05-20
    init_office(ctx, "KE-NBO", "Kenya country office", "country-office", "ROEA")
    a = _areas(ctx)
    d = dt.date
    omar = PersonData(code="V-1", role="victim", sex="male", age_group="adult-18-59", full_name="Omar Haddad")
    plan = {
        "A": _visit(
            d(2026, 4, 3),
            "detention-visit",
            a["Kibera"],
            "internal",
            [("torture",), ("torture", "cruel-inhuman-degrading-treatment")],
            [(d(2026, 5, 1), "open")],
        ),
        "B": _visit(
            d(2026, 4, 20),
            "trial-observation",
            a["Westlands"],
            "public",
            [("arbitrary-detention",)],
            [(d(2026, 6, 1), "open"), (d(2026, 4, 25), "done")],
        ),
        "C": _visit(
            d(2026, 5, 10),
            "detention-visit",
            a["Mombasa"],
            "confidential",
            [("rape",), ("torture",)],
            [(d(2026, 5, 15), "in-progress")],
            people=(omar,),
        ),
        "D": _visit(
            d(2026, 5, 12),
            "interview",
            a["Nairobi"],
            "strictly-confidential",
            [("extrajudicial-execution",)],
            [(d(2026, 5, 19), "open")],
        ),
        "E": _visit(d(2026, 3, 15), "detention-visit", a["Kibera"], "internal", [("torture",)]),
        "F": _visit(d(2026, 2, 1), "meeting-with-authorities", None, "public", []),
        "G": _visit(d(2026, 6, 5), "detention-visit", a["Kibera"], "internal", [("torture",)]),
        "I": _visit(d(2026, 4, 10), "detention-visit", a["Kibera"], "internal", [("torture",)]),
    }
    ids = {}
    for key, data in plan.items():
        ids[key] = save_visit(ctx, data).value.id or ""
    with unchecked():
        delete_visit(ctx, ids["I"])
    uganda = Context(ctx.store, user=ctx.user, office_code="UG-KLA", now=ctx.now)
    h = _visit(
        d(2026, 4, 15),
        "detention-visit",
        a["Kampala"],
        "internal",
        [("arbitrary-arrest",)],
        [(d(2026, 5, 1), "open")],
    )
    ids["H"] = save_visit(uganda, h).value.id or ""
    return Store(ctx, ids, a)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    ctx = open_context(tmp_path / "store.db", create=True)
    yield _fill(ctx)
    ctx.close()


def _totals(terms: tuple[TermCount, ...]) -> dict[str, tuple[int, int]]:
    return {t.code: (t.total, t.direct) for t in terms}


def test_the_situation_summary_counts_exactly(store: Store) -> None:
    s = situation_summary(store.ctx, PERIOD, lang="en")
    assert s.has_data and (s.visits, s.incidents) == (5, 7)
    assert _totals(s.visits_by_type) == {
        "detention-visit": (3, 3),
        "trial-observation": (1, 1),
        "interview": (1, 1),
    }
    assert _totals(s.incidents_by_violation) == {
        "right-to-life": (1, 0),
        "extrajudicial-execution": (1, 1),
        "liberty-and-security": (2, 0),
        "arbitrary-arrest": (1, 1),
        "arbitrary-detention": (1, 1),
        # the incident carrying both torture and ill-treatment counts once under their parent
        "torture-and-ill-treatment": (3, 0),
        "torture": (3, 3),
        "cruel-inhuman-degrading-treatment": (1, 1),
        "sexual-and-gender-based-violence": (1, 0),
        "rape": (1, 1),
    }
    tree = [(t.code, t.depth, t.parent_code) for t in s.incidents_by_violation]
    assert tree[:2] == [("right-to-life", 0, None), ("extrajudicial-execution", 1, "right-to-life")]
    assert sum(t.total for t in s.incidents_by_violation if t.depth == 0) == s.incidents
    assert [(m.year, m.month, m.visits, m.incidents) for m in s.months] == [(2026, 4, 3, 4), (2026, 5, 2, 3)]
    regions = {(r.country, r.name): (r.visits, r.incidents) for r in s.regions}
    assert regions == {
        ("Kenya", "Nairobi"): (3, 4),
        ("Kenya", "Coast"): (1, 2),
        ("Uganda", "Central"): (1, 1),
    }
    nairobi = next(r for r in s.regions if r.name == "Nairobi")
    assert s.regions[0] is nairobi  # most visits first
    # the visit placed at the region itself counts in the region, in none of its areas
    assert [(a.name, a.visits, a.incidents) for a in nairobi.areas] == [("Kibera", 1, 2), ("Westlands", 1, 1)]


def test_trends_compare_with_the_period_of_the_same_length_before(store: Store) -> None:
    s = situation_summary(store.ctx, PERIOD, lang="en")
    assert (s.filter.previous_from, s.filter.previous_to) == (dt.date(2026, 1, 30), dt.date(2026, 3, 31))
    trends = {t.key: (t.current, t.previous, t.change) for t in s.trends}
    assert trends["visits"] == (5, 2, 3)
    assert trends["incidents"] == (7, 1, 6)
    assert trends["visit_type:detention-visit"] == (3, 1, 2)
    assert trends["visit_type:meeting-with-authorities"] == (0, 1, -1)
    assert trends["violation_type:torture-and-ill-treatment"] == (3, 1, 2)
    assert trends["violation_type:right-to-life"] == (1, 0, 1)
    by_key = {t.key: t for t in s.trends}
    assert by_key["visits"].change_percent == 150.0
    assert by_key["violation_type:right-to-life"].change_percent is None


def test_overdue_follow_ups_are_counted_from_the_context_day(store: Store) -> None:
    s = situation_summary(store.ctx, PERIOD, lang="en")
    assert s.filter.today == dt.date(2026, 5, 20)
    assert s.overdue_count == 4
    listed = [(o.visit_id, o.due_date, o.days_overdue, o.status) for o in s.overdue]
    assert sorted(listed[:2]) == sorted(
        [
            (store.ids["A"], dt.date(2026, 5, 1), 19, "open"),
            (store.ids["H"], dt.date(2026, 5, 1), 19, "open"),
        ]
    )
    assert listed[2:] == [
        (store.ids["C"], dt.date(2026, 5, 15), 5, "in-progress"),
        (store.ids["D"], dt.date(2026, 5, 19), 1, "open"),
    ]
    assert s.overdue[2].status_label == "In progress" and s.overdue[2].action == "Owed 2026-05-15"
    assert len(situation_summary(store.ctx, PERIOD, overdue_limit=1).overdue) == 1
    # another day, another count: nothing here reads the wall clock
    store.ctx.now = SteppingClock(dt.datetime(2026, 7, 1, 12))
    later = situation_summary(store.ctx, PERIOD)
    assert later.overdue_count == 5 and later.overdue[-1].visit_id == store.ids["B"]


def test_filters_by_office_type_and_level(store: Store) -> None:
    uganda = situation_summary(store.ctx, dataclasses.replace(PERIOD, offices=("UG-KLA",)))
    assert (uganda.visits, uganda.incidents, uganda.overdue_count) == (1, 1, 1)
    assert uganda.filter.offices == ("UG-KLA",) and not uganda.filter.all_offices
    detention = situation_summary(store.ctx, dataclasses.replace(PERIOD, visit_types=("detention-visit",)))
    assert (detention.visits, detention.incidents) == (3, 5)
    internal = situation_summary(store.ctx, dataclasses.replace(PERIOD, max_level="internal"))
    assert (internal.visits, internal.incidents, internal.overdue_count) == (3, 4, 2)
    assert internal.filter.levels == ("public", "internal") and not internal.filter.capped_by_clearance
    everything = situation_summary(store.ctx, PERIOD)
    assert everything.filter.offices == ("KE-NBO", "UG-KLA") and everything.filter.all_offices


def test_an_uncleared_user_gets_capped_figures_and_is_told(store: Store) -> None:
    reader = as_user(store.ctx, "internal")
    s = situation_summary(reader, dataclasses.replace(PERIOD, max_level="strictly-confidential"), lang="fr")
    assert (s.visits, s.incidents, s.overdue_count) == (3, 4, 2)
    assert {o.visit_id for o in s.overdue} == {store.ids["A"], store.ids["H"]}
    assert s.filter.max_level == "internal" and s.filter.capped_by_clearance
    assert s.filter.clearance == "internal" and s.filter.levels == ("public", "internal")
    assert "rape" not in _totals(s.incidents_by_violation)
    assert "right-to-life" not in _totals(s.incidents_by_violation)
    assert {r.name for r in s.regions} == {"Nairobi", "Central"}
    # asking for nothing above one's clearance is no capping
    plain = situation_summary(reader, PERIOD)
    assert plain.filter.max_level == "internal" and not plain.filter.capped_by_clearance
    regional = regional_summary(reader, PERIOD)
    assert regional.total.visits == 3
    assert [(c.office, c.visits, c.overdue) for c in regional.comparison] == [
        ("KE-NBO", 2, 1),
        ("UG-KLA", 1, 1),
    ]


def test_labels_come_in_the_language_asked_for(store: Store) -> None:
    for lang, torture in [
        ("fr", "Torture"),
        ("ar", "التعذيب"),
        ("zh", "酷刑"),
        ("ru", "Пытки"),
        ("es", "Tortura"),
    ]:
        s = situation_summary(store.ctx, PERIOD, lang=lang)
        labels = {t.code: t.label for t in s.incidents_by_violation}
        assert labels["torture"] == torture, lang
        assert s.filter.lang == lang


def test_no_data_is_said_not_guessed(store: Store) -> None:
    s = situation_summary(
        store.ctx, ReportFilter(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 1, 31))
    )
    assert not s.has_data and (s.visits, s.incidents, s.overdue_count) == (0, 0, 0)
    assert s.visits_by_type == () and s.regions == () and s.overdue == ()
    assert [(m.month, m.visits) for m in s.months] == [(1, 0)]


@pytest.mark.parametrize(
    ("flt", "field", "words"),
    [
        (ReportFilter(), "period", "first and its last day"),
        (ReportFilter(date_from=APRIL), "period", "first and its last day"),
        (
            ReportFilter(date_from=MAY, date_to=APRIL),
            "period",
            "ends (2026-04-01) before it starts (2026-05-31)",
        ),
        (dataclasses.replace(PERIOD, offices=("XX-NOPE",)), "offices", "Unknown office: XX-NOPE"),
        (dataclasses.replace(PERIOD, visit_types=("picnic",)), "visit_types", "Unknown visit type: picnic"),
        (
            dataclasses.replace(PERIOD, max_level="secret"),
            "max_level",
            "Unknown confidentiality level 'secret'",
        ),
    ],
)
def test_bad_filters_get_one_clear_message(store: Store, flt: ReportFilter, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as bad:
        situation_summary(store.ctx, flt)
    assert set(bad.value.fields) == {field}
    assert words in str(bad.value).replace("\u2068", "").replace("\u2069", "")
    with pytest.raises(ValidationError):
        regional_summary(store.ctx, flt)


def test_several_problems_are_named_together_and_an_unknown_language_refused(store: Store) -> None:
    flt = ReportFilter(date_from=MAY, date_to=APRIL, offices=("XX",), max_level="secret")
    with pytest.raises(ValidationError) as bad:
        situation_summary(store.ctx, flt)
    assert set(bad.value.fields) == {"period", "offices", "max_level"}
    with pytest.raises(ValidationError, match="Unknown language"):
        situation_summary(store.ctx, PERIOD, lang="xx")


def test_an_office_known_only_from_hidden_visits_is_not_revealed(store: Store) -> None:
    reader = as_user(store.ctx, "public")
    with pytest.raises(ValidationError, match="Unknown office"):
        situation_summary(reader, dataclasses.replace(PERIOD, offices=("UG-KLA",)))
    assert situation_summary(reader, dataclasses.replace(PERIOD, offices=("KE-NBO",))).visits == 1


def test_the_regional_summary_has_a_section_per_office_and_a_comparison(store: Store) -> None:
    r = regional_summary(store.ctx, PERIOD, lang="en")
    assert r.has_data and r.total.visits == 5
    assert [(s.office, s.office_name) for s in r.offices] == [
        ("KE-NBO", "Kenya country office"),
        ("UG-KLA", "UG-KLA"),
    ]
    kenya, uganda = (s.summary for s in r.offices)
    assert (kenya.visits, kenya.incidents, kenya.overdue_count) == (4, 6, 3)
    assert (uganda.visits, uganda.incidents, uganda.overdue_count) == (1, 1, 1)
    assert [o.office for o in uganda.overdue] == ["UG-KLA"]
    assert [
        (
            c.office,
            c.visits,
            c.previous_visits,
            c.visit_change,
            c.incidents,
            c.previous_incidents,
            c.top_violation,
        )
        for c in r.comparison
    ] == [
        ("KE-NBO", 4, 2, 2, 6, 1, "torture-and-ill-treatment"),
        ("UG-KLA", 1, 0, 1, 1, 0, "liberty-and-security"),
    ]
    assert r.comparison[0].top_violation_label == "Torture and ill-treatment"
    # the sections add up to the whole
    assert sum(s.summary.visits for s in r.offices) == r.total.visits
    assert sum(s.summary.overdue_count for s in r.offices) == r.total.overdue_count
    named = regional_summary(store.ctx, dataclasses.replace(PERIOD, offices=("KE-NBO",)))
    assert [s.office for s in named.offices] == ["KE-NBO"] and named.total.visits == 4


def test_the_visit_report_redacts_identities_on_request(store: Store) -> None:
    shown = visit_report(store.ctx, store.ids["C"], lang="en")
    assert not shown.identities_redacted and shown.visit.people[0].full_name == "Omar Haddad"
    assert shown.place == "Kenya › Coast › Mombasa"
    assert (shown.visit_type_label, shown.confidentiality_label) == ("Detention visit", "Confidential")
    assert shown.violation_labels == (("Rape",), ("Torture",))
    hidden = visit_report(store.ctx, store.ids["C"], redact_identities=True, lang="ar")
    assert hidden.identities_redacted and hidden.visit.people[0].full_name == REDACTED
    assert hidden.visit.people[0].code == "V-1" and hidden.visit.people[0].other_names == ""
    assert hidden.violation_labels == (("الاغتصاب",), ("التعذيب",))
    # a user who may not see the visit is told it does not exist, as for an unknown id
    with pytest.raises(NotFound):
        visit_report(as_user(store.ctx, "internal"), store.ids["C"])
    with pytest.raises(NotFound):
        visit_report(store.ctx, "no-such-visit")


def test_the_briefing_pack_gathers_registered_sections(store: Store) -> None:
    assert [s.key for s in registered_sections()][:1] == ["monitoring"]
    pack = country_briefing(store.ctx, PERIOD, "KEN", lang="fr")
    assert (pack.country, pack.country_name) == ("KEN", "Kenya")
    assert [s.key for s in pack.sections] == ["monitoring"]
    monitoring = pack.sections[0].data
    assert (monitoring.visits, monitoring.incidents, monitoring.overdue_count) == (4, 6, 3)
    assert country_briefing(store.ctx, PERIOD, "UGA").sections[0].data.visits == 1

    seen: list[tuple[str, str]] = []

    def training(ctx: Context, flt: ReportFilter, country: str, lang: str) -> dict[str, int]:
        seen.append((country, lang))
        return {"events": 0}

    register_section("training", "Training", training, order=20)
    try:
        pack = country_briefing(store.ctx, PERIOD, "KEN", lang="es")
        assert [(s.key, s.data) for s in pack.sections][1:] == [("training", {"events": 0})]
        assert seen == [("KEN", "es")]
    finally:
        unregister_section("training")
    with pytest.raises(ValidationError, match="'ZZZ'"):
        country_briefing(store.ctx, PERIOD, "ZZZ")
    with pytest.raises(ValidationError):
        country_briefing(store.ctx, ReportFilter(), "KEN")


def test_making_a_report_needs_its_permission(store: Store) -> None:
    looker = Context(
        store.ctx.store,
        user="looker",
        office_code="KE-NBO",
        now=store.ctx.now,
        acting_as=Principal("looker", frozenset({Role.READ_ONLY}), "internal"),
    )
    for call in (
        lambda: situation_summary(looker, PERIOD),
        lambda: regional_summary(looker, PERIOD),
        lambda: visit_report(looker, store.ids["A"]),
        lambda: country_briefing(looker, PERIOD, "KEN"),
        lambda: record_report_generated(looker, "situation-summary", PERIOD),
    ):
        with pytest.raises(PermissionDenied):
            call()
    trainer = Context(
        store.ctx.store,
        user="trainer",
        office_code="KE-NBO",
        now=store.ctx.now,
        acting_as=Principal("trainer", frozenset({Role.TRAINER}), "internal"),
    )
    assert situation_summary(trainer, PERIOD).visits == 3


def test_each_report_made_is_audited_without_its_contents(store: Store) -> None:
    s = situation_summary(store.ctx, dataclasses.replace(PERIOD, offices=("KE-NBO",)), lang="ar")
    assert record_report_generated(store.ctx, "situation-summary", s.filter, 5, file_name="summary.pdf")
    assert record_report_generated(store.ctx, "visit", None, 2, record_id=store.ids["C"])
    with unchecked():
        rows = audit_page(store.ctx, AuditFilter(action="report")).rows
    visit_row, summary_row = rows[0], rows[1]  # newest first
    assert summary_row.detail == {
        "kind": "situation-summary",
        "filter": {
            "from": "2026-04-01",
            "to": "2026-05-31",
            "offices": ["KE-NBO"],
            "visit_types": [],
            "max_level": "strictly-confidential",
            "capped_by_clearance": False,
            "lang": "ar",
        },
        "pages": 5,
        "file": "summary.pdf",
    }
    assert (visit_row.record_type, visit_row.record_id, visit_row.detail) == (
        "monitoring_visit",
        store.ids["C"],
        {"kind": "visit", "pages": 2},
    )
    assert "Omar" not in repr(rows) and "Visit of" not in repr(rows)
    with unchecked():
        assert verify_audit(store.ctx).ok


def test_a_broader_visit_type_includes_the_terms_under_it(store: Store) -> None:
    ctx = store.ctx
    labels = {lang: f"Prison visit ({lang})" for lang in ("en", "fr", "es", "ar", "zh", "ru")}
    term = {
        "vocabulary": "visit_type",
        "code": "prison-visit",
        "parent_code": "detention-visit",
        "labels": labels,
    }
    with unchecked(), ctx.write() as (_session, writer):
        writer.create(VocabularyTerm, term)
    invalidate_cache()
    save_visit(
        ctx, _visit(dt.date(2026, 5, 2), "prison-visit", store.areas["Kibera"], "public", [("torture",)])
    )
    s = situation_summary(ctx, dataclasses.replace(PERIOD, visit_types=("detention-visit",)), lang="fr")
    assert s.filter.visit_type_codes == ("detention-visit", "prison-visit")
    assert [(t.code, t.label, t.depth, t.total, t.direct) for t in s.visits_by_type] == [
        ("detention-visit", "Visite de lieu de détention", 0, 4, 3),
        ("prison-visit", "Prison visit (fr)", 1, 1, 1),
    ]
    narrow = situation_summary(ctx, dataclasses.replace(PERIOD, visit_types=("prison-visit",)))
    assert (narrow.visits, narrow.incidents) == (1, 1)


def _figures(s: SituationSummary) -> tuple[object, ...]:
    """A summary's figures without the ids a store gives its records."""
    return (
        s.visits,
        s.incidents,
        [(t.code, t.depth, t.total, t.direct) for t in s.visits_by_type],
        [(t.code, t.depth, t.total, t.direct) for t in s.incidents_by_violation],
        [
            (r.country, r.name, r.visits, r.incidents, [(a.name, a.visits, a.incidents) for a in r.areas])
            for r in s.regions
        ],
        s.months,
        s.trends,
        s.overdue_count,
        [(o.due_date, o.days_overdue, o.status, o.office) for o in s.overdue],
    )


def test_postgresql_counts_as_sqlite_does(store: Store, pg_url: Callable[[], str]) -> None:
    ctx = open_context(pg_url(), create=True)
    try:
        on_postgres = _fill(ctx)
        for flt in (
            PERIOD,
            dataclasses.replace(PERIOD, max_level="internal", visit_types=("detention-visit",)),
        ):
            assert _figures(situation_summary(on_postgres.ctx, flt)) == _figures(
                situation_summary(store.ctx, flt)
            )
        pg, lite = regional_summary(on_postgres.ctx, PERIOD), regional_summary(store.ctx, PERIOD)
        assert [_figures(o.summary) for o in pg.offices] == [_figures(o.summary) for o in lite.offices]
        assert pg.comparison == lite.comparison
    finally:
        ctx.close()
