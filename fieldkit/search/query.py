"""Asking the index: which records match a user's words, and stopping a search on request.

``find`` answers only with records the asking principal may see (``fieldkit.store.clearance``):
a visit's row holds its incidents' text too, so a visit hidden from the user is not found by
a word of its own nor of its incidents.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import ColumnElement, TextClause, and_, column, exists, literal, or_, select, table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fieldkit.access import Principal
from fieldkit.errors import StoreError
from fieldkit.i18n import _
from fieldkit.progress import Cancelled, Progress
from fieldkit.search.text import fts5_query, pg_query
from fieldkit.store.clearance import visibility_conditions
from fieldkit.store.registry import model_of, search_roots

#: SQLite asks whether to stop after this many steps of its virtual machine (well under a millisecond)
_CHECK_EVERY = 10_000
#: PostgreSQL gives up a statement after this long: there, nothing but time stops a search
PG_STATEMENT_TIMEOUT_MS = 10_000


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def search_match(query: str) -> str | None:
    """The MATCH expression for a user's words, limited to the indexed text (not the ids)."""
    expr = fts5_query(query)
    return None if expr is None else f"body : ({expr})"


def _expression(session: Session, query: str) -> str | None:
    return pg_query(query) if _is_postgres(session) else search_match(query)


def _ids_sql(session: Session) -> str:
    where = "tsv @@ to_tsquery('simple', :q)" if _is_postgres(session) else "search_index MATCH :q"
    return f"SELECT record_id FROM search_index WHERE {where} AND record_type = :t"


def matching_ids_sql(session: Session, record_type: str, query: str) -> TextClause | None:
    """``SELECT record_id`` of the records of one type, deleted ones too, whose text matches the
    user's words; None when the words hold nothing to search for."""
    expr = _expression(session, query)
    if expr is None:
        return None
    return text(_ids_sql(session)).bindparams(q=expr, t=record_type)


_HITS_TABLE = "temp.fieldkit_search_hits"


def gather_matching_ids(session: Session, record_type: str, query: str) -> TextClause | None:
    """``matching_ids_sql``, gathered once for the statements that follow in this session (a count
    and a page, say): on SQLite into a temporary table of the connection, since reading the ids of
    many matches back from FTS5 costs more than the match itself."""
    expr = _expression(session, query)
    if expr is None:
        return None
    if _is_postgres(session):
        return text(_ids_sql(session)).bindparams(q=expr, t=record_type)
    session.execute(
        text(f"CREATE TABLE IF NOT EXISTS {_HITS_TABLE} (record_id TEXT PRIMARY KEY) WITHOUT ROWID")
    )
    session.execute(text(f"DELETE FROM {_HITS_TABLE}"))
    session.execute(text(f"INSERT INTO {_HITS_TABLE} {_ids_sql(session)}"), {"q": expr, "t": record_type})
    return text(f"SELECT record_id FROM {_HITS_TABLE}")


_INDEX = table("search_index", column("record_type"), column("record_id"))


def _live(record_types: Iterable[str], principal: Principal) -> ColumnElement[bool]:
    """A condition on a search_index row: its record is not deleted, and ``principal`` may see it."""
    return or_(
        *(
            and_(
                _INDEX.c.record_type == record_type,
                exists(
                    select(literal(1))
                    .select_from(model)
                    .where(
                        model.id == _INDEX.c.record_id,
                        model.deleted.is_(False),
                        *visibility_conditions(model, principal),
                    )
                ),
            )
            for record_type, model in ((t, model_of(t)) for t in record_types)
        )
    )


def find(
    session: Session,
    query: str,
    record_types: Iterable[str] | None = None,
    limit: int = 50,
    *,
    principal: Principal,
) -> list[tuple[str, str]]:
    """(record type, id) of live records of any indexed type matching the user's words that
    ``principal`` may see, best first."""
    expr = _expression(session, query)
    if expr is None:
        return []
    wanted = [t for t in search_roots() if record_types is None or t in record_types]
    if not wanted:
        return []
    if _is_postgres(session):
        match, rank = "tsv @@ to_tsquery('simple', :q)", "ts_rank(tsv, to_tsquery('simple', :q)) DESC"
    else:
        match, rank = "search_index MATCH :q", "rank"
    sql = (
        select(_INDEX.c.record_type, _INDEX.c.record_id)
        .where(text(match), _live(wanted, principal))
        .order_by(text(rank))
        .limit(limit)
    )
    rows = session.execute(sql, {"q": expr}).all()
    return [(str(t), str(i)) for t, i in rows]


@contextmanager
def cancellable(session: Session, progress: Progress | None) -> Iterator[None]:
    """Let ``progress.cancel()`` stop the statements ``session`` runs in this block, which then
    raises ``Cancelled``; the connection is left usable.

    SQLite checks the cancel flag from its progress handler as the statement runs. On
    PostgreSQL a statement stops after ``PG_STATEMENT_TIMEOUT_MS`` and the flag is checked
    between statements.
    """
    if progress is None:
        yield
        return
    progress.check()
    if _is_postgres(session):
        session.execute(text(f"SET LOCAL statement_timeout = {PG_STATEMENT_TIMEOUT_MS}"))
        try:
            yield
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == "57014":  # query_canceled: the timeout
                raise StoreError(_("The search took too long. Try other or fewer words.")) from exc
            raise
        progress.check()
        return
    raw = session.connection().connection.driver_connection
    assert raw is not None
    raw.set_progress_handler(lambda: int(progress.cancelled), _CHECK_EVERY)
    try:
        yield
    except DBAPIError as exc:
        if progress.cancelled:  # SQLite reports an interrupted statement as an error
            raise Cancelled() from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)
