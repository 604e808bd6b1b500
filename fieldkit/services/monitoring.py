"""Monitoring visits: load, validate and save a visit with its incidents, people,
follow-ups and attachments as one unit, in one transaction.

Children keep their ids across saves; a child the user removed is tombstoned,
never deleted, so the removal syncs like any other change.

A visit above the user's clearance does not exist for them: reading, saving, deleting or
attaching to it fails as for a missing id, with the same message. People's identifying
details reach only users who may see them (``fieldkit.store.clearance``); for anyone else
they are redacted when read, and a save leaves the stored ones as they were.
"""

from __future__ import annotations

import dataclasses
import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.access import Permission, Principal, requires
from fieldkit.changeset import Changed, ChangeSet
from fieldkit.context import Context
from fieldkit.domain.cascade import deleted_with, deletion_mark, one_instant, parts_of, referenced_records
from fieldkit.domain.validation import age_group_warning, check_record
from fieldkit.domain.vocab import Vocabularies, vocabularies
from fieldkit.errors import NotFound, ValidationError, reason_for
from fieldkit.i18n import _, ngettext
from fieldkit.services.monitoring_types import (
    AttachmentData,
    FollowUpData,
    IncidentData,
    PersonData,
    VisitData,
)
from fieldkit.store.base import SyncedRecord
from fieldkit.store.changes import Writer
from fieldkit.store.clearance import level_visible, may_see_restricted, redact, visibility_conditions
from fieldkit.store.codec import content_fields
from fieldkit.store.records import (
    AdminArea,
    Attachment,
    FollowUp,
    FollowUpRecommendation,
    Incident,
    Involvement,
    MonitoringVisit,
    Person,
    PersonIdentity,
    Recommendation,
)
from fieldkit.store.system import AttachmentBlob

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024


def _data_fields(cls: type[Any], model: type[SyncedRecord]) -> tuple[str, ...]:
    """The fields a value object carries straight from its model's columns."""
    columns = {f.name for f in content_fields(model)}
    return tuple(f.name for f in dataclasses.fields(cls) if f.name in columns)


_VISIT_FIELDS = _data_fields(VisitData, MonitoringVisit)
_INCIDENT_FIELDS = _data_fields(IncidentData, Incident)
_FOLLOWUP_FIELDS = _data_fields(FollowUpData, FollowUp)
_PERSON_FIELDS = _data_fields(PersonData, Person)
_IDENTITY_FIELDS = _data_fields(PersonData, PersonIdentity)


# -- validation -------------------------------------------------------------------------


@requires(Permission.EDIT_RECORDS)
def validate_visit(ctx: Context, data: VisitData) -> dict[str, str]:
    """Messages keyed by field (``incidents[0].violation_types`` for children); empty when valid."""
    return check_visit(vocabularies(ctx), data)


def check_visit(vocab: Vocabularies, data: VisitData) -> dict[str, str]:
    """``validate_visit`` over vocabularies already in memory: no store access, safe on a GUI thread.

    What the models declare (required fields, codes, lengths) is checked by ``check_record``;
    the rules below are the ones a declaration cannot say.
    """
    errors = check_record(vocab, MonitoringVisit, _fields_of(data, _VISIT_FIELDS))
    if not data.title.strip():
        errors["title"] = _("Give the visit a title")
    if data.date_start is None:
        errors["date_start"] = _("Enter when the visit took place (a month or year is enough)")
    if data.date_precision == "range" and data.date_end is None:
        errors["date_end"] = _("A date range needs an end date")
    if data.date_start and data.date_end and data.date_end < data.date_start:
        errors["date_end"] = _("The end date is before the start date")
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        errors["latitude"] = _("Latitude must be between -90 and 90")
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        errors["longitude"] = _("Longitude must be between -180 and 180")
    if (data.latitude is None) != (data.longitude is None):
        errors["longitude" if data.longitude is None else "latitude"] = _("Give both coordinates or neither")
    for i, inc in enumerate(data.incidents):
        _validate_incident(vocab, inc, f"incidents[{i}]", errors)
    for i, person in enumerate(data.people):
        key = f"people[{i}]"
        errors.update(check_record(vocab, Person, _fields_of(person, _PERSON_FIELDS), f"{key}."))
        errors.update(check_record(vocab, PersonIdentity, _fields_of(person, _IDENTITY_FIELDS), f"{key}."))
        errors.update(check_record(vocab, Involvement, {"role": person.role}, f"{key}."))
        if not person.code.strip():
            errors[f"{key}.code"] = _("Every person needs a code")
        if person.incident_index is not None and not 0 <= person.incident_index < len(data.incidents):
            errors[f"{key}.incident_index"] = _("This incident does not exist")
    for i, fu in enumerate(data.follow_ups):
        key = f"follow_ups[{i}]"
        errors.update(check_record(vocab, FollowUp, _fields_of(fu, _FOLLOWUP_FIELDS), f"{key}."))
        if not fu.action.strip():
            errors[f"{key}.action"] = _("Describe the action to take")
        if fu.status == "done" and fu.completed_on is None:
            errors[f"{key}.completed_on"] = _("Enter when it was done")
    return errors


