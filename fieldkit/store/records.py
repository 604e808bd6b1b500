"""The shared records: what offices create, edit and send each other.

Each model declares everything FieldKit needs to know about its type, once: per column
its label, vocabulary, whether it is required, searchable or identifying (``meta``),
and per type who receives it, what names it and how it merges (``spec``); see
``fieldkit.store.spec``. Vocabulary-coded fields hold codes (see
``resources/vocabularies``), never labels. Lists of codes are JSON arrays. Dates a person
gives are ``date``; times the system stamps are naive UTC ``datetime``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fieldkit.i18n import N_
from fieldkit.store.base import ID, SyncedRecord
from fieldkit.store.spec import MergeRule, RecordSpec, Sharing, meta


class VocabularyTerm(SyncedRecord):
    """A coded term of a controlled vocabulary; seeded ones have a name-based id."""

    __tablename__ = "vocabulary_term"
    __table_args__ = (UniqueConstraint("vocabulary", "code", name="uq_vocabulary_term_code"),)
    record_type = "vocabulary_term"
    spec = RecordSpec(N_("Vocabulary term"), Sharing.REFERENCE, title="code")

    vocabulary: Mapped[str] = mapped_column(String(64), info=meta(N_("Vocabulary"), required=True))
    code: Mapped[str] = mapped_column(String(80), info=meta(N_("Code"), required=True))
    parent_code: Mapped[str | None] = mapped_column(String(80), info=meta(N_("Parent code")))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, info=meta(N_("Labels")))
    sort_order: Mapped[int] = mapped_column(Integer, default=0, info=meta(N_("Sort order")))
    vocab_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(default=True, info=meta(N_("Active")))


class AdminArea(SyncedRecord):
    """A place in the administrative hierarchy (country > region > district > locality)."""

    __tablename__ = "admin_area"
    record_type = "admin_area"
    spec = RecordSpec(N_("Area"), Sharing.REFERENCE, title="name")

    name: Mapped[str] = mapped_column(String(200), info=meta(N_("Name"), required=True))
    level: Mapped[int] = mapped_column(Integer, default=0, info=meta(N_("Level")))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("admin_area.id"), index=True, info=meta(N_("Part of"))
    )
    country_code: Mapped[str | None] = mapped_column(String(3), info=meta(N_("Country")))


class Organisation(SyncedRecord):
    __tablename__ = "organisation"
    record_type = "organisation"
    spec = RecordSpec(
        N_("Organisation"), Sharing.REFERENCE, title="name", merge=MergeRule("name", group="country_code")
    )

    name: Mapped[str] = mapped_column(String(300), info=meta(N_("Name"), required=True))
    org_type: Mapped[str | None] = mapped_column(
        String(80), info=meta(N_("Type of organisation"), vocabulary="organisation_type")
    )
    country_code: Mapped[str | None] = mapped_column(String(3), info=meta(N_("Country")))


class Project(SyncedRecord):
    """A technical-cooperation project."""

    __tablename__ = "project"
    record_type = "project"
    spec = RecordSpec(N_("Project"), Sharing.REFERENCE, title="title")

    code: Mapped[str] = mapped_column(String(40), index=True, info=meta(N_("Code"), required=True))
    title: Mapped[str] = mapped_column(String(400), info=meta(N_("Title"), required=True, search=True))
    country_code: Mapped[str | None] = mapped_column(String(3), info=meta(N_("Country")))
    status: Mapped[str] = mapped_column(
        String(80), info=meta(N_("Status"), vocabulary="project_status", required=True)
    )
    funding_source: Mapped[str | None] = mapped_column(
        String(80), info=meta(N_("Funding source"), vocabulary="funding_source")
    )
    start_date: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("Start date")))
    end_date: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("End date")))
    budget_usd: Mapped[int | None] = mapped_column(Integer, info=meta(N_("Budget (USD)")))
    implementation_gaps: Mapped[list[str]] = mapped_column(
        JSON, default=list, info=meta(N_("Implementation gaps"), vocabulary="implementation_gap")
    )
    sdgs: Mapped[list[str]] = mapped_column(
        JSON, default=list, info=meta(N_("Sustainable Development Goals"), vocabulary="sdg")
    )
    description: Mapped[str] = mapped_column(Text, default="", info=meta(N_("Description"), search=True))


class MonitoringVisit(SyncedRecord):
    """A monitoring visit or activity: the field officer's main record."""

    __tablename__ = "monitoring_visit"
    __table_args__ = (Index("ix_visit_date", "date_start"),)
    record_type = "monitoring_visit"
    spec = RecordSpec(N_("Monitoring visit"), title="title", confidentiality="confidentiality")

    title: Mapped[str] = mapped_column(String(400), info=meta(N_("Title"), required=True, search=True))
    visit_type: Mapped[str] = mapped_column(
        String(80), info=meta(N_("Visit type"), vocabulary="visit_type", required=True)
    )
    date_start: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("Start date"), required=True))
    date_end: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("End date")))
    date_precision: Mapped[str] = mapped_column(
        String(16), default="day", info=meta(N_("Date precision"), vocabulary="date_precision", required=True)
    )
    admin_area_id: Mapped[str | None] = mapped_column(
        ForeignKey("admin_area.id"), index=True, info=meta(N_("Admin area"))
    )
    location_text: Mapped[str] = mapped_column(
        String(400), default="", info=meta(N_("Location"), search=True)
    )
    latitude: Mapped[float | None] = mapped_column(Float, info=meta(N_("Latitude")))
    longitude: Mapped[float | None] = mapped_column(Float, info=meta(N_("Longitude")))
    team: Mapped[str] = mapped_column(String(400), default="", info=meta(N_("Team members"), search=True))
    institution_type: Mapped[str | None] = mapped_column(
        String(80), info=meta(N_("Institution type"), vocabulary="institution_type")
    )
    institutions: Mapped[str] = mapped_column(Text, default="", info=meta(N_("Institutions"), search=True))
    counterparts: Mapped[str] = mapped_column(Text, default="", info=meta(N_("Counterparts"), search=True))
    narrative: Mapped[str] = mapped_column(Text, default="", info=meta(N_("Narrative"), search=True))
    confidentiality: Mapped[str] = mapped_column(
        String(40),
        default="internal",
        info=meta(N_("Confidentiality"), vocabulary="sensitivity_level", required=True),
    )


