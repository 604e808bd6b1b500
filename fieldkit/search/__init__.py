"""Full-text search over every searchable record type, in any script.

``text``: how documents and queries are normalised, stemmed and bounded (one normaliser for
both sides); ``index``: the one index and keeping it current; ``query``: asking it, and
stopping a search that runs.
"""

from fieldkit.search.index import (
    catch_up,
    index_is_outdated,
    pending_search_types,
    rebuild_index,
    reindex,
    reindex_touched,
)
from fieldkit.search.query import cancellable, find, gather_matching_ids, matching_ids_sql, search_match
from fieldkit.search.text import (
    INDEX_STAMP,
    MAX_QUERY_CHARS,
    MAX_TERM_CHARS,
    MAX_TERMS,
    NORMALISER_VERSION,
    document,
    fts5_query,
    normalise,
    pg_query,
    query_terms,
    stems,
)

__all__ = [
    "INDEX_STAMP",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "MAX_TERM_CHARS",
    "NORMALISER_VERSION",
    "cancellable",
    "catch_up",
    "document",
    "find",
    "fts5_query",
    "gather_matching_ids",
    "index_is_outdated",
    "matching_ids_sql",
    "normalise",
    "pending_search_types",
    "pg_query",
    "query_terms",
    "rebuild_index",
    "reindex",
    "reindex_touched",
    "search_match",
    "stems",
]
