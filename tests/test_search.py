"""Search as a field officer types it: inflected words, marks, alef forms, Turkish capitals, pasted
pages, deleted visits, cancelling, and stores indexed by an older normaliser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.progress import Cancelled, Progress
from fieldkit.search import (
    INDEX_STAMP,
    MAX_TERM_CHARS,
    MAX_TERMS,
    document,
    fts5_query,
    normalise,
    pending_search_types,
    pg_query,
    query_terms,
)
from fieldkit.search import query as search_query
from fieldkit.services.monitoring import delete_visit, save_visit
from fieldkit.services.monitoring_types import IncidentData, VisitData, VisitFilter
from fieldkit.services.search import search_records
from fieldkit.services.visit_list import list_visits


def _visit(title: str, narrative: str = "", incident: str = "") -> VisitData:
    return VisitData(
        title=title,
        visit_type="detention-visit",
        date_start=dt.date(2026, 3, 2),
        narrative=narrative,
        incidents=(IncidentData(summary=incident, violation_types=("torture",)),),
    )


def _titles(ctx: Context, words: str, *, deleted: bool = False) -> list[str]:
    page = list_visits(ctx, VisitFilter(text=words, deleted=deleted), sort="title", descending=False)
    return [row.title for row in page.rows]


# -- normalising: the same on both sides ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("الْمُحْتَجَزِينَ", "المحتجزين"),  # harakat go before words are split
        ("بـــالتعذيب", "بالتعذيب"),  # tatweel too
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),  # alef forms, ta marbuta
        ("مستشفى", "مستشفي"),  # alef maksura
        ("İzmir İSTANBUL DİYARBAKIR Diyarbakır", "izmir istanbul diyarbakir diyarbakir"),
        ("ЁЛКА Демонстрации", "елка демонстрации"),
        ("Détenus FRAPPÉS à Göteborg, ñandú", "detenus frappes a goteborg, nandu"),
        ("ｆｕｌｌ－ｗｉｄｔｈ", "full-width"),  # NFKC
    ],
)
def test_normalise_folds_what_people_type_differently(typed: str, stored: str) -> None:
    assert normalise(typed) == stored


def test_chinese_characters_are_tokens_and_a_chinese_word_a_phrase() -> None:
    assert normalise("会见律师。").split() == ["会", "见", "律", "师", "。"]
    assert fts5_query("律师 人权") == '"律 师" AND "人 权"'
    assert fts5_query("律师人权") == '"律 师 人 权"'
    assert pg_query("律师") == "(律 <-> 师)"


def test_a_marked_arabic_word_stays_one_word_in_the_query() -> None:
    assert fts5_query("الْمُحْتَجَزِينَ") == fts5_query("المحتجزين") == '("المحتجزين"* OR "محتجز")'
    assert fts5_query("İzmir") == fts5_query("IZMIR") == fts5_query("izmir") == '"izmir"*'


def test_a_document_holds_its_words_then_their_other_forms_in_order() -> None:
    assert document(["Prisons and detainees", "المحتجزين بالتعذيب"]) == (
        "prisons and detainees\nالمحتجزين بالتعذيب\nprison detaine detain محتجزين محتجز تعذيب التعذيب"
    )


def test_query_terms_are_bounded() -> None:
    pasted = " ".join(f"word{n}" for n in range(3000))
    assert len(pasted) > 10_000
    terms = query_terms(pasted)
    assert [t.tokens[0] for t in terms] == [f"word{n}" for n in range(MAX_TERMS)]
    long_word = "x" * 5000
    assert query_terms(long_word)[0].tokens == ("x" * MAX_TERM_CHARS,)
    chinese = "律" * 5000
    assert len(query_terms(chinese)[0].tokens) == MAX_TERM_CHARS
    assert len(query_terms("the the the prison prison")) == 2  # each word once
    assert fts5_query("!!! ... ???") is None and pg_query("«»") is None


# -- matching inflected forms through the services, on a real store ------------------------------


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Visit to the central prison", "prisons"),
        ("Lawyers were refused", "lawyer"),
        ("Two men detained overnight", "detaining"),
        ("Visite de la prison: les détenus parlent", "détenu"),
        ("Les prisonniers ont été frappés", "prisonnier"),
        ("Visita a la cárcel de mujeres", "cárceles"),
        ("Entrevista con las detenidas", "detenida"),
        ("Наблюдение за демонстрацией в центре", "демонстрация"),
        ("Задержаны участники демонстрации", "демонстрацию"),
        ("زيارة السجون المركزية", "السجون"),
        ("أفاد المحتجزون بالتعذيب", "محتجز"),
        ("أفاد المحتجزون بالتعذيب", "التعذيب"),
        ("أفاد المحتجزون بالتعذيب", "الْمُحْتَجَزُونَ"),
        ("زيارة إلى سجن أسوان", "اسوان"),
        ("Visit to İzmir and İstanbul", "İzmir"),
        ("Visit to İzmir and İstanbul", "izmir"),
        ("Visit to İzmir and İstanbul", "IZMIR istanbul"),
        ("DİYARBAKIR E-type prison", "DİYARBAKIR"),
        ("DİYARBAKIR E-type prison", "diyarbakir"),
        ("探访看守所，被拘留者无法会见律师", "律师"),
        ("探访看守所，被拘留者无法会见律师", "看守"),
        ("Overcrowding in block C", "overcrow"),  # prefixes still match
    ],
)
def test_a_word_finds_its_inflected_forms(ctx: Context, stored: str, typed: str) -> None:
    save_visit(ctx, _visit(stored))
    save_visit(ctx, _visit("Unrelated visit", "Nothing of interest"))
    assert _titles(ctx, typed) == [stored]


@pytest.mark.parametrize("typed", ["prisoner cells", "демонстрант", "律所", "İzmit", "lawless"])
def test_no_match_stays_no_match(ctx: Context, typed: str) -> None:
    save_visit(ctx, _visit("Visit to the central prison", "Lawyers met İzmir officials"))
    save_visit(ctx, _visit("Наблюдение за демонстрацией", "探访看守所，被拘留者无法会见律师"))
    assert _titles(ctx, typed) == []


def test_search_records_finds_stems_and_leaves_deleted_records_out(ctx: Context) -> None:
    kept = save_visit(ctx, _visit("Prisons of the north")).value.id
    gone = save_visit(ctx, _visit("Prison of the south")).value.id or ""
    delete_visit(ctx, gone)
    assert [h.record_id for h in search_records(ctx, "prison")] == [kept]
    assert [h.record_id for h in search_records(ctx, "prison", ("monitoring_visit",))] == [kept]


def test_a_pasted_page_is_searched_by_its_first_words(ctx: Context) -> None:
    save_visit(ctx, _visit("Kamiti prison", "Overcrowding and beatings reported by detainees"))
    page = "Kamiti overcrowding " + "lorem ipsum dolor sit amet " * 400
    assert len(page) > 10_000
    assert _titles(ctx, page) == []  # "lorem" is among its first words and is not in the visit
    assert _titles(ctx, "Kamiti overcrowding beatings " + "detainees " * 2000) == ["Kamiti prison"]


# -- deleted visits ------------------------------------------------------------------------------


def test_search_finds_deleted_visits_when_they_are_shown(ctx: Context) -> None:
    kept = save_visit(ctx, _visit("Kept visit", "Overcrowding in block C")).value
    gone = save_visit(ctx, _visit("Deleted visit", "Overcrowding in block D", incident="Beatings")).value
    delete_visit(ctx, gone.id or "")
    assert _titles(ctx, "overcrowding") == [kept.title]
    assert _titles(ctx, "overcrowding", deleted=True) == [gone.title]
    # the text of what was deleted with the visit is searched too
    assert _titles(ctx, "beating", deleted=True) == [gone.title]
    assert _titles(ctx, "beating") == []


# -- cancelling ----------------------------------------------------------------------------------


class _CancelWhenAsked(Progress):
    """Cancelled from the moment the running statement first asks (the progress handler)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    @property
    def cancelled(self) -> bool:
        self.asked += 1
        return True


