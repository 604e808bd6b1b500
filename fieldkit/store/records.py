"""The shared records: what offices create, edit and send each other.

Vocabulary-coded fields hold codes (see ``resources/vocabularies``), never labels.
Lists of codes are JSON arrays. Dates a person gives are ``date``; times the
system stamps are naive UTC ``datetime``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.store.base import ID, SyncedRecord


class VocabularyTerm(SyncedRecord):
    """A coded term of a controlled vocabulary; seeded ones have a name-based id."""

    __tablename__ = "vocabulary_term"
    __table_args__ = (UniqueConstraint("vocabulary", "code", name="uq_vocabulary_term_code"),)
    record_type = "vocabulary_term"

    vocabulary: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(80))
    parent_code: Mapped[str | None] = mapped_column(String(80))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    vocab_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(default=True)


class AdminArea(SyncedRecord):
    """A place in the administrative hierarchy (country > region > district > locality)."""

    __tablename__ = "admin_area"
    record_type = "admin_area"

    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("admin_area.id"), index=True)
    country_code: Mapped[str | None] = mapped_column(String(3))


class Organisation(SyncedRecord):
    __tablename__ = "organisation"
    record_type = "organisation"

    name: Mapped[str] = mapped_column(String(300))
    org_type: Mapped[str | None] = mapped_column(String(80))
    country_code: Mapped[str | None] = mapped_column(String(3))


class Project(SyncedRecord):
    """A technical-cooperation project."""

    __tablename__ = "project"
    record_type = "project"

    code: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(400))
    country_code: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(80))
    funding_source: Mapped[str | None] = mapped_column(String(80))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    budget_usd: Mapped[int | None] = mapped_column(Integer)
    implementation_gaps: Mapped[list[str]] = mapped_column(JSON, default=list)
    sdgs: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")


class MonitoringVisit(SyncedRecord):
    """A monitoring visit or activity: the field officer's main record."""

    __tablename__ = "monitoring_visit"
    __table_args__ = (Index("ix_visit_date", "date_start"),)
    record_type = "monitoring_visit"

    title: Mapped[str] = mapped_column(String(400))
    visit_type: Mapped[str] = mapped_column(String(80))
    date_start: Mapped[dt.date | None] = mapped_column(Date)
    date_end: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(16), default="day")
    admin_area_id: Mapped[str | None] = mapped_column(ForeignKey("admin_area.id"), index=True)
    location_text: Mapped[str] = mapped_column(String(400), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    team: Mapped[str] = mapped_column(String(400), default="")
    institution_type: Mapped[str | None] = mapped_column(String(80))
    institutions: Mapped[str] = mapped_column(Text, default="")
    counterparts: Mapped[str] = mapped_column(Text, default="")
    narrative: Mapped[str] = mapped_column(Text, default="")
    confidentiality: Mapped[str] = mapped_column(String(40), default="internal")


class Incident(SyncedRecord):
    """An incident or allegation heard during a visit."""

    __tablename__ = "incident"
    record_type = "incident"

    visit_id: Mapped[str] = mapped_column(ForeignKey("monitoring_visit.id"), index=True)
    incident_date: Mapped[dt.date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    violation_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    affected_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: counts keyed "sex/age_group", e.g. {"female/adult-18-59": 2}
    victims: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    perpetrator_type: Mapped[str | None] = mapped_column(String(80))
    pattern: Mapped[str] = mapped_column(String(16), default="isolated")
    source_reliability: Mapped[str | None] = mapped_column(String(40))


class Person(SyncedRecord):
    """A person involved, kept under a code; who they are lives in ``PersonIdentity``."""

    __tablename__ = "person"
    record_type = "person"

    code: Mapped[str] = mapped_column(String(40), index=True)
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    age_group: Mapped[str] = mapped_column(String(40), default="unknown")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))


class PersonIdentity(SyncedRecord):
    """Identifying details of a person: restricted, stays home unless shared on purpose."""

    __tablename__ = "person_identity"
    record_type = "person_identity"
    restricted_fields = frozenset({"full_name", "other_names", "contact", "address", "notes"})

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), unique=True)
    full_name: Mapped[str] = mapped_column(String(300), default="")
    other_names: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Involvement(SyncedRecord):
    """A person's role in a visit, optionally in one incident of it."""

    __tablename__ = "involvement"
    record_type = "involvement"

    visit_id: Mapped[str] = mapped_column(ForeignKey("monitoring_visit.id"), index=True)
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incident.id"))
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))


