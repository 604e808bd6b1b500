"""Full-text search over every searchable record type, in any script.

Each type indexed on its own (a visit, a project, a training event) has one row in
``search_index`` holding its searchable fields and those of the records whose text
belongs to it (a visit's incidents); which fields those are is declared on the models
(``meta(search=True)``, ``RecordSpec.search_into``).

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

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.orm import Session

from fieldkit.store.registry import model_of, registry_cache, search_fields, search_parts, search_roots

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


#: a record's indexed text: its own searchable fields, then those of the records that belong to it
TextParts = Sequence[str | None]


@registry_cache
def _text_sql(root_type: str, postgres: bool) -> TextClause:
    """Read the indexed text of some records of ``root_type`` (and whether each is deleted)."""
    root = model_of(root_type).__tablename__
    columns = [f"r.{name}" for name in search_fields(root_type)]
    for n, (part_type, field) in enumerate(search_parts(root_type)):
        table = model_of(part_type).__tablename__
        text_of = " || ' ' || ".join(f"coalesce(p{n}.{f}, '')" for f in search_fields(part_type))
        joined = f"string_agg({text_of}, ' ')" if postgres else f"group_concat({text_of}, ' ')"
        live = f"NOT p{n}.deleted" if postgres else f"p{n}.deleted = 0"
        columns.append(f"(SELECT {joined} FROM {table} p{n} WHERE p{n}.{field} = r.id AND {live})")
    sql = f"SELECT r.id, r.deleted, {', '.join(columns)} FROM {root} r WHERE r.id IN :ids"
    return text(sql).bindparams(bindparam("ids", expanding=True))


_DELETE = text("DELETE FROM search_index WHERE record_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
# SQLite: find the rows through the full-text index of record_id (a plain WHERE would scan every row)
_DELETE_FTS = text(
    "DELETE FROM search_index WHERE rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH :q) "
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


def matching_ids_sql(session: Session, record_type: str, query: str) -> TextClause | None:
    """``SELECT record_id`` of the records of one type whose text matches the user's words;
    None when the words hold nothing to search for."""
    postgres = session.get_bind().dialect.name == "postgresql"
    expr = pg_query(query) if postgres else search_match(query)
    if expr is None:
        return None
    where = "tsv @@ to_tsquery('simple', :q)" if postgres else "search_index MATCH :q"
    return text(f"SELECT record_id FROM search_index WHERE {where} AND record_type = :t").bindparams(
        q=expr, t=record_type
    )


_INSERT_SQLITE = "INSERT INTO search_index (record_type, record_id, body) VALUES (?, ?, ?)"
_INSERT_PG = text(
    "INSERT INTO search_index (record_type, record_id, body, tsv) "
    "VALUES (:t, :id, :body, to_tsvector('simple', :body))"
)


def _insert(session: Session, record_type: str, docs: list[tuple[str, str]], postgres: bool) -> None:
    if not docs:
        return
    if postgres:
        session.execute(_INSERT_PG, [{"t": record_type, "id": i, "body": body} for i, body in docs])
    else:  # straight to the driver: SQLAlchemy's per-row parameter handling costs more than FTS5
        session.connection().exec_driver_sql(_INSERT_SQLITE, [(record_type, i, body) for i, body in docs])


def reindex(
    session: Session,
    record_type: str,
    ids: Sequence[str],
    *,
    new: Collection[str] = (),
    texts: Mapping[str, TextParts] | None = None,
) -> None:
    """Refresh the index rows of these records of one indexed type (tombstones leave the index).

    ``new`` records were created in this transaction: there is nothing to delete for them,
    which matters because FTS5 finds rows by an unindexed column only by scanning.
    ``texts`` holds, for new records whose whole text the caller has at hand, their
    searchable fields followed by those of the records belonging to them; the others are
    read back from the store.
    """
    if not ids:
        return
    texts = texts or {}
    postgres = session.get_bind().dialect.name == "postgresql"
    known = [i for i in ids if i in texts and i in new]
    for start in range(0, len(known), 5000):
        _insert(
            session, record_type, [(i, document(texts[i])) for i in known[start : start + 5000]], postgres
        )
    rest = [i for i in ids if not (i in texts and i in new)]
    select_text = _text_sql(record_type, postgres)
    for start in range(0, len(rest), 500):
        chunk = rest[start : start + 500]
        rows = session.execute(select_text, {"ids": chunk}).all()
        stale = [i for i in chunk if i not in new]
        if stale:
            _delete_rows(session, stale, postgres)
        _insert(session, record_type, [(r[0], document(r[2:])) for r in rows if not r[1]], postgres)


def reindex_touched(
    session: Session,
    touched: Mapping[str, Collection[str]],
    *,
    new: Mapping[str, Collection[str]] | None = None,
    texts: Mapping[str, TextParts] | None = None,
) -> None:
    """``reindex`` for every indexed type a transaction touched (``touched[type]`` are ids)."""
    new = new or {}
    for record_type, ids in touched.items():
        if ids:
            reindex(session, record_type, sorted(ids), new=new.get(record_type, ()), texts=texts)


def rebuild_index(session: Session) -> int:
    """Reindex every searchable record (after a bulk load or an upgrade)."""
    session.execute(text("DELETE FROM search_index"))
    total = 0
    for record_type in search_roots():
        table = model_of(record_type).__tablename__
        query = text(f"SELECT id FROM {table} WHERE deleted = :no")
        ids = list(session.execute(query, {"no": False}).scalars())
        reindex(session, record_type, ids)
        total += len(ids)
    return total


def pending_search_types(session: Session) -> list[str]:
    """Types an upgrade made searchable whose records are not indexed yet."""
    return [str(t) for t in session.execute(text("SELECT record_type FROM search_pending")).scalars()]


def catch_up(session: Session) -> list[str]:
    """Index the types an upgrade made searchable (``search_pending``); return them."""
    pending = pending_search_types(session)
    for record_type in pending:
        if record_type in search_roots():
            table = model_of(record_type).__tablename__
            query = text(f"SELECT id FROM {table} WHERE deleted = :no")
            reindex(session, record_type, list(session.execute(query, {"no": False}).scalars()))
        session.execute(text("DELETE FROM search_pending WHERE record_type = :t"), {"t": record_type})
    return pending


def find(
    session: Session, query: str, record_types: Iterable[str] | None = None, limit: int = 50
) -> list[tuple[str, str]]:
    """(record type, id) of live records of any indexed type matching the user's words, best first."""
    postgres = session.get_bind().dialect.name == "postgresql"
    expr = pg_query(query) if postgres else search_match(query)
    if expr is None:
        return []
    wanted = tuple(record_types or search_roots())
    if postgres:
        sql = text(
            "SELECT record_type, record_id FROM search_index WHERE tsv @@ to_tsquery('simple', :q) "
            "AND record_type IN :types ORDER BY ts_rank(tsv, to_tsquery('simple', :q)) DESC LIMIT :n"
        )
    else:
        sql = text(
            "SELECT record_type, record_id FROM search_index WHERE search_index MATCH :q "
            "AND record_type IN :types ORDER BY rank LIMIT :n"
        )
    sql = sql.bindparams(bindparam("types", expanding=True))
    rows = session.execute(sql, {"q": expr, "types": list(wanted), "n": limit}).all()
    return [(str(t), str(i)) for t, i in rows]