class Incident(SyncedRecord):
    """An incident or allegation heard during a visit."""

    __tablename__ = "incident"
    record_type = "incident"
    spec = RecordSpec(N_("Incident"), title="summary", search_into="visit_id")

    visit_id: Mapped[str] = mapped_column(
        ForeignKey("monitoring_visit.id"), index=True, info=meta(N_("Visit"), required=True)
    )
    incident_date: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("Incident date")))
    summary: Mapped[str] = mapped_column(Text, default="", info=meta(N_("Summary"), search=True))
    violation_types: Mapped[list[str]] = mapped_column(
        JSON, default=list, info=meta(N_("Violation types"), vocabulary="violation_type", required=True)
    )
    rights: Mapped[list[str]] = mapped_column(JSON, default=list, info=meta(N_("Rights"), vocabulary="right"))
    affected_groups: Mapped[list[str]] = mapped_column(
        JSON, default=list, info=meta(N_("Affected groups"), vocabulary="affected_group")
    )
    #: counts keyed "sex/age_group", e.g. {"female/adult-18-59": 2}
    victims: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=meta(N_("Victims")))
    perpetrator_type: Mapped[str | None] = mapped_column(
        String(80), info=meta(N_("Perpetrator type"), vocabulary="perpetrator_type")
    )
    pattern: Mapped[str] = mapped_column(
        String(16), default="isolated", info=meta(N_("Pattern"), vocabulary="incident_pattern")
    )
    source_reliability: Mapped[str | None] = mapped_column(
        String(40), info=meta(N_("Source reliability"), vocabulary="source_reliability")
    )


class Person(SyncedRecord):
    """A person involved, kept under a code; who they are lives in ``PersonIdentity``."""

    __tablename__ = "person"
    record_type = "person"
    spec = RecordSpec(N_("Person"), title="code")

    code: Mapped[str] = mapped_column(String(40), index=True, info=meta(N_("Code"), required=True))
    sex: Mapped[str] = mapped_column(
        String(16), default="unknown", info=meta(N_("Sex"), vocabulary="sex", required=True)
    )
    age_group: Mapped[str] = mapped_column(
        String(40), default="unknown", info=meta(N_("Age group"), vocabulary="age_group", required=True)
    )
    birth_year: Mapped[int | None] = mapped_column(Integer, info=meta(N_("Birth year")))
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id"), info=meta(N_("Organisation"))
    )