def test_a_running_search_is_cancelled_and_the_store_stays_usable(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        save_visit(ctx, _visit(f"Prison visit {n}", "Overcrowding in block C"))
    monkeypatch.setattr(search_query, "_CHECK_EVERY", 1)  # ask at every step, so at the first one
    progress = _CancelWhenAsked()
    with pytest.raises(Cancelled):
        list_visits(ctx, VisitFilter(text="prison overcrowding"), progress=progress)
    assert progress.asked >= 1  # it stopped while SQLite ran the statement
    with pytest.raises(Cancelled):
        search_records(ctx, "prison", progress=_CancelWhenAsked())
    # the same connection runs the next search, and writes go on
    assert list_visits(ctx, VisitFilter(text="prison overcrowding"), progress=Progress()).total == 5
    save_visit(ctx, _visit("After the cancel"))
    assert _titles(ctx, "after") == ["After the cancel"]


def test_a_search_cancelled_before_it_starts_runs_nothing(ctx: Context) -> None:
    save_visit(ctx, _visit("Prison visit"))
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        list_visits(ctx, VisitFilter(text="prison"), progress=progress)
    assert list_visits(ctx, VisitFilter(text="prison"), progress=Progress()).total == 1


# -- stores indexed by an older normaliser --------------------------------------------------------


def test_an_index_made_by_another_normaliser_is_made_again_at_opening(ctx: Context, store_path: Path) -> None:
    saved = save_visit(ctx, _visit("Two men detained at İzmir", "الْمُحْتَجَزُونَ")).value
    assert _titles(ctx, "detaining") == [saved.title]
    with unchecked(), ctx.store.write() as s:
        # what an older version stored: no stems, Turkish capitals and Arabic marks as they were
        s.execute(
            text("UPDATE search_index SET body = :old WHERE record_id = :id"),
            {"old": "two men detained at i̇zmir\nالْمُحْتَجَزُونَ", "id": saved.id},
        )
        s.execute(text("UPDATE setting SET value = '1' WHERE key = 'search_normaliser'"))
        assert pending_search_types(s) == ["monitoring_visit"]
    assert _titles(ctx, "detaining") == []
    ctx.close()

    reopened = open_context(store_path)
    try:
        assert _titles(reopened, "detaining") == [saved.title]
        assert _titles(reopened, "İzmir") == [saved.title]
        assert _titles(reopened, "المحتجزون") == [saved.title]
        with unchecked(), reopened.store.read() as s:
            assert pending_search_types(s) == []
            stamp = s.execute(text("SELECT value FROM setting WHERE key = 'search_normaliser'")).scalar()
        assert stamp == INDEX_STAMP
    finally:
        reopened.close()
