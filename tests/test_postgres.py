"""The same store code on a real PostgreSQL server: schema, changes, search, sync."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sync_offices import add_visits, offices, visit

from fieldkit.opening import open_context
from fieldkit.progress import Cancelled, Progress
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.data import export_data, stats
from fieldkit.services.monitoring import delete_visit, get_visit, save_visit
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.office import init_office
from fieldkit.services.search import search_records
from fieldkit.services.visit_list import list_visits, overdue_followups
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet


def test_store_and_search_on_postgres(pg_url: Callable[[], str]) -> None:
    ctx = open_context(pg_url(), create=True)
    try:
        init_office(ctx, "ROEA", "Regional office", "regional-office", "HQ")
        saved = save_visit(ctx, visit("زيارة السجن", "أفاد المحتجزون بالتعذيب. 被拘留者无法会见律师。")).value
        assert get_visit(ctx, saved.id or "") == saved
        assert list_visits(ctx, VisitFilter(text="التعذيب")).total == 1
        assert list_visits(ctx, VisitFilter(text="律师")).total == 1
        assert list_visits(ctx, VisitFilter(text="absent")).total == 0
        assert list_visits(ctx, VisitFilter(violation_type="torture")).total == 1
        assert list_visits(ctx, VisitFilter(violation_type="torture-and-ill-treatment")).total == 1
        assert list_visits(ctx, VisitFilter(violation_type="right-to-life")).total == 0
        assert len(overdue_followups(ctx)) == 1
        delete_visit(ctx, saved.id or "")
        assert stats(ctx)["monitoring_visit"] == {"live": 0, "deleted": 1}
    finally:
        ctx.close()


def test_search_on_postgres_matches_as_on_sqlite(pg_url: Callable[[], str], tmp_path: Path) -> None:
    """Stems, folding, deleted visits and cancelling, on both backends with the same answers."""
    visits = [
        ("Two men detained at İzmir", "الْمُحْتَجَزُونَ في سجن أسوان"),
        ("Наблюдение за демонстрацией", "Les détenus ont été frappés"),
        ("Visita a la cárcel", "探访看守所，被拘留者无法会见律师"),
    ]
    queries = ["detaining", "IZMIR", "DİYARBAKIR", "المحتجزون", "اسوان", "демонстрация", "détenu",
               "cárceles", "律师", "a", "zzqxv", "lawyer " * 3000]  # fmt: skip
    answers = {}
    for backend, url in (("sqlite", str(tmp_path / "store.db")), ("postgresql", pg_url())):
        ctx = open_context(url, create=True)
        try:
            init_office(ctx, "ROEA", "Regional office", "regional-office", "HQ")
            for title, narrative in visits:
                save_visit(ctx, visit(title, narrative))
            gone = save_visit(ctx, visit("Deleted at İzmir", "gone")).value.id or ""
            delete_visit(ctx, gone)
            answers[backend] = [
                list_visits(ctx, VisitFilter(text=q), progress=Progress()).total for q in queries
            ]
            assert list_visits(ctx, VisitFilter(text="izmir", deleted=True)).total == 1
            assert [h.title for h in search_records(ctx, "İzmir")] == ["Two men detained at İzmir"]
            cancelled = Progress()
            cancelled.cancel()
            with pytest.raises(Cancelled):
                list_visits(ctx, VisitFilter(text="prison"), progress=cancelled)
        finally:
            ctx.close()
    assert answers["sqlite"] == [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    assert answers["postgresql"] == answers["sqlite"]


def test_sqlite_field_office_syncs_into_postgres_region(tmp_path: Path, pg_url: Callable[[], str]) -> None:
    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA")) as o:
        region = open_context(pg_url(), create=True)
        try:
            init_office(region, "ROEA", "Regional office", "regional-office", None)
            write_card(region, tmp_path / "roea.json")
            trust_card(o["KE-NBO"], read_card(o["KE-NBO"], tmp_path / "roea.json"))
            trust_card(region, read_card(region, tmp_path / "KE-NBO.card.json"))
            add_visits(o["KE-NBO"], 5)
            packet = export_packet(o["KE-NBO"], "ROEA", tmp_path / "p.fieldkit").paths[0]
            summary = import_packet(region, packet)
            assert summary.new > 0 and summary.held == 0
            assert stats(region)["monitoring_visit"]["live"] == 5
            again = export_packet(o["KE-NBO"], "ROEA", tmp_path / "again.fieldkit", full=True).paths[0]
            assert import_packet(region, again).new == 0
            # both databases export the same synced visits
            export_data(o["KE-NBO"], "jsonl", tmp_path / "a", include_restricted=False)
            export_data(region, "jsonl", tmp_path / "b", include_restricted=False)
            for name in ("monitoring_visit.jsonl", "incident.jsonl", "follow_up.jsonl"):
                assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        finally:
            region.close()


def test_postgres_region_relays_to_sqlite_headquarters(tmp_path: Path, pg_url: Callable[[], str]) -> None:
    with offices(tmp_path, ("HQ", "headquarters", None)) as o:
        region = open_context(pg_url(), create=True)
        try:
            init_office(region, "ROEA", "Regional office", "regional-office", "HQ")
            write_card(region, tmp_path / "roea.json")
            trust_card(o["HQ"], read_card(o["HQ"], tmp_path / "roea.json"))
            trust_card(region, read_card(region, tmp_path / "HQ.card.json"))
            ids = add_visits(region, 3)
            packet = export_packet(region, "HQ", tmp_path / "p.fieldkit").paths[0]
            assert import_packet(o["HQ"], packet).new > 0
            assert get_visit(o["HQ"], ids[0]).origin_office == "ROEA"
        finally:
            region.close()
