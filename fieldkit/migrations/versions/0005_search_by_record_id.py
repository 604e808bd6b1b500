"""index visit ids in the search table, so that refreshing one visit finds its row at once

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fieldkit.search import rebuild_index

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return  # PostgreSQL's table has record_id as its primary key already
    op.execute("DROP TABLE visit_search")
    op.execute(
        "CREATE VIRTUAL TABLE visit_search USING fts5("
        "record_id, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    session = sa.orm.Session(bind=bind)
    rebuild_index(session)
    session.flush()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute("DROP TABLE visit_search")
    op.execute(
        "CREATE VIRTUAL TABLE visit_search USING fts5("
        "record_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    session = sa.orm.Session(bind=bind)
    rebuild_index(session)
    session.flush()
