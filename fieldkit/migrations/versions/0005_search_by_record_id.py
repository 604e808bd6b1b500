"""index visit ids in the search table, so that refreshing one visit finds its row at once

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _recreate(columns: str) -> None:
    """The same rows in a table declared with ``columns`` (FTS5 cannot alter a column)."""
    op.execute("ALTER TABLE visit_search RENAME TO visit_search_old")
    op.execute(
        f"CREATE VIRTUAL TABLE visit_search USING fts5({columns}, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute("INSERT INTO visit_search (record_id, body) SELECT record_id, body FROM visit_search_old")
    op.execute("DROP TABLE visit_search_old")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's table has record_id as its primary key already
    _recreate("record_id, body")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _recreate("record_id UNINDEXED, body")
