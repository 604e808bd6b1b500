"""Full-text search over monitoring visits that works in any script.

SQLite's FTS5 ``unicode61`` tokenizer splits on spaces and punctuation, which
suits Latin, Cyrillic and Arabic but treats a run of Chinese characters as one
token. So the indexed text is normalised first: case-folded, Arabic diacritics
and tatweel removed, and every CJK character made a token of its own; a query
is normalised the same way and a CJK word becomes a phrase of its characters.
PostgreSQL gets the same text in a ``tsvector`` with the ``simple`` configuration.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_CJK = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # hangul
)
_CJK_CHAR = re.compile(f"([{_CJK}])")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_ARABIC_WORD = re.compile("[\u0621-\u064a]{4,}")
# Arabic writes conjunctions, prepositions and the article onto the word ("bi-al-taʿdhib",
# "with the torture"): index the bare forms too, so that searching the word finds them.
_PROCLITICS = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ف", "ل", "ك")
_PROCLITICS_BY_LETTER: dict[str, tuple[str, ...]] = {
    letter: tuple(p for p in _PROCLITICS if p[0] == letter) for letter in {p[0] for p in _PROCLITICS}
}


def _spaced(run: re.Match[str]) -> str:
    return " " + " ".join(run.group()) + " "


def normalise(value: str) -> str:
    """Text as the index stores it: folded, unmarked, CJK characters spaced apart."""
    if value.isascii():
        return value.lower()
    value = unicodedata.normalize("NFKC", value).casefold()
    value = _ARABIC_MARKS.sub("", value)
    return _CJK_RUN.sub(_spaced, value)


def fts5_query(query: str) -> str | None:
    """A safe FTS5 MATCH expression: every word must appear; Latin words match as prefixes."""
    parts = []
    for word in _TOKEN.findall(unicodedata.normalize("NFKC", query).casefold()):
        word = _ARABIC_MARKS.sub("", word)
        tokens = normalise(word).split()
        if not tokens:
            continue
        phrase = " ".join(tokens)
        if _CJK_CHAR.search(word):
            parts.append(f'"{phrase}"')
        else:
            parts.append(f'"{phrase}"*')
    return " ".join(parts) or None


def pg_query(query: str) -> str | None:
    """The same query for PostgreSQL ``to_tsquery('simple', ...)``."""
    parts = []
    for word in _TOKEN.findall(unicodedata.normalize("NFKC", query).casefold()):
        tokens = normalise(_ARABIC_MARKS.sub("", word)).split()
        if not tokens:
            continue
        if _CJK_CHAR.search(word):
            parts.append("(" + " <-> ".join(tokens) + ")")
        else:
            parts.append(f"{tokens[0]}:*" if len(tokens) == 1 else " <-> ".join(tokens))
    return " & ".join(parts) or None


def _arabic_variants(text: str) -> str:
    extra: list[str] = []
    if text.isascii():
        return ""
    for word in _ARABIC_WORD.findall(text):
        for prefix in _PROCLITICS_BY_LETTER.get(word[0], ()):
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                stem = word[len(prefix) :]
                extra.append(stem)
                if not stem.startswith("ال"):
                    extra.append("ال" + stem)
    return " ".join(extra)


def document(fields: Iterable[str | None]) -> str:
    """The indexed text of a record: its fields, normalised, plus bare Arabic word forms."""
    body = normalise("\n".join(f for f in fields if f))
    variants = _arabic_variants(body)
    return f"{body}\n{variants}" if variants else body


#: a visit's searchable fields; the summaries of its incidents follow them
VISIT_TEXT_FIELDS = ("title", "location_text", "institutions", "counterparts", "team", "narrative")
_VISIT_TEXT = f"""
SELECT v.id, v.deleted, {", ".join("v." + name for name in VISIT_TEXT_FIELDS)},
       (SELECT group_concat(i.summary, ' ') FROM incident i WHERE i.visit_id = v.id AND i.deleted = 0)
FROM monitoring_visit v WHERE v.id IN :ids
"""
_VISIT_TEXT_PG = _VISIT_TEXT.replace("group_concat(i.summary, ' ')", "string_agg(i.summary, ' ')").replace(
    "i.deleted = 0", "NOT i.deleted"
)


_DELETE = text("DELETE FROM visit_search WHERE record_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
# SQLite: find the rows through the full-text index of record_id (a plain WHERE would scan every row)
_DELETE_FTS = text(
    "DELETE FROM visit_search WHERE rowid IN (SELECT rowid FROM visit_search WHERE visit_search MATCH :q) "
    "AND record_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def _delete_rows(session: Session, ids: Sequence[str], postgres: bool) -> None:
    if postgres:
        session.execute(_DELETE, {"ids": list(ids)})
        return
    for start in range(0, len(ids), 100):
        chunk = list(ids[start : start + 100])
        query = "record_id : (" + " OR ".join(f'"{i}"' for i in chunk) + ")"
        session.execute(_DELETE_FTS, {"q": query, "ids": chunk})


def search_match(query: str) -> str | None:
    """The MATCH expression for a user's words, limited to the indexed text (not the ids)."""
    expr = fts5_query(query)
    return None if expr is None else f"body : ({expr})"


_INSERT_SQLITE = "INSERT INTO visit_search (record_id, body) VALUES (?, ?)"


def reindex_visits(
    session: Session,
    visit_ids: Sequence[str],
    *,
    new: Collection[str] = (),
    texts: Mapping[str, Sequence[str | None]] | None = None,
) -> None:
    """Refresh the index rows of these visits (tombstoned visits leave the index).

    ``new`` visits were created in this transaction: there is nothing to delete for them,
    which matters because FTS5 finds rows by an unindexed column only by scanning.
    ``texts`` holds, for new visits whose whole text the caller has at hand, the
    ``VISIT_TEXT_FIELDS`` values followed by incident summaries; the others are read back.
    """
    if not visit_ids:
        return
    texts = texts or {}
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = text(
        "INSERT INTO visit_search (record_id, body, tsv) VALUES (:id, :body, to_tsvector('simple', :body))"
        if postgres
        else "INSERT INTO visit_search (record_id, body) VALUES (:id, :body)"
    )
    known = [i for i in visit_ids if i in texts and i in new]
    for start in range(0, len(known), 5000):
        pairs = [(i, document(texts[i])) for i in known[start : start + 5000]]
        if postgres:
            session.execute(insert, [{"id": i, "body": body} for i, body in pairs])
        else:  # straight to the driver: SQLAlchemy's per-row parameter handling costs more than FTS5
            session.connection().exec_driver_sql(_INSERT_SQLITE, pairs)
    select_sql = text(_VISIT_TEXT_PG if postgres else _VISIT_TEXT).bindparams(
        bindparam("ids", expanding=True)
    )
    rest = [i for i in visit_ids if not (i in texts and i in new)]
    for start in range(0, len(rest), 500):
        chunk = rest[start : start + 500]
        rows = session.execute(select_sql, {"ids": chunk}).all()
        stale = [i for i in chunk if i not in new]
        if stale:
            _delete_rows(session, stale, postgres)
        docs = [{"id": r[0], "body": document(r[2:])} for r in rows if not r[1]]
        if docs:
            session.execute(insert, docs)


def rebuild_index(session: Session) -> int:
    """Reindex every visit (after a bulk load or an upgrade)."""
    session.execute(text("DELETE FROM visit_search"))
    ids = list(
        session.execute(text("SELECT id FROM monitoring_visit WHERE deleted = :no"), {"no": False}).scalars()
    )
    reindex_visits(session, ids)
    return len(ids)
