"""index visit ids in the search table, so that refreshing one visit finds its row at once

Revision ID: 0005
Revises: 0004

SQLite only (PostgreSQL's table has record_id as its primary key already). FTS5 cannot
change a column's options in place, so the table is made anew and its rows copied across
as they are: the indexed words do not change, only whether record_id is indexed. (Rows
written before 0005 may space CJK characters two apart rather than one; the tokenizer
reads the same words either way.)
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"


def _remake(record_id_column: str) -> None:
    op.execute("ALTER TABLE visit_search RENAME TO visit_search_before")
    op.execute(f"CREATE VIRTUAL TABLE visit_search USING fts5({record_id_column}, body, {_TOKENIZE})")
    op.execute("INSERT INTO visit_search (record_id, body) SELECT record_id, body FROM visit_search_before")
    op.execute("DROP TABLE visit_search_before")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _remake("record_id")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _remake("record_id UNINDEXED")
