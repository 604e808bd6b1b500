"""What a report may be asked for: the kinds declared once, the user's offices, countries and
levels, the usual periods on awkward days, printing into memory (and stopping it), saving what
was printed, and the audit trail's words for a report shown, printed or saved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from clearance_users import as_user

from fieldkit.access import Principal, Role
from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.i18n import set_language
from fieldkit.progress import Cancelled, Progress
from fieldkit.reports.builders import KINDS, ReportRequest, build_report, print_to_memory, save_pdf
from fieldkit.services.audit import AuditFilter, audit_page, describe
from fieldkit.services.records import create_record
from fieldkit.services.report_choices import PERIODS, REPORT_KINDS, period_of, report_choices
from fieldkit.services.report_data import record_report_generated
from fieldkit.services.report_filter import ReportFilter
from fieldkit.store import audit as chain

PERIOD = ReportFilter(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31))


@pytest.fixture
def office(ctx: Context) -> Context:
    create_record(ctx, "admin_area", {"name": "Kenya", "level": 0, "country_code": "KE"})
    create_record(ctx, "admin_area", {"name": "Uganda", "level": 0, "country_code": "UG"})
    return ctx


def test_every_kind_is_declared_once_and_listed() -> None:
    assert list(KINDS) == list(REPORT_KINDS) == ["situation", "regional", "visit", "briefing"]
    assert [kind for kind, spec in REPORT_KINDS.items() if not spec.needs_period] == ["visit"]
    assert [kind for kind, spec in REPORT_KINDS.items() if spec.needs_country] == ["briefing"]
    assert set(PERIODS) == {"last-month", "last-quarter", "this-year", "last-year", "custom"}


def test_choices_follow_the_user(office: Context) -> None:
    full = report_choices(office)
    assert full.allowed
    assert [(c.code, c.name) for c in full.offices] == [("KE-NBO", "Kenya country office")]
    assert [(c.code, c.name) for c in full.countries] == [("KE", "Kenya"), ("UG", "Uganda")]
    assert full.levels == ("public", "internal", "confidential", "strictly-confidential")

    assert report_choices(as_user(office, "internal")).levels == ("public", "internal")
    office.principal = Principal("viewer", frozenset({Role.READ_ONLY}), "internal")
    denied = report_choices(office)
    assert not denied.allowed and denied.offices == () and denied.levels == ()


@pytest.mark.parametrize(
    ("today", "code", "expected"),
    [
        (dt.date(2026, 1, 15), "last-month", (dt.date(2025, 12, 1), dt.date(2025, 12, 31))),
        (dt.date(2028, 3, 1), "last-month", (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
        (dt.date(2026, 1, 15), "last-quarter", (dt.date(2025, 10, 1), dt.date(2025, 12, 31))),
        (dt.date(2026, 4, 1), "last-quarter", (dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
        (dt.date(2026, 12, 31), "last-quarter", (dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
        (dt.date(2026, 2, 28), "this-year", (dt.date(2026, 1, 1), dt.date(2026, 2, 28))),
        (dt.date(2027, 1, 1), "last-year", (dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
        (dt.date(2027, 1, 1), "custom", None),
    ],
)
def test_the_usual_periods(today: dt.date, code: str, expected: tuple[dt.date, dt.date] | None) -> None:
    assert period_of(code, today) == expected


def test_printing_into_memory_counts_pages_and_can_stop(office: Context, tmp_path: Path) -> None:
    built = build_report(office, ReportRequest("situation", "en", PERIOD))
    heard: list[str] = []
    data, pages = print_to_memory(built, Progress(lambda done, total, label: heard.append(label)))
    assert data.startswith(b"%PDF-") and pages >= 1
    assert heard[-1] == ("Laid out 1 page…" if pages == 1 else f"Laid out {pages} pages…")

    stopped = Progress()
    stopped.cancel()
    with pytest.raises(Cancelled):
        print_to_memory(built, stopped)

    target = save_pdf(data, tmp_path / "summary.pdf")
    assert target.read_bytes() == data
    with pytest.raises(ValidationError, match="is a folder"):
        save_pdf(data, tmp_path)
    missing = tmp_path / "no such folder" / "summary.pdf"
    with pytest.raises(ValidationError, match="its folder is missing"):
        save_pdf(data, missing)
    assert not missing.parent.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("store.db")] == ["summary.pdf"]


def test_the_trail_words_a_report_shown_printed_and_saved(office: Context) -> None:
    set_language("en")
    built = build_report(office, ReportRequest("situation", "en", PERIOD))
    record_report_generated(office, "situation", built.applied, 5, output="preview")
    record_report_generated(office, "situation", built.applied, 2, output="print")
    record_report_generated(office, "regional", built.applied, 1, file_name="regional.pdf")
    record_report_generated(office, "situation", built.applied, None, file_name="tables.xlsx")
    rows = audit_page(office, AuditFilter(action=chain.ACTION_REPORT)).rows
    assert [describe(row) for row in rows] == [
        "Situation summary: saved as tables.xlsx",
        "Regional summary, 1 page: saved as regional.pdf",
        "Situation summary, 2 pages: printed",
        "Situation summary, 5 pages: shown",
    ]