class PersonIdentity(SyncedRecord):
    """Identifying details of a person: restricted, stays home unless shared on purpose."""

    __tablename__ = "person_identity"
    record_type = "person_identity"
    spec = RecordSpec(N_("Identifying details"), Sharing.IDENTITY)

    person_id: Mapped[str] = mapped_column(
        ForeignKey("person.id"), unique=True, info=meta(N_("Person"), required=True)
    )
    full_name: Mapped[str] = mapped_column(
        String(300), default="", info=meta(N_("Full name"), restricted=True)
    )
    other_names: Mapped[str] = mapped_column(
        String(300), default="", info=meta(N_("Other names"), restricted=True)
    )
    contact: Mapped[str] = mapped_column(String(300), default="", info=meta(N_("Contact"), restricted=True))
    address: Mapped[str] = mapped_column(String(400), default="", info=meta(N_("Address"), restricted=True))
    notes: Mapped[str] = mapped_column(Text, default="", info=meta(N_("Notes"), restricted=True))


class Involvement(SyncedRecord):
    """A person's role in a visit, optionally in one incident of it."""

    __tablename__ = "involvement"
    record_type = "involvement"
    spec = RecordSpec(N_("Involvement"))

    visit_id: Mapped[str] = mapped_column(
        ForeignKey("monitoring_visit.id"), index=True, info=meta(N_("Visit"), required=True)
    )
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incident.id"), info=meta(N_("Incident")))
    person_id: Mapped[str] = mapped_column(
        ForeignKey("person.id"), index=True, info=meta(N_("Person"), required=True)
    )
    role: Mapped[str] = mapped_column(
        String(40), info=meta(N_("Role"), vocabulary="person_role", required=True)
    )


