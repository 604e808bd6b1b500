"""Plain values the monitoring services take and return (no sessions, no ORM objects)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class IncidentData:
    id: str | None = None
    incident_date: dt.date | None = None
    summary: str = ""
    violation_types: tuple[str, ...] = ()
    rights: tuple[str, ...] = ()
    affected_groups: tuple[str, ...] = ()
    #: victims counted by "sex/age_group", e.g. {"female/adult-18-59": 2}
    victims: dict[str, int] = field(default_factory=dict)
    perpetrator_type: str | None = None
    pattern: str = "isolated"
    source_reliability: str | None = None


@dataclass(frozen=True)
class PersonData:
    """A person involved in the visit, under a code; name and contact are restricted."""

    id: str | None = None
    code: str = ""
    role: str = "victim"
    sex: str = "unknown"
    age_group: str = "unknown"
    birth_year: int | None = None
    #: index into ``VisitData.incidents`` when the person belongs to one incident
    incident_index: int | None = None
    full_name: str = ""
    other_names: str = ""
    contact: str = ""
    address: str = ""
    notes: str = ""


@dataclass(frozen=True)
class FollowUpData:
    id: str | None = None
    action: str = ""
    responsible: str = ""
    due_date: dt.date | None = None
    status: str = "open"
    completed_on: dt.date | None = None
    project_id: str | None = None
    #: the recommendations this follow-up helps implement (kept as link records)
    recommendation_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttachmentData:
    id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    caption: str = ""


@dataclass(frozen=True)
class VisitData:
    """A visit with everything under it: what the editor loads and saves as one."""

    id: str | None = None
    version: int = 0
    title: str = ""
    visit_type: str = ""
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    date_precision: str = "day"
    admin_area_id: str | None = None
    location_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    team: str = ""
    institution_type: str | None = None
    institutions: str = ""
    counterparts: str = ""
    narrative: str = ""
    confidentiality: str = "internal"
    incidents: tuple[IncidentData, ...] = ()
    people: tuple[PersonData, ...] = ()
    follow_ups: tuple[FollowUpData, ...] = ()
    attachments: tuple[AttachmentData, ...] = ()
    origin_office: str = ""
    created_at: dt.datetime | None = None
    created_by: str = ""
    updated_at: dt.datetime | None = None
    updated_by: str = ""
    deleted: bool = False
    #: ids of the incidents, people, follow-ups and attachments as loaded: only these may be
    #: removed by a save, so children someone else added meanwhile are kept
    loaded_children: tuple[str, ...] = ()


@dataclass(frozen=True)
class VisitFilter:
    text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    visit_types: tuple[str, ...] = ()
    #: this area and every area under it
    admin_area_id: str | None = None
    violation_type: str | None = None
    #: "open", "overdue" or "none"
    followups: str | None = None
    confidentiality: tuple[str, ...] = ()
    origin_office: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class VisitRow:
    """One line of the monitoring list."""

    id: str
    title: str
    visit_type: str
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: str
    location: str
    confidentiality: str
    incident_count: int
    open_followups: int
    origin_office: str
    updated_at: dt.datetime
    version: int
    deleted: bool
    #: the place the visit is filed under; ``location`` is the free text beside it
    admin_area_id: str | None = None
    area_name: str = ""


@dataclass(frozen=True)
class VisitPage:
    rows: list[VisitRow]
    total: int
    offset: int


@dataclass(frozen=True)
class FollowUpRow:
    id: str
    visit_id: str
    visit_title: str
    action: str
    responsible: str
    due_date: dt.date | None
    status: str
    days_overdue: int
    origin_office: str


@dataclass(frozen=True)
class OverduePage:
    """A page of overdue follow-ups and how many there are in all."""

    rows: list[FollowUpRow]
    total: int
    offset: int


@dataclass(frozen=True)
class AreaRow:
    id: str
    name: str
    level: int
    parent_id: str | None
    path: str


@dataclass(frozen=True)
class DraftInfo:
    key: str
    record_type: str
    record_id: str | None
    title: str
    saved_at: dt.datetime


_DATES = {"date_start", "date_end", "incident_date", "due_date", "completed_on"}
_TIMES = {"created_at", "updated_at"}


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def visit_to_payload(data: VisitData) -> dict[str, Any]:
    """JSON-safe form of a visit, for drafts."""
    encoded = _encode(data)
    assert isinstance(encoded, dict)
    return encoded


def _decode_fields(cls: type[Any], raw: dict[str, Any]) -> dict[str, Any]:
    known = {f.name for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            continue
        if key in _DATES and value:
            value = dt.date.fromisoformat(value)
        elif key in _TIMES and value:
            value = dt.datetime.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        out[key] = value
    return out


def visit_from_payload(raw: dict[str, Any]) -> VisitData:
    """Rebuild a visit saved by ``visit_to_payload`` (unknown keys from older drafts are ignored)."""
    children = {
        "incidents": IncidentData,
        "people": PersonData,
        "follow_ups": FollowUpData,
        "attachments": AttachmentData,
    }
    values = _decode_fields(VisitData, {k: v for k, v in raw.items() if k not in children})
    for key, cls in children.items():
        values[key] = tuple(cls(**_decode_fields(cls, item)) for item in raw.get(key, []))
    return VisitData(**values)
