"""Autosaved drafts of forms: saved every few seconds, offered back after a crash."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import delete, select

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.services.monitoring_types import DraftInfo
from fieldkit.store.system import Draft

_PREFIX = 9  # 8 hex digits of the user's hash and a slash


def _key(ctx: Context, key: str) -> str:
    """Drafts belong to one user: two people editing one visit keep separate drafts."""
    return hashlib.sha256(ctx.user.encode()).hexdigest()[:8] + "/" + key


@requires(Permission.EDIT_RECORDS)
def save_draft(
    ctx: Context, key: str, record_type: str, record_id: str | None, title: str, payload: dict[str, Any]
) -> None:
    with ctx.store.write() as session:
        draft = session.get(Draft, _key(ctx, key))
        if draft is None:
            draft = Draft(
                key=_key(ctx, key),
                record_type=record_type,
                record_id=record_id,
                title=title,
                payload=payload,
                saved_at=ctx.now(),
                user=ctx.user,
            )
            session.add(draft)
        else:
            draft.record_id, draft.title, draft.payload = record_id, title, payload
            draft.saved_at, draft.user = ctx.now(), ctx.user


@requires(Permission.EDIT_RECORDS)
def list_drafts(ctx: Context, record_type: str | None = None) -> list[DraftInfo]:
    with ctx.store.read() as session:
        query = select(Draft).where(Draft.user == ctx.user).order_by(Draft.saved_at.desc())
        if record_type:
            query = query.where(Draft.record_type == record_type)
        return [
            DraftInfo(d.key[_PREFIX:], d.record_type, d.record_id, d.title, d.saved_at)
            for d in session.execute(query).scalars()
        ]


@requires(Permission.EDIT_RECORDS)
def load_draft(ctx: Context, key: str) -> dict[str, Any] | None:
    with ctx.store.read() as session:
        draft = session.get(Draft, _key(ctx, key))
        return dict(draft.payload) if draft else None


@requires(Permission.EDIT_RECORDS)
def discard_draft(ctx: Context, key: str) -> None:
    with ctx.store.write() as session:
        session.execute(delete(Draft).where(Draft.key == _key(ctx, key)))