class FollowUp(SyncedRecord):
    """An action owed after a visit."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_due", "status", "due_date"),)
    record_type = "follow_up"
    spec = RecordSpec(N_("Follow-up"), title="action")

    visit_id: Mapped[str] = mapped_column(
        ForeignKey("monitoring_visit.id"), index=True, info=meta(N_("Visit"), required=True)
    )
    action: Mapped[str] = mapped_column(Text, info=meta(N_("Action"), required=True))
    responsible: Mapped[str] = mapped_column(String(200), default="", info=meta(N_("Responsible")))
    due_date: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("Due date")))
    status: Mapped[str] = mapped_column(
        String(40), default="open", info=meta(N_("Status"), vocabulary="followup_status", required=True)
    )
    completed_on: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("Completed on")))
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), info=meta(N_("Project")))


class Recommendation(SyncedRecord):
    """A recommendation of a UN mechanism (treaty body, special procedure, UPR) to a State.

    Public text that every office may hold: an imported recommendation gets a name-based id
    from its document symbol and paragraph, so two offices importing it make one record.
    """

    __tablename__ = "recommendation"
    record_type = "recommendation"
    spec = RecordSpec(N_("Recommendation"), Sharing.REFERENCE, title="symbol")

    symbol: Mapped[str] = mapped_column(
        String(120), index=True, info=meta(N_("Document symbol"), required=True, search=True)
    )
    paragraph: Mapped[str] = mapped_column(String(40), default="", info=meta(N_("Paragraph")))
    mechanism_type: Mapped[str | None] = mapped_column(
        String(80), info=meta(N_("Mechanism"), vocabulary="mechanism_type")
    )
    body: Mapped[str] = mapped_column(String(200), default="", info=meta(N_("Recommending body")))
    country_code: Mapped[str | None] = mapped_column(String(3), info=meta(N_("Country")))
    issued_on: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("Issued on")))
    text: Mapped[str] = mapped_column(Text, default="", info=meta(N_("Text"), search=True))


class FollowUpRecommendation(SyncedRecord):
    """A follow-up that helps implement a recommendation: a record, so that it syncs, waits for
    both ends to arrive and follows a merge like any reference."""

    __tablename__ = "follow_up_recommendation"
    __table_args__ = (
        UniqueConstraint("follow_up_id", "recommendation_id", name="uq_follow_up_recommendation_pair"),
    )
    record_type = "follow_up_recommendation"
    spec = RecordSpec(N_("Follow-up recommendation"))

    follow_up_id: Mapped[str] = mapped_column(
        ForeignKey("follow_up.id"), index=True, info=meta(N_("Follow-up"), required=True)
    )
    recommendation_id: Mapped[str] = mapped_column(
        ForeignKey("recommendation.id"), index=True, info=meta(N_("Recommendation"), required=True)
    )


class Attachment(SyncedRecord):
    """A photo or scanned document; the bytes live once per SHA-256 in ``attachment_blob``."""

    __tablename__ = "attachment"
    record_type = "attachment"
    spec = RecordSpec(N_("Attachment"), title="filename")

    visit_id: Mapped[str] = mapped_column(
        ForeignKey("monitoring_visit.id"), index=True, info=meta(N_("Visit"), required=True)
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(300), info=meta(N_("File name"), required=True))
    media_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer, info=meta(N_("Size")))
    caption: Mapped[str] = mapped_column(Text, default="", info=meta(N_("Caption")))


class TrainingEvent(SyncedRecord):
    __tablename__ = "training_event"
    record_type = "training_event"
    spec = RecordSpec(N_("Training event"), Sharing.REFERENCE, title="title")

    title: Mapped[str] = mapped_column(String(400), info=meta(N_("Title"), required=True, search=True))
    event_type: Mapped[str] = mapped_column(
        String(80), info=meta(N_("Type of event"), vocabulary="training_event_type", required=True)
    )
    audiences: Mapped[list[str]] = mapped_column(
        JSON, default=list, info=meta(N_("Audiences"), vocabulary="training_audience")
    )
    start_date: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("Start date")))
    end_date: Mapped[dt.date | None] = mapped_column(Date, info=meta(N_("End date")))
    venue: Mapped[str] = mapped_column(String(400), default="", info=meta(N_("Venue"), search=True))
    admin_area_id: Mapped[str | None] = mapped_column(
        ForeignKey("admin_area.id"), info=meta(N_("Admin area"))
    )
    language: Mapped[str] = mapped_column(String(16), default="en", info=meta(N_("Language")))
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), info=meta(N_("Project")))
    description: Mapped[str] = mapped_column(Text, default="", info=meta(N_("Description"), search=True))


class Participant(SyncedRecord):
    __tablename__ = "participant"
    record_type = "participant"
    spec = RecordSpec(
        N_("Participant"),
        title="full_name",
        merge=MergeRule("full_name", sex="sex", birth_year="birth_year", group="organisation_id"),
    )

    full_name: Mapped[str] = mapped_column(
        String(300), info=meta(N_("Full name"), required=True, restricted=True)
    )
    sex: Mapped[str] = mapped_column(String(16), default="unknown", info=meta(N_("Sex"), vocabulary="sex"))
    birth_year: Mapped[int | None] = mapped_column(Integer, info=meta(N_("Birth year")))
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id"), info=meta(N_("Organisation"))
    )
    position: Mapped[str] = mapped_column(String(300), default="", info=meta(N_("Position")))
    email: Mapped[str] = mapped_column(String(300), default="", info=meta(N_("Email"), restricted=True))
    phone: Mapped[str] = mapped_column(String(80), default="", info=meta(N_("Phone"), restricted=True))


class Attendance(SyncedRecord):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("event_id", "participant_id", name="uq_attendance_pair"),)
    record_type = "attendance"
    spec = RecordSpec(N_("Attendance"))

    event_id: Mapped[str] = mapped_column(
        ForeignKey("training_event.id"), index=True, info=meta(N_("Training event"), required=True)
    )
    participant_id: Mapped[str] = mapped_column(
        ForeignKey("participant.id"), index=True, info=meta(N_("Participant"), required=True)
    )
    role: Mapped[str] = mapped_column(String(40), default="participant", info=meta(N_("Role")))
    days_attended: Mapped[int] = mapped_column(Integer, default=0, info=meta(N_("Days attended")))
    certificate_issued: Mapped[bool] = mapped_column(default=False, info=meta(N_("Certificate issued")))


class RecordAlias(SyncedRecord):
    """A record merged into another (one person entered by two offices).

    Later changes that still point at ``alias_id`` are pointed at ``target_id`` on arrival,
    at every office, so the merged-away id keeps resolving.
    """

    __tablename__ = "record_alias"
    record_type = "record_alias"
    spec = RecordSpec(N_("Merged record"), Sharing.REFERENCE)

    target_type: Mapped[str] = mapped_column(String(40))
    alias_id: Mapped[str] = mapped_column(ID, unique=True)
    target_id: Mapped[str] = mapped_column(ID, index=True)
