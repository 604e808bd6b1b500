"""full-text search over visits, autosaved drafts

Revision ID: 0002
Revises: 0001

Stores from 0001 already hold visits, so this revision indexes them. It carries its own
copy of the text normalisation ``fieldkit.search`` used when it was written, frozen here:
a revision must build the same index whatever the application's code says later.

The normalisation: case-folded, Arabic diacritics and tatweel removed, each CJK character a
token of its own, and the bare forms of Arabic words that carry a proclitic appended.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_CJK_RUN = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
_ARABIC_WORD = re.compile("[\u0621-\u064a]{4,}")
_PROCLITICS = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ف", "ل", "ك")

_VISIT_TEXT = """
SELECT v.id, v.title, v.location_text, v.institutions, v.counterparts, v.team, v.narrative,
       (SELECT {concat} FROM incident i WHERE i.visit_id = v.id AND i.deleted = :no)
FROM monitoring_visit v WHERE v.id IN :ids
"""


def _normalise(value: str) -> str:
    if value.isascii():
        return value.lower()
    value = unicodedata.normalize("NFKC", value).casefold()
    value = _ARABIC_MARKS.sub("", value)
    return _CJK_RUN.sub(lambda run: " " + " ".join(run.group()) + " ", value)


def _arabic_variants(text: str) -> str:
    if text.isascii():
        return ""
    extra: list[str] = []
    for word in _ARABIC_WORD.findall(text):
        for prefix in _PROCLITICS:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                stem = word[len(prefix) :]
                extra.append(stem)
                if not stem.startswith("ال"):
                    extra.append("ال" + stem)
    return " ".join(extra)


def _document(fields: Iterable[str | None]) -> str:
    body = _normalise("\n".join(f for f in fields if f))
    variants = _arabic_variants(body)
    return f"{body}\n{variants}" if variants else body


def _index_visits(bind: sa.engine.Connection) -> None:
    postgres = bind.dialect.name == "postgresql"
    concat = "string_agg(i.summary, ' ')" if postgres else "group_concat(i.summary, ' ')"
    select_text = sa.text(_VISIT_TEXT.format(concat=concat)).bindparams(sa.bindparam("ids", expanding=True))
    insert = sa.text(
        "INSERT INTO visit_search (record_id, body, tsv) VALUES (:id, :body, to_tsvector('simple', :body))"
        if postgres
        else "INSERT INTO visit_search (record_id, body) VALUES (:id, :body)"
    )
    ids = list(
        bind.execute(sa.text("SELECT id FROM monitoring_visit WHERE deleted = :no"), {"no": False}).scalars()
    )
    for start in range(0, len(ids), 500):
        rows = bind.execute(select_text, {"ids": ids[start : start + 500], "no": False}).all()
        if rows:
            bind.execute(insert, [{"id": row[0], "body": _document(row[1:])} for row in rows])


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
    _index_visits(bind)


def downgrade() -> None:
    op.drop_table("draft")
    op.execute("DROP TABLE visit_search")
