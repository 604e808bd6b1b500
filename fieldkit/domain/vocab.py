"""Controlled vocabularies: coded lists with labels in six languages.

The seeds live in ``resources/vocabularies/*.json`` and load into the store on
open (ids are name-based, so every office holds the same seeded rows); an office
may add its own terms, which sync like any record. Records store codes; labels
are looked up at display time in the interface language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.i18n import _, current_language
from fieldkit.ids import stable_id
from fieldkit.paths import resources_dir
from fieldkit.store.engine import Store
from fieldkit.store.records import VocabularyTerm
from fieldkit.store.system import Setting

SEED_ORIGIN = "*"
#: seeded rows carry a fixed time, so that every store holds byte-identical seeds
SEED_TIME = dt.datetime(2026, 1, 1)
_SEED_KEY = "vocabulary_seed_digest"


@dataclass(frozen=True)
class Term:
    vocabulary: str
    code: str
    parent_code: str | None
    labels: dict[str, str]
    sort_order: int
    active: bool = True

    def label(self, lang: str | None = None) -> str:
        lang = lang or current_language()
        return self.labels.get(lang) or self.labels.get("en") or self.code


@dataclass(frozen=True)
class TermNode:
    """A term placed in its vocabulary's tree: parents before their children, ``depth`` 0 at the roots."""

    term: Term
    depth: int

    @property
    def code(self) -> str:
        return self.term.code

    @property
    def parent_code(self) -> str | None:
        return self.term.parent_code

    def label(self, lang: str | None = None) -> str:
        return self.term.label(lang)


@cache
def seed_files() -> tuple[dict[str, Any], ...]:
    folder = resources_dir() / "vocabularies"
    return tuple(json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json")))


def _seed_digest() -> str:
    blob = json.dumps(seed_files(), sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


def seed_vocabularies(store: Store) -> int:
    """Load or refresh the seeded terms; a no-op when the seed files did not change."""
    digest = _seed_digest()
    with store.read() as session:
        seeded = session.get(Setting, _SEED_KEY)
        if seeded is not None and seeded.value == digest:
            return 0
    now = SEED_TIME
    count = 0
    with store.write() as session:
        existing = {
            t.id: t
            for t in session.execute(
                select(VocabularyTerm).where(VocabularyTerm.origin_office == SEED_ORIGIN)
            ).scalars()
        }
        for vocab in seed_files():
            name, version = vocab["vocabulary"], int(vocab.get("version", 1))
            for order, term in enumerate(vocab["terms"]):
                term_id = stable_id("vocabulary", name, term["code"])
                values = {
                    "vocabulary": name,
                    "code": term["code"],
                    "parent_code": term.get("parent"),
                    "labels": term["labels"],
                    "sort_order": order,
                    "vocab_version": version,
                    "active": bool(term.get("active", True)),
                }
                row = existing.get(term_id)
                if row is None:
                    session.add(
                        VocabularyTerm(
                            id=term_id,
                            origin_office=SEED_ORIGIN,
                            created_at=now,
                            created_by="fieldkit",
                            updated_at=now,
                            updated_by="fieldkit",
                            version=version,
                            deleted=False,
                            **values,
                        )
                    )
                    count += 1
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.version = version
        setting = session.get(Setting, _SEED_KEY)
        if setting is None:
            session.add(Setting(key=_SEED_KEY, value=digest))
        else:
            setting.value = digest
    invalidate_cache()
    return count


class Vocabularies:
    """All terms in memory: small (hundreds of rows), read on every form and list."""

    def __init__(self, terms: list[Term]) -> None:
        self._by_vocab: dict[str, list[Term]] = {}
        self._index: dict[tuple[str, str], Term] = {}
        for term in sorted(terms, key=lambda t: (t.vocabulary, t.sort_order, t.code)):
            self._by_vocab.setdefault(term.vocabulary, []).append(term)
            self._index[(term.vocabulary, term.code)] = term

    def names(self) -> list[str]:
        return sorted(self._by_vocab)

    def terms(self, vocabulary: str, *, include_inactive: bool = False) -> list[Term]:
        return [t for t in self._by_vocab.get(vocabulary, []) if include_inactive or t.active]

    def tree(self, vocabulary: str, *, include_inactive: bool = False) -> list[TermNode]:
        """The terms depth first, each parent followed by its children in their sort order.

        A term whose parent is unknown (or inactive and left out) stands at the root, so
        that no term is lost from a picker.
        """
        terms = self.terms(vocabulary, include_inactive=include_inactive)
        present = {t.code for t in terms}
        children: dict[str | None, list[Term]] = {}
        for term in terms:
            parent = term.parent_code
            if parent not in present or parent == term.code:
                parent = None
            children.setdefault(parent, []).append(term)
        nodes: list[TermNode] = []
        placed: set[str] = set()
        stack: list[tuple[Term, int]] = [(t, 0) for t in reversed(children.get(None, []))]
        while stack:
            term, depth = stack.pop()
            if term.code in placed:
                continue
            placed.add(term.code)
            nodes.append(TermNode(term, depth))
            stack.extend((child, depth + 1) for child in reversed(children.get(term.code, [])))
        # a parent cycle has no root: show its terms flat rather than drop them
        nodes.extend(TermNode(t, 0) for t in terms if t.code not in placed)
        return nodes

    def descendants(self, vocabulary: str, code: str) -> set[str]:
        """``code`` and every term below it, inactive ones included (old records carry them)."""
        children: dict[str, list[str]] = {}
        for term in self._by_vocab.get(vocabulary, []):
            if term.parent_code:
                children.setdefault(term.parent_code, []).append(term.code)
        found = {code}
        pending = [code]
        while pending:
            for child in children.get(pending.pop(), []):
                if child not in found:
                    found.add(child)
                    pending.append(child)
        return found

    def is_hierarchical(self, vocabulary: str) -> bool:
        return any(t.parent_code for t in self._by_vocab.get(vocabulary, []))

    def codes(self, vocabulary: str) -> set[str]:
        return {t.code for t in self._by_vocab.get(vocabulary, [])}

    def has(self, vocabulary: str, code: str) -> bool:
        return (vocabulary, code) in self._index

    def label(self, vocabulary: str, code: str | None, lang: str | None = None) -> str:
        if not code:
            return ""
        term = self._index.get((vocabulary, code))
        return term.label(lang) if term else code

    def check(self, vocabulary: str, code: str | None, field: str) -> str | None:
        """A message if ``code`` is not in ``vocabulary`` (None and "" pass)."""
        if code and not self.has(vocabulary, code):
            return _("Unknown code '{code}' for {field}").format(code=code, field=field)
        return None


_cache_lock = threading.Lock()
_cache: dict[str, Vocabularies] = {}


def invalidate_cache() -> None:
    with _cache_lock:
        _cache.clear()


@requires(Permission.VIEW_RECORDS)
def vocabularies(ctx: Context) -> Vocabularies:
    with _cache_lock:
        cached = _cache.get(ctx.store.url)
    if cached is not None:
        return cached
    with ctx.store.read() as session:
        rows = session.execute(select(VocabularyTerm).where(VocabularyTerm.deleted.is_(False))).scalars()
        vocab = Vocabularies(
            [Term(r.vocabulary, r.code, r.parent_code, dict(r.labels), r.sort_order, r.active) for r in rows]
        )
    with _cache_lock:
        _cache[ctx.store.url] = vocab
    return vocab
