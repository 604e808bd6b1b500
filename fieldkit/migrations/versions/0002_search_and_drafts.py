"""full-text search over visits, autosaved drafts

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE visit_search USING fts5("
            "record_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE TABLE visit_search (record_id VARCHAR(36) PRIMARY KEY, body TEXT NOT NULL, tsv TSVECTOR)"
        )
        op.execute("CREATE INDEX ix_visit_search_tsv ON visit_search USING GIN (tsv)")
    op.create_table(
        "draft",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_draft")),
    )
    # visits a store from 0001 already holds are indexed by the application after 0006
    # (``search_pending``): normalising their text takes code a revision must not import


def downgrade() -> None:
    op.drop_table("draft")
    op.execute("DROP TABLE visit_search")
