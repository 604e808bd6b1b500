"""index the change log by origin, record type and sequence, for exports to an office that
receives only some types

Revision ID: 0007
Revises: 0006

An export to a country office reads, for each origin, the changes of each record type it
may receive in sequence order, and for its own records also the record id; with this index
it reads those changes alone instead of every change of the origin.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_INDEX = "ix_change_log_origin_type_seq"


def upgrade() -> None:
    op.execute(
        f"CREATE INDEX IF NOT EXISTS {_INDEX} ON change_log (origin_office, record_type, seq, record_id)"
    )


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {_INDEX}")
