"""A record type declared only here, in the test tree: what a new module would declare."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.store.base import SyncedRecord
from fieldkit.store.spec import MergeRule, RecordSpec, meta


class SiteNote(SyncedRecord):
    """A note on the state of a site seen during a visit."""

    __tablename__ = "site_note"
    record_type = "site_note"
    spec = RecordSpec("Site note", title="title", merge=MergeRule("title"))

    visit_id: Mapped[str] = mapped_column(
        ForeignKey("monitoring_visit.id"), index=True, info=meta("Visit", required=True)
    )
    title: Mapped[str] = mapped_column(String(120), info=meta("Title", required=True, search=True))
    condition: Mapped[str | None] = mapped_column(
        String(80), info=meta("Condition", vocabulary="sensitivity_level")
    )
    informant: Mapped[str] = mapped_column(String(200), default="", info=meta("Informant", restricted=True))
