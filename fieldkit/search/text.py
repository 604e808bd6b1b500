"""What the index stores and what a query asks for: the same normalisation on both sides.

``normalise`` folds text the way a field officer expects to type it: case (Turkish dotted
and dotless i included), Latin accents, Arabic diacritics and tatweel (removed before words
are split, so that a marked word stays one word), the forms of alef, alef maksura and ta
marbuta, and Russian ё; every CJK character becomes a token of its own.

Since a document's language is not known, each word is also stemmed (Snowball) in the
languages its script is written in: English, French and Spanish for Latin letters, Russian
for Cyrillic, Arabic for Arabic. The stems follow the words in the indexed text; a query word
matches a word it begins, or a stem of its own.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version as _package_version
from typing import Any

import snowballstemmer

#: changes whenever the indexed text of the same record would change: stores indexed by an
#: older normaliser are indexed again when they are opened (``fieldkit.search.index.catch_up``)
NORMALISER_VERSION = "2"
#: what made the index rows, as a store notes it: another release of the stemmers may stem
#: some words differently (and uses PyStemmer's compiled stemmers when that is installed)
INDEX_STAMP = (
    f"{NORMALISER_VERSION}; snowballstemmer {_package_version('snowballstemmer')}"
    f"{'; PyStemmer' if snowballstemmer.stemmer.__module__ == 'Stemmer' else ''}"
)

#: a query is cut to this many characters, words and characters a word before it is searched:
#: a pasted page must not become thousands of conditions
MAX_QUERY_CHARS = 1000
MAX_TERMS = 16
MAX_TERM_CHARS = 64

# Arabic harakat, Quranic marks and tatweel; combining marks left on Latin letters after NFKC,
# such as the dot that case folding puts on Turkish "İ"
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u0300-\u036f"
_CJK = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # hangul
)
_CJK_RUN = re.compile(f"[{_CJK}]+")
_TOKEN = re.compile(r"\w+")
# after ``normalise`` the characters of one CJK run are one space apart, runs at least three
_QUERY_TERM = re.compile(f"(?P<cjk>[{_CJK}](?: [{_CJK}])*)|(?P<word>\\w+)")
_ARABIC_WORD = re.compile("[\u0621-\u064a]{4,}")
# Arabic writes conjunctions, prepositions and the article onto the word ("bi-al-taʿdhib",
# "with the torture"): index the bare forms too, so that searching the word finds them.
_PROCLITICS = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ف", "ل", "ك")
_PROCLITICS_BY_LETTER: dict[str, tuple[str, ...]] = {
    letter: tuple(p for p in _PROCLITICS if p[0] == letter) for letter in {p[0] for p in _PROCLITICS}
}


def _letter_folds() -> dict[str, str]:
    folds = {
        # hamza on or under alef, madda, wasla: people type the bare alef
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        # final ya without dots and ta marbuta are often typed as ya and ha
        "ى": "ي", "ة": "ه",
        # Persian keyboards type these for the Arabic ya and kaf
        "ی": "ي", "ک": "ك",
        "ё": "е",
        "ı": "i",  # Turkish dotless i: "DİYARBAKIR" is typed in capitals as often as not
    }  # fmt: skip
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:  # Latin letters with diacritics
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        if base != char and base.isascii():
            folds[char] = base
    return folds


_FOLDS = _letter_folds()
# a pattern, not str.translate: most text has few such letters, and translate looks up every one
_FOLDABLE = re.compile("[" + _MARKS + "".join(sorted(_FOLDS)) + "]")


def _fold(letter: re.Match[str]) -> str:
    return _FOLDS.get(letter.group(), "")  # a mark goes


def _spaced(run: re.Match[str]) -> str:
    return " " + " ".join(run.group()) + " "


def normalise(value: str) -> str:
    """Text as the index stores it, and as a query is read: folded, unmarked, CJK spaced apart."""
    if value.isascii():
        return value.lower()
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    value = _FOLDABLE.sub(_fold, value.casefold())
    return _CJK_RUN.sub(_spaced, value)


_STEMMERS_BY_SCRIPT = {
    "latin": ("english", "french", "spanish"),
    "cyrillic": ("russian",),
    "arabic": ("arabic",),
}
_SCRIPTS = (
    ("latin", re.compile("[a-z]+")),
    ("cyrillic", re.compile("[\u0430-\u044f]+")),
    ("arabic", re.compile("[\u0621-\u064a]+")),
)
_stemmers: dict[str, Any] = {}
_stem_lock = threading.Lock()  # a Snowball stemmer keeps the word it works on: one thread at a time


@functools.lru_cache(maxsize=200_000)
def stems(token: str) -> tuple[str, ...]:
    """The stems of a normalised word that differ from it, in each language its script may be."""
    if len(token) < 3:
        return ()
    script = next((name for name, letters in _SCRIPTS if letters.fullmatch(token)), None)
    if script is None:
        return ()
    found: list[str] = []
    with _stem_lock:
        for language in _STEMMERS_BY_SCRIPT[script]:
            stemmer = _stemmers.get(language)
            if stemmer is None:
                stemmer = _stemmers[language] = snowballstemmer.stemmer(language)
            stem = normalise(stemmer.stemWord(token))
            if stem != token and len(stem) >= 2 and stem not in found:
                found.append(stem)
    return tuple(found)


def _bare_arabic(word: str) -> list[str]:
    forms: list[str] = []
    for prefix in _PROCLITICS_BY_LETTER.get(word[0], ()):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            bare = word[len(prefix) :]
            forms.append(bare)
            if not bare.startswith("ال"):
                forms.append("ال" + bare)
    return forms


@functools.lru_cache(maxsize=200_000)
def _indexed_forms(word: str) -> tuple[str, ...]:
    """What the index holds for a word besides itself: its bare Arabic forms and its stems."""
    if _ARABIC_WORD.fullmatch(word):
        return (*_bare_arabic(word), *stems(word))
    return stems(word)


def document(fields: Iterable[str | None]) -> str:
    """The indexed text of a record: its fields, normalised, then the bare Arabic forms and the
    stems of its words (each once)."""
    body = normalise("\n".join(f for f in fields if f))
    words = dict.fromkeys(_TOKEN.findall(body))  # in order, so that the same text gives the same row
    extra: dict[str, None] = {}
    for word in words:
        for form in _indexed_forms(word):
            if form not in words:
                extra[form] = None
    return f"{body}\n{' '.join(extra)}" if extra else body


@dataclass(frozen=True)
class Term:
    """One word of a query: it matches a word it begins, or one of its stems exactly; a CJK
    word is ``phrase``, its characters in a row."""

    tokens: tuple[str, ...]
    stems: tuple[str, ...] = ()
    phrase: bool = False


def query_terms(query: str) -> list[Term]:
    """The words of a user's query, bounded: the first ``MAX_TERMS`` distinct ones of its first
    ``MAX_QUERY_CHARS`` characters, each cut to ``MAX_TERM_CHARS``."""
    if len(query) > MAX_QUERY_CHARS:
        cut = query[:MAX_QUERY_CHARS]
        head = cut.rsplit(maxsplit=1)
        # not half a word: it would look for a word that was not typed
        in_a_word = not cut[-1].isspace() and not query[MAX_QUERY_CHARS].isspace()
        query = head[0] if in_a_word and len(head) == 2 else cut
    terms: list[Term] = []
    for match in _QUERY_TERM.finditer(normalise(query)):
        if match.group("cjk"):
            term = Term(tuple(match.group("cjk").split(" ")[:MAX_TERM_CHARS]), phrase=True)
        else:
            word = match.group("word")[:MAX_TERM_CHARS]
            term = Term((word,), stems(word))
        if term not in terms:
            terms.append(term)
            if len(terms) == MAX_TERMS:
                break
    return terms


def _prefix(term: Term) -> bool:
    # a single letter would begin thousands of words: FTS5 would merge them all
    return len(term.tokens[0]) > 1


def fts5_query(query: str) -> str | None:
    """A safe FTS5 MATCH expression: every word must appear (as a prefix, or by its stem); a single
    letter must be a word of its own."""
    parts = []
    for term in query_terms(query):
        if term.phrase:
            parts.append('"' + " ".join(term.tokens) + '"')
            continue
        word = f'"{term.tokens[0]}"' + ("*" if _prefix(term) else "")
        if term.stems:
            parts.append("(" + " OR ".join([word, *(f'"{s}"' for s in term.stems)]) + ")")
        else:
            parts.append(word)
    return " AND ".join(parts) or None


def pg_query(query: str) -> str | None:
    """The same query for PostgreSQL ``to_tsquery('simple', ...)``."""
    parts = []
    for term in query_terms(query):
        if term.phrase:
            parts.append("(" + " <-> ".join(term.tokens) + ")")
            continue
        word = term.tokens[0] + (":*" if _prefix(term) else "")
        parts.append("(" + " | ".join([word, *term.stems]) + ")" if term.stems else word)
    return " & ".join(parts) or None
