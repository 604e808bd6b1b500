"""Translators per language: a report in Arabic while the window is in French, from any thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from fieldkit.i18n import _, current_language, is_rtl, ngettext, pgettext, set_language, translator

TITLE = "Give the visit a title"
#: each language's own texts for one message, one plural (n=2) and one message in context
EXPECTED = {
    "ar": ("أدخل عنواناً للزيارة", "2 زيارتان", "موقع الملف"),
    "zh": ("请为访问输入标题", "2 次访问", "存储位置"),
}


def _texts(lang: str) -> tuple[str, str, str]:
    t = translator(lang)
    return (
        t.gettext(TITLE),
        t.ngettext("{count} visit", "{count} visits", 2).format(count=2),
        t.pgettext("where the store file is", "Location"),
    )


@pytest.fixture
def french_window() -> Iterator[None]:
    before = current_language()
    set_language("fr")
    yield
    set_language(before)


def test_a_translator_speaks_its_own_language_whatever_the_window_speaks(french_window: None) -> None:
    assert _texts("ar") == EXPECTED["ar"]
    assert _texts("zh") == EXPECTED["zh"]
    assert _texts("en") == (TITLE, "2 visits", "Location")
    assert _(TITLE) == "Donnez un titre à la visite"
    assert ngettext("{count} visit", "{count} visits", 2).format(count=2) == "2 visites"
    assert pgettext("where the store file is", "Location") == "Emplacement"
    assert current_language() == "fr"


def test_translators_are_shared_and_know_their_direction() -> None:
    assert translator("ar") is translator("ar")
    assert translator("ar").is_rtl and translator("ar").lang == "ar"
    assert not translator("zh").is_rtl
    assert is_rtl("ar") and not is_rtl("en")


def test_two_threads_alternating_languages_each_get_their_own_texts(french_window: None) -> None:
    rounds = 200
    start = threading.Barrier(3)
    wrong: list[tuple[str, tuple[str, str, str]]] = []

    def work(first: str, second: str) -> None:
        start.wait()
        for n in range(rounds):
            lang = first if n % 2 == 0 else second
            texts = _texts(lang)
            if texts != EXPECTED[lang]:
                wrong.append((lang, texts))

    threads = [
        threading.Thread(target=work, args=("ar", "zh")),
        threading.Thread(target=work, args=("zh", "ar")),
    ]
    for thread in threads:
        thread.start()
    start.wait()
    window_texts = [_(TITLE) for _n in range(rounds)]
    for thread in threads:
        thread.join()
    assert wrong == []
    assert set(window_texts) == {"Donnez un titre à la visite"}
    assert current_language() == "fr"