@requires(Permission.VIEW_RECORDS)
def visit_warnings(ctx: Context, data: VisitData) -> dict[str, str]:
    """Values that are allowed but look wrong, keyed like ``validate_visit``'s messages; a visit
    with warnings still saves."""
    return check_visit_warnings(data)


def check_visit_warnings(data: VisitData) -> dict[str, str]:
    """``visit_warnings`` without the store: pure, safe on a GUI thread."""
    warnings: dict[str, str] = {}
    for i, person in enumerate(data.people):
        if message := age_group_warning(person.age_group, person.birth_year, data.date_start):
            warnings[f"people[{i}].age_group"] = message
    for i, fu in enumerate(data.follow_ups):
        if data.date_start and fu.due_date and fu.due_date < data.date_start:
            warnings[f"follow_ups[{i}].due_date"] = _("Due before the visit took place")
        if data.date_start and fu.completed_on and fu.completed_on < data.date_start:
            warnings[f"follow_ups[{i}].completed_on"] = _("Done before the visit took place")
    return warnings


def _fields_of(data: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(data, name) for name in names}


def _validate_incident(vocab: Vocabularies, inc: IncidentData, key: str, errors: dict[str, str]) -> None:
    errors.update(check_record(vocab, Incident, _fields_of(inc, _INCIDENT_FIELDS), f"{key}."))
    if not inc.violation_types:
        errors[f"{key}.violation_types"] = _("Choose at least one violation type")
    for group, count in inc.victims.items():
        sex, _sep, age = group.partition("/")
        if not vocab.has("sex", sex) or not vocab.has("age_group", age):
            errors[f"{key}.victims"] = _("Unknown victim group '{group}'").format(group=group)
        elif not isinstance(count, int) or count < 0:
            errors[f"{key}.victims"] = _("Victim counts are whole numbers, zero or more")


# -- load ---------------------------------------------------------------------------------


