"""The one search index: what it holds for each record, and keeping it current.

Each type indexed on its own (a visit, a project, a training event) has one row in
``search_index`` holding its searchable fields and those of the records whose text
belongs to it (a visit's incidents); which fields those are is declared on the models
(``meta(search=True)``, ``RecordSpec.search_into``). Deleted records keep their row, with
the text of the records deleted with them, so that a list of deleted records can be
searched; queries that want live records only say so.

SQLite holds the text in an FTS5 table (``unicode61`` tokenizer); PostgreSQL in a
``tsvector`` with the ``simple`` configuration. What the text is made of is
``fieldkit.search.text``'s business; when that changes, ``INDEX_STAMP`` changes and
every store is indexed again when it is next opened.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import TextClause, bindparam, select, text
from sqlalchemy.orm import Session

from fieldkit.search.text import INDEX_STAMP, document
from fieldkit.store.registry import model_of, registry_cache, search_fields, search_parts, search_roots
from fieldkit.store.system import Setting

#: the setting that names the normaliser the index rows were made with
NORMALISER_SETTING = "search_normaliser"

#: a record's indexed text: its own searchable fields, then those of the records that belong to it
TextParts = Sequence[str | None]


@registry_cache
def _text_sql(root_type: str, postgres: bool) -> TextClause:
    """Read the indexed text of some records of ``root_type``: a deleted record's parts are read
    whether or not they were deleted (deleting a record deletes its parts with it)."""
    root = model_of(root_type).__tablename__
    columns = [f"r.{name}" for name in search_fields(root_type)]
    for n, (part_type, field) in enumerate(search_parts(root_type)):
        table = model_of(part_type).__tablename__
        text_of = " || ' ' || ".join(f"coalesce(p{n}.{f}, '')" for f in search_fields(part_type))
        joined = f"string_agg({text_of}, ' ')" if postgres else f"group_concat({text_of}, ' ')"
        live = f"(NOT p{n}.deleted OR r.deleted)" if postgres else f"(p{n}.deleted = 0 OR r.deleted = 1)"
        columns.append(f"(SELECT {joined} FROM {table} p{n} WHERE p{n}.{field} = r.id AND {live})")
    sql = f"SELECT r.id, {', '.join(columns)} FROM {root} r WHERE r.id IN :ids"
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
    """Refresh the index rows of these records of one indexed type.

    ``new`` records were created in this transaction: there is nothing to delete for them,
    which matters because FTS5 finds rows by an unindexed column only by scanning.
    ``texts`` holds, for new records whose whole text the caller has at hand, their
    searchable fields followed by those of the records belonging to them; the others are
    read back from the store.
    """
    if not ids:
        return
    texts = texts or {}
    new = new if isinstance(new, set | frozenset) else set(new)  # looked up once per id
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
        _insert(session, record_type, [(r[0], document(r[1:])) for r in rows], postgres)


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


def _all_ids(session: Session, record_type: str) -> list[str]:
    table = model_of(record_type).__tablename__
    return [str(i) for i in session.execute(text(f"SELECT id FROM {table}")).scalars()]


def _stamp(session: Session) -> None:
    setting = session.get(Setting, NORMALISER_SETTING)
    if setting is None:
        session.add(Setting(key=NORMALISER_SETTING, value=INDEX_STAMP))
    else:
        setting.value = INDEX_STAMP
    session.flush()


def _empty_index(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("TRUNCATE search_index"))
        return
    # FTS5 deletes a row by reading its words back: the table is made anew as it was declared
    declared = session.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'search_index'")
    ).scalar_one()
    session.execute(text("DROP TABLE search_index"))
    session.execute(text(declared))


def rebuild_index(session: Session) -> int:
    """Reindex every searchable record (after a bulk load or an upgrade)."""
    _empty_index(session)
    total = 0
    for record_type in search_roots():
        ids = _all_ids(session, record_type)
        reindex(session, record_type, ids, new=ids)
        total += len(ids)
    _stamp(session)
    return total


def index_is_outdated(session: Session) -> bool:
    """Whether the index rows were made by another normaliser than this one (or none said which)."""
    made_by = session.execute(select(Setting.value).where(Setting.key == NORMALISER_SETTING)).scalar()
    return made_by != INDEX_STAMP


def pending_search_types(session: Session) -> list[str]:
    """Types whose records are not indexed (yet) as this version indexes them: made searchable
    by an upgrade, or, when the normaliser changed, every type the index holds."""
    pending = [str(t) for t in session.execute(text("SELECT record_type FROM search_pending")).scalars()]
    if index_is_outdated(session):
        indexed = set(session.execute(text("SELECT DISTINCT record_type FROM search_index")).scalars())
        pending += [t for t in search_roots() if t in indexed and t not in pending]
    return pending


def catch_up(session: Session) -> list[str]:
    """Index the pending types (``pending_search_types``) afresh and note that the index is made by
    this normaliser; return the types."""
    pending = pending_search_types(session)
    outdated = index_is_outdated(session)
    if outdated:  # every type it holds is pending
        _empty_index(session)
    for record_type in pending:
        if record_type in search_roots():
            if not outdated:
                session.execute(text("DELETE FROM search_index WHERE record_type = :t"), {"t": record_type})
            ids = _all_ids(session, record_type)
            reindex(session, record_type, ids, new=ids)
        session.execute(text("DELETE FROM search_pending WHERE record_type = :t"), {"t": record_type})
    _stamp(session)
    return pending
