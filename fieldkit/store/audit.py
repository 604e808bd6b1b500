"""The audit trail: every row appended through here, chained to the one before it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from fieldkit.store.system import AuditLog


def append_event(
    session: Session,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    detail: dict[str, Any] | None = None,
    record_type: str = "",
    record_id: str = "",
) -> None:
    """Audit something that is not one record's change: an import, an export, a sign-in.

    ``action`` is a short code (at most 12 characters); ``detail`` holds counts, file names
    and reasons, never record contents.
    """
    session.execute(
        insert(AuditLog).values(
            at=at,
            actor=actor,
            action=action,
            record_type=record_type,
            record_id=record_id,
            origin_office="",
            seq=0,
            old=None,
            detail=detail,
        )
    )