def _values(record: SyncedRecord, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for f in fields:
        value = getattr(record, f)
        out[f] = tuple(value) if isinstance(value, list) else value
    return out


def _live(session: Session, model: type[SyncedRecord], column: Any, value: str) -> list[Any]:
    return list(
        session.execute(
            select(model)
            .where(column == value, model.deleted.is_(False))
            .order_by(model.created_at, model.id)
        ).scalars()
    )


def _no_visit(visit_id: str) -> NotFound:
    """A missing visit, and one the user may not see: the same words, so neither is told apart."""
    return NotFound(_("No monitoring visit with id {id}").format(id=visit_id))


def _visible_visit(session: Session, visit_id: str, principal: Principal) -> MonitoringVisit | None:
    """The visit, or None when there is none or ``principal`` is not cleared for it."""
    visit = session.get(MonitoringVisit, visit_id)
    if visit is None or not level_visible(principal, visit.confidentiality):
        return None
    return visit


@requires(Permission.VIEW_RECORDS)
def get_visit(ctx: Context, visit_id: str, *, include_deleted: bool = False) -> VisitData:
    """The visit with its children; identifying details redacted unless the user may see them."""
    with ctx.store.read() as session:
        return _load(session, visit_id, ctx.principal, include_deleted)


def _load(session: Session, visit_id: str, principal: Principal, include_deleted: bool = False) -> VisitData:
    visit = _visible_visit(session, visit_id, principal)
    if visit is None or (visit.deleted and not include_deleted):
        raise _no_visit(visit_id)
    incidents = _live(session, Incident, Incident.visit_id, visit_id)
    index_of = {inc.id: i for i, inc in enumerate(incidents)}
    people = []
    for inv in _live(session, Involvement, Involvement.visit_id, visit_id):
        person = session.get(Person, inv.person_id)
        if person is None or person.deleted:
            continue
        identity = session.execute(
            select(PersonIdentity).where(PersonIdentity.person_id == person.id)
        ).scalar_one_or_none()
        people.append(
            PersonData(
                id=inv.id,
                role=inv.role,
                incident_index=index_of.get(inv.incident_id) if inv.incident_id else None,
                **_values(person, _PERSON_FIELDS),
                **(
                    redact(PersonIdentity.record_type, _values(identity, _IDENTITY_FIELDS), principal)
                    if identity and not identity.deleted
                    else {}
                ),
            )
        )
    follow_ups = _live(session, FollowUp, FollowUp.visit_id, visit_id)
    attachments = _live(session, Attachment, Attachment.visit_id, visit_id)
    return VisitData(
        id=visit.id,
        version=visit.version,
        **_values(visit, _VISIT_FIELDS),
        incidents=tuple(IncidentData(id=i.id, **_values(i, _INCIDENT_FIELDS)) for i in incidents),
        people=tuple(people),
        follow_ups=tuple(
            FollowUpData(
                id=f.id,
                recommendation_ids=_linked_recommendations(session, f.id),
                **_values(f, _FOLLOWUP_FIELDS),
            )
            for f in follow_ups
        ),
        attachments=tuple(
            AttachmentData(a.id, a.filename, a.media_type, a.size, a.sha256, a.caption) for a in attachments
        ),
        origin_office=visit.origin_office,
        created_at=visit.created_at,
        created_by=visit.created_by,
        updated_at=visit.updated_at,
        updated_by=visit.updated_by,
        deleted=visit.deleted,
        loaded_children=tuple(
            sorted(
                {
                    *(i.id for i in incidents),
                    *(p.id for p in people if p.id),
                    *(f.id for f in follow_ups),
                    *(a.id for a in attachments),
                }
            )
        ),
    )


# -- save ---------------------------------------------------------------------------------


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Tuples from the dataclasses become the lists JSON columns hold."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


@requires(Permission.EDIT_RECORDS)
def save_visit(ctx: Context, data: VisitData) -> Changed[VisitData]:
    """Create or update the visit and everything under it; return it as stored, and what changed."""
    errors = validate_visit(ctx, data)
    if errors:
        problems = ngettext(
            "The visit has {count} problem to fix", "The visit has {count} problems to fix", len(errors)
        )
        raise ValidationError(problems.format(count=len(errors)), errors)
    with ctx.write() as (session, writer):
        visit_values = _plain({f: getattr(data, f) for f in _VISIT_FIELDS})
        if data.admin_area_id and session.get(AdminArea, data.admin_area_id) is None:
            raise ValidationError(_("Unknown location"), {"admin_area_id": _("Unknown location")})
        found = None
        if data.id is not None:
            found = _visible_visit(session, data.id, ctx.principal)
            if found is None or found.deleted:
                raise _no_visit(data.id)
            if data.version and found.version != data.version:
                raise ValidationError(
                    _("Someone saved this visit after you opened it; reopen it to see their changes.")
                )
        if not level_visible(ctx.principal, data.confidentiality):
            # a user may not file a visit away from themselves: they could no longer see or mend it
            message = _("Your clearance does not reach this confidentiality level")
            raise ValidationError(message, {"confidentiality": message})
        if found is None:
            visit = writer.create(MonitoringVisit, visit_values)
        else:
            visit = found
            writer.update(visit, visit_values)
        removable = set(data.loaded_children)
        incident_ids = _save_children(
            session,
            writer,
            Incident,
            visit.id,
            [(i.id, _plain({f: getattr(i, f) for f in _INCIDENT_FIELDS})) for i in data.incidents],
            removable,
        )
        follow_up_ids = _save_children(
            session,
            writer,
            FollowUp,
            visit.id,
            [(f.id, _plain({k: getattr(f, k) for k in _FOLLOWUP_FIELDS})) for f in data.follow_ups],
            removable,
        )
        for follow_up_id, follow_up in zip(follow_up_ids, data.follow_ups, strict=True):
            _link_recommendations(session, writer, follow_up_id, follow_up.recommendation_ids)
        _save_people(
            session, writer, visit.id, data.people, incident_ids, removable, may_see_restricted(ctx.principal)
        )
        _retire_attachments(session, writer, visit.id, {a.id for a in data.attachments}, removable)
        session.flush()
        # read back in the same transaction: no second one just to see what was written
        stored = _load(session, visit.id, ctx.principal)
    return Changed(stored, ChangeSet.of(writer.record_types))


def _save_children(
    session: Session,
    writer: Writer,
    model: type[Incident] | type[FollowUp],
    visit_id: str,
    items: list[tuple[str | None, dict[str, Any]]],
    removable: set[str],
) -> list[str]:
    existing = {r.id: r for r in _live(session, model, model.visit_id, visit_id)}
    ids = []
    for child_id, values in items:
        record = existing.pop(child_id, None) if child_id else None
        if record is None:
            record = writer.create(model, {"visit_id": visit_id, **values})
        else:
            writer.update(record, values)
        ids.append(record.id)
    for gone in existing.values():
        if gone.id in removable:  # not one someone else added after this form was loaded
            writer.delete(gone)
    return ids


def _linked_recommendations(session: Session, follow_up_id: str) -> tuple[str, ...]:
    rows = session.execute(
        select(FollowUpRecommendation.recommendation_id)
        .where(FollowUpRecommendation.follow_up_id == follow_up_id, FollowUpRecommendation.deleted.is_(False))
        .order_by(FollowUpRecommendation.recommendation_id)
    ).scalars()
    return tuple(rows)


def _link_recommendations(
    session: Session, writer: Writer, follow_up_id: str, wanted_ids: tuple[str, ...]
) -> None:
    """Make the follow-up's links match ``wanted_ids``; a link removed and added again is restored,
    so one pair keeps one record."""
    links = {
        link.recommendation_id: link
        for link in session.execute(
            select(FollowUpRecommendation).where(FollowUpRecommendation.follow_up_id == follow_up_id)
        ).scalars()
    }
    wanted = set(wanted_ids)
    for recommendation_id in sorted(wanted):
        link = links.get(recommendation_id)
        if link is None:
            if session.get(Recommendation, recommendation_id) is None:
                raise ValidationError(_("Unknown recommendation {id}").format(id=recommendation_id))
            writer.create(
                FollowUpRecommendation, {"follow_up_id": follow_up_id, "recommendation_id": recommendation_id}
            )
        elif link.deleted:
            writer.restore(link)
    for recommendation_id, link in links.items():
        if recommendation_id not in wanted and not link.deleted:
            writer.delete(link)


def _save_people(
    session: Session,
    writer: Writer,
    visit_id: str,
    people: tuple[PersonData, ...],
    incident_ids: list[str],
    removable: set[str],
    identities_shown: bool,
) -> None:
    """Save the visit's people; ``identities_shown``: the user saw their identifying details,
    so what the form holds is what they meant (else it holds the redaction marker, and the
    stored details of people already there stay as they are)."""
    existing = {r.id: r for r in _live(session, Involvement, Involvement.visit_id, visit_id)}
    for data in people:
        incident_id = incident_ids[data.incident_index] if data.incident_index is not None else None
        person_values = {f: getattr(data, f) for f in _PERSON_FIELDS}
        identity_values = {f: getattr(data, f) for f in _IDENTITY_FIELDS}
        involvement = existing.pop(data.id, None) if data.id else None
        if involvement is None:
            person = writer.create(Person, person_values)
            writer.create(PersonIdentity, {"person_id": person.id, **identity_values})
            writer.create(
                Involvement,
                {"visit_id": visit_id, "incident_id": incident_id, "person_id": person.id, "role": data.role},
            )
            continue
        writer.update(involvement, {"role": data.role, "incident_id": incident_id})
        existing_person = session.get(Person, involvement.person_id)
        assert existing_person is not None
        writer.update(existing_person, person_values)
        identity = session.execute(
            select(PersonIdentity).where(PersonIdentity.person_id == existing_person.id)
        ).scalar_one_or_none()
        if identity is None:
            writer.create(PersonIdentity, {"person_id": existing_person.id, **identity_values})
        elif identities_shown:
            writer.update(identity, identity_values)
    for gone in existing.values():
        if gone.id in removable:
            writer.delete(gone)
            _retire_person(session, writer, gone.person_id)


def _retire_person(session: Session, writer: Writer, person_id: str) -> None:
    """A person no longer involved anywhere is tombstoned, identifying details included."""
    still_involved = session.execute(
        select(Involvement.id)
        .where(Involvement.person_id == person_id, Involvement.deleted.is_(False))
        .limit(1)
    ).first()
    if still_involved:
        return
    person = session.get(Person, person_id)
    if person is not None:
        writer.delete(person)
    identity = session.execute(select(PersonIdentity).where(PersonIdentity.person_id == person_id)).scalar()
    if identity is not None:
        writer.delete(identity)


def _retire_attachments(
    session: Session, writer: Writer, visit_id: str, keep: set[str], removable: set[str]
) -> None:
    for attachment in _live(session, Attachment, Attachment.visit_id, visit_id):
        if attachment.id not in keep and attachment.id in removable:
            writer.delete(attachment)


@requires(Permission.DELETE_RESTORE)
def delete_visit(ctx: Context, visit_id: str) -> ChangeSet:
    """Tombstone the visit and every live record that is part of it, as one deletion that
    ``restore_visit`` undoes; a person involved in no other visit goes with it."""
    with ctx.write() as (session, writer):
        visit = _visible_visit(session, visit_id, ctx.principal)
        if visit is None:
            raise _no_visit(visit_id)
        if visit.deleted:
            raise ValidationError(_("The visit {id} is already deleted").format(id=visit_id))
        with one_instant(writer):
            for part in parts_of(session, visit):
                if part.deleted:
                    continue
                writer.delete(part)
                if isinstance(part, Involvement):
                    _retire_person(session, writer, part.person_id)
            writer.delete(visit)
    return ChangeSet.of(writer.record_types)


@requires(Permission.DELETE_RESTORE)
def restore_visit(ctx: Context, visit_id: str) -> ChangeSet:
    """Bring back a deleted visit with the records deleted with it (people included), each as
    a logged change; those deleted before, on their own, stay deleted."""
    with ctx.write() as (session, writer):
        visit = _visible_visit(session, visit_id, ctx.principal)
        if visit is None:
            raise _no_visit(visit_id)
        if not visit.deleted:
            raise ValidationError(_("The visit {id} is not deleted").format(id=visit_id))
        mark = deletion_mark(session, visit)
        parts = parts_of(session, visit)
        # people (and their identities) are not part of a visit, but were retired with it
        nearby = referenced_records(session, parts, {visit.id, *(p.id for p in parts)})
        candidates = [*parts, *nearby, *(p for record in nearby for p in parts_of(session, record))]
        writer.restore(visit)
        for record in deleted_with(session, mark, candidates) if mark is not None else ():
            writer.restore(record)
    return ChangeSet.of(writer.record_types)


# -- attachments --------------------------------------------------------------------------


@requires(Permission.EDIT_RECORDS)
def add_attachment(ctx: Context, visit_id: str, path: Path, caption: str = "") -> Changed[AttachmentData]:
    """Store a file inside the store under its SHA-256 and attach it to the visit."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError(
            _("Cannot read {path}: {reason}").format(path=path, reason=reason_for(exc))
        ) from exc
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("{path} is larger than 200 MB").format(path=path.name))
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    with ctx.write() as (session, writer):
        visit = _visible_visit(session, visit_id, ctx.principal)
        if visit is None or visit.deleted:
            raise _no_visit(visit_id)
        if session.get(AttachmentBlob, digest) is None:
            session.add(AttachmentBlob(sha256=digest, size=size, data=content))
        record = writer.create(
            Attachment,
            {
                "visit_id": visit_id,
                "sha256": digest,
                "filename": path.name,
                "media_type": media_type,
                "size": size,
                "caption": caption,
            },
        )
        stored = AttachmentData(record.id, path.name, media_type, size, digest, caption)
    return Changed(stored, ChangeSet.of(writer.record_types))


@requires(Permission.VIEW_RECORDS)
def attachment_bytes(ctx: Context, sha256: str) -> bytes:
    """The file's bytes, when one of the visits the user may see holds it (else ``NotFound``)."""
    with ctx.store.read() as session:
        blob = session.get(AttachmentBlob, sha256)
        visible = visibility_conditions(Attachment, ctx.principal)
        if visible and blob is not None:
            in_sight = select(Attachment.id).where(Attachment.sha256 == sha256, *visible).limit(1)
            blob = blob if session.execute(in_sight).first() else None
        if blob is None:
            raise NotFound(_("The file {sha256} is not in this store").format(sha256=sha256[:12]))
        if hashlib.sha256(blob.data).hexdigest() != sha256:
            raise ValidationError(_("The stored file {sha256} is damaged").format(sha256=sha256[:12]))
        return blob.data


def with_changes(data: VisitData, **changes: Any) -> VisitData:
    """A copy of ``data`` with some fields replaced (the editor builds values this way)."""
    return dataclasses.replace(data, **changes)