class FollowUp(SyncedRecord):
    """An action owed after a visit."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_due", "status", "due_date"),)
    record_type = "follow_up"

    visit_id: Mapped[str] = mapped_column(ForeignKey("monitoring_visit.id"), index=True)
    action: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(40), default="open")
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"))
    #: recommendation ids (the register of UN recommendations comes with projects)
    recommendation_refs: Mapped[list[str]] = mapped_column(JSON, default=list)


class Attachment(SyncedRecord):
    """A photo or scanned document; the bytes live once per SHA-256 in ``attachment_blob``."""

    __tablename__ = "attachment"
    record_type = "attachment"

    visit_id: Mapped[str] = mapped_column(ForeignKey("monitoring_visit.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(Text, default="")


class TrainingEvent(SyncedRecord):
    __tablename__ = "training_event"
    record_type = "training_event"

    title: Mapped[str] = mapped_column(String(400))
    event_type: Mapped[str] = mapped_column(String(80))
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(400), default="")
    admin_area_id: Mapped[str | None] = mapped_column(ForeignKey("admin_area.id"))
    language: Mapped[str] = mapped_column(String(16), default="en")
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"))
    description: Mapped[str] = mapped_column(Text, default="")


class Participant(SyncedRecord):
    __tablename__ = "participant"
    record_type = "participant"

    full_name: Mapped[str] = mapped_column(String(300))
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    position: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(80), default="")


class Attendance(SyncedRecord):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("event_id", "participant_id", name="uq_attendance_pair"),)
    record_type = "attendance"

    event_id: Mapped[str] = mapped_column(ForeignKey("training_event.id"), index=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participant.id"), index=True)
    role: Mapped[str] = mapped_column(String(40), default="participant")
    days_attended: Mapped[int] = mapped_column(Integer, default=0)
    certificate_issued: Mapped[bool] = mapped_column(default=False)


class RecordAlias(SyncedRecord):
    """A record merged into another (one person entered by two offices).

    Later changes that still point at ``alias_id`` are pointed at ``target_id`` on arrival,
    at every office, so the merged-away id keeps resolving.
    """

    __tablename__ = "record_alias"
    record_type = "record_alias"

    target_type: Mapped[str] = mapped_column(String(40))
    alias_id: Mapped[str] = mapped_column(ID, unique=True)
    target_id: Mapped[str] = mapped_column(ID, index=True)


#: every synced record type, in dependency order (parents before children):
#: the order of packets, imports and exports
RECORD_MODELS: tuple[type[SyncedRecord], ...] = (
    VocabularyTerm,
    AdminArea,
    Organisation,
    Project,
    MonitoringVisit,
    Incident,
    Person,
    PersonIdentity,
    Involvement,
    FollowUp,
    Attachment,
    TrainingEvent,
    Participant,
    Attendance,
    RecordAlias,
)
MODEL_BY_TYPE: dict[str, type[SyncedRecord]] = {m.record_type: m for m in RECORD_MODELS}

#: fields holding vocabulary codes (a code or a list of codes), checked on every import
CODED_FIELDS: dict[str, dict[str, str]] = {
    "vocabulary_term": {},
    "organisation": {"org_type": "organisation_type"},
    "project": {
        "status": "project_status",
        "funding_source": "funding_source",
        "implementation_gaps": "implementation_gap",
        "sdgs": "sdg",
    },
    "monitoring_visit": {
        "visit_type": "visit_type",
        "date_precision": "date_precision",
        "institution_type": "institution_type",
        "confidentiality": "sensitivity_level",
    },
    "incident": {
        "violation_types": "violation_type",
        "rights": "right",
        "affected_groups": "affected_group",
        "perpetrator_type": "perpetrator_type",
        "pattern": "incident_pattern",
        "source_reliability": "source_reliability",
    },
    "person": {"sex": "sex", "age_group": "age_group"},
    "involvement": {"role": "person_role"},
    "follow_up": {"status": "followup_status"},
    "training_event": {"event_type": "training_event_type", "audiences": "training_audience"},
    "participant": {"sex": "sex"},
}
