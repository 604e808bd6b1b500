"""one search index for every searchable type; recommendations, and follow-ups linked to them as records

Revision ID: 0006
Revises: 0005

The visit index becomes ``search_index`` with a record type per row; its rows are copied,
already normalised, so no application code is needed here. A follow-up's list of
recommendation ids becomes ``follow_up_recommendation`` records, which sync holds until both
ends arrive; no version of FieldKit let a person fill that list, but whatever a store holds
in it is kept in ``legacy_recommendation_refs`` rather than dropped. The key leaves the
follow-ups' logged changes too, so that a relayed old change still fits the schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_FTS = "fts5(record_type UNINDEXED, record_id, body, tokenize = 'unicode61 remove_diacritics 2')"


def _system_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("origin_office", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(
            "CREATE TABLE search_index (record_type VARCHAR(40) NOT NULL, record_id VARCHAR(36) PRIMARY KEY,"
            " body TEXT NOT NULL, tsv TSVECTOR)"
        )
        op.execute("CREATE INDEX ix_search_index_tsv ON search_index USING GIN (tsv)")
        op.execute(
            "INSERT INTO search_index (record_type, record_id, body, tsv)"
            " SELECT 'monitoring_visit', record_id, body, tsv FROM visit_search"
        )
    else:
        op.execute(f"CREATE VIRTUAL TABLE search_index USING {_FTS}")
        op.execute(
            "INSERT INTO search_index (record_type, record_id, body)"
            " SELECT 'monitoring_visit', record_id, body FROM visit_search"
        )
    op.execute("DROP TABLE visit_search")
    # types searchable from now on: the application indexes them when it next opens the store,
    # since their text is normalised by code a revision must not import
    op.create_table("search_pending", sa.Column("record_type", sa.String(length=40), primary_key=True))
    op.execute("INSERT INTO search_pending (record_type) VALUES ('project'), ('training_event')")
    # a store that skipped indexing its older visits (from 0001, before the index) catches up too
    op.execute(
        "INSERT INTO search_pending (record_type) SELECT 'monitoring_visit' WHERE"
        " (SELECT count(*) FROM monitoring_visit WHERE NOT deleted)"
        " > (SELECT count(*) FROM search_index WHERE record_type = 'monitoring_visit')"
    )

    op.create_table(
        "recommendation",
        sa.Column("symbol", sa.String(length=120), nullable=False),
        sa.Column("paragraph", sa.String(length=40), nullable=False),
        sa.Column("mechanism_type", sa.String(length=80), nullable=True),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("country_code", sa.String(length=3), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        *_system_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
    )
    with op.batch_alter_table("recommendation") as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_symbol"), ["symbol"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendation_origin_office"), ["origin_office"], unique=False)
    op.create_table(
        "follow_up_recommendation",
        sa.Column("follow_up_id", sa.String(length=36), nullable=False),
        sa.Column("recommendation_id", sa.String(length=36), nullable=False),
        *_system_columns(),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_up.id"],
            name=op.f("fk_follow_up_recommendation_follow_up_id_follow_up"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_follow_up_recommendation_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_recommendation")),
        sa.UniqueConstraint("follow_up_id", "recommendation_id", name="uq_follow_up_recommendation_pair"),
    )
    with op.batch_alter_table("follow_up_recommendation") as batch_op:
        for column in ("follow_up_id", "recommendation_id", "origin_office"):
            batch_op.create_index(batch_op.f(f"ix_follow_up_recommendation_{column}"), [column], unique=False)

    op.create_table(
        "legacy_recommendation_refs",
        sa.Column("follow_up_id", sa.String(length=36), primary_key=True),
        sa.Column("refs", sa.JSON(), nullable=False),
    )
    if postgres:
        op.execute(
            "INSERT INTO legacy_recommendation_refs (follow_up_id, refs) SELECT id, recommendation_refs"
            " FROM follow_up WHERE json_array_length(recommendation_refs) > 0"
        )
        op.execute(
            "UPDATE change_log SET data = (data::jsonb - 'recommendation_refs')::json"
            " WHERE record_type = 'follow_up' AND (data::jsonb ? 'recommendation_refs')"
        )
        op.execute(
            "UPDATE held_change SET change = jsonb_set(change::jsonb, '{data}',"
            " (change::jsonb -> 'data') - 'recommendation_refs')::json"
            " WHERE change::jsonb ->> 'type' = 'follow_up'"
            " AND (change::jsonb -> 'data' ? 'recommendation_refs')"
        )
    else:
        op.execute(
            "INSERT INTO legacy_recommendation_refs (follow_up_id, refs) SELECT id, recommendation_refs"
            " FROM follow_up WHERE json_array_length(recommendation_refs) > 0"
        )
        op.execute(
            "UPDATE change_log SET data = json_remove(data, '$.recommendation_refs')"
            " WHERE record_type = 'follow_up' AND json_type(data, '$.recommendation_refs') IS NOT NULL"
        )
        op.execute(
            "UPDATE held_change SET change = json_remove(change, '$.data.recommendation_refs')"
            " WHERE json_extract(change, '$.type') = 'follow_up'"
            " AND json_type(change, '$.data.recommendation_refs') IS NOT NULL"
        )
    with op.batch_alter_table("follow_up") as batch_op:
        batch_op.drop_column("recommendation_refs")


def downgrade() -> None:
    with op.batch_alter_table("follow_up") as batch_op:
        batch_op.add_column(sa.Column("recommendation_refs", sa.JSON(), nullable=False, server_default="[]"))
    op.drop_table("legacy_recommendation_refs")
    op.drop_table("search_pending")
    op.drop_table("follow_up_recommendation")
    op.drop_table("recommendation")
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(
            "CREATE TABLE visit_search (record_id VARCHAR(36) PRIMARY KEY, body TEXT NOT NULL, tsv TSVECTOR)"
        )
        op.execute("CREATE INDEX ix_visit_search_tsv ON visit_search USING GIN (tsv)")
        op.execute(
            "INSERT INTO visit_search (record_id, body, tsv) SELECT record_id, body, tsv FROM search_index"
            " WHERE record_type = 'monitoring_visit'"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE visit_search USING fts5("
            "record_id, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO visit_search (record_id, body) SELECT record_id, body FROM search_index"
            " WHERE record_type = 'monitoring_visit'"
        )
    op.execute("DROP TABLE search_index")
