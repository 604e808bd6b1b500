"""Generic record operations any typed service builds on: get, update, delete, restore.

Values are plain Python values keyed by field name; results are plain dicts in
the JSON-safe form of ``fieldkit.store.codec`` so they never carry a session.
A record above the user's clearance is missing for them (the same ``NotFound``), and a
record read for someone who may not see its restricted fields has them redacted.
"""

from __future__ import annotations

from typing import Any

from fieldkit.access import Permission, Principal, requires
from fieldkit.context import Context
from fieldkit.domain.validation import check_record
from fieldkit.domain.vocab import vocabularies
from fieldkit.errors import NotFound, ValidationError
from fieldkit.i18n import _, ngettext
from fieldkit.store.base import SyncedRecord
from fieldkit.store.clearance import record_visible, redact
from fieldkit.store.codec import record_to_dict
from fieldkit.store.registry import MODEL_BY_TYPE, confidentiality_path, references, type_label


def model_for(record_type: str) -> type[SyncedRecord]:
    try:
        return MODEL_BY_TYPE[record_type]
    except KeyError:
        raise ValidationError(_("Unknown record type '{name}'").format(name=record_type)) from None


def _found(
    session: Any, model: type[SyncedRecord], record_id: str, principal: Principal, *, live: bool
) -> Any:
    """The record, or ``NotFound`` naming it (``live``: a tombstone counts as missing; one
    ``principal`` may not see is missing too, in the same words)."""
    record = session.get(model, record_id)
    if (
        record is None
        or (live and record.deleted)
        or not record_visible(session, model, record_id, principal)
    ):
        raise NotFound(_("No {record_type} with id {id}").format(record_type=model.record_type, id=record_id))
    return record


@requires(Permission.VIEW_RECORDS)
def get_record(
    ctx: Context, record_type: str, record_id: str, *, include_deleted: bool = False
) -> dict[str, Any]:
    model = model_for(record_type)
    with ctx.store.read() as session:
        found = _found(session, model, record_id, ctx.principal, live=not include_deleted)
        return redact(record_type, record_to_dict(found), ctx.principal)


@requires(Permission.EDIT_RECORDS)
def create_record(ctx: Context, record_type: str, values: dict[str, Any]) -> dict[str, Any]:
    """Create a record of any declared type, checked against its declaration first."""
    model = model_for(record_type)
    _refuse_invalid(ctx, model, values)
    with ctx.write() as (session, writer):
        record = writer.create(model, values)
        _refuse_out_of_sight(session, record, ctx.principal)
        return redact(record_type, record_to_dict(record), ctx.principal)


def _refuse_out_of_sight(session: Any, record: SyncedRecord, principal: Principal) -> None:
    """A user may not write a record they could not see afterwards (a visit above their
    clearance, an incident of one): the write is refused and rolled back."""
    session.flush()
    if record_visible(session, type(record), record.id, principal):
        return
    path = confidentiality_path(record.record_type)
    if path is not None and path.steps:  # its parent is hidden: as missing as if it were not there
        parent_type = references(record.record_type)[path.steps[0]].record_type
        parent_id = getattr(record, path.steps[0])
        raise NotFound(_("No {record_type} with id {id}").format(record_type=parent_type, id=parent_id))
    raise ValidationError(_("Your clearance does not reach this confidentiality level"))


def _refuse_invalid(ctx: Context, model: type[SyncedRecord], values: dict[str, Any]) -> None:
    errors = check_record(vocabularies(ctx), model, values)
    if errors:
        raise ValidationError(
            ngettext(
                "The {record_type} has {count} problem to fix",
                "The {record_type} has {count} problems to fix",
                len(errors),
            ).format(record_type=type_label(model.record_type).lower(), count=len(errors)),
            errors,
        )


@requires(Permission.EDIT_RECORDS)
def update_record(
    ctx: Context,
    record_type: str,
    record_id: str,
    values: dict[str, Any],
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Change some fields; ``expected_version`` refuses to overwrite someone else's newer save."""
    model = model_for(record_type)
    with ctx.write() as (session, writer):
        record = _found(session, model, record_id, ctx.principal, live=True)
        if expected_version is not None and record.version != expected_version:
            raise ValidationError(
                _(
                    "This record was changed elsewhere since you opened it (version {theirs}, yours {ours})."
                ).format(theirs=record.version, ours=expected_version)
            )
        _refuse_invalid(ctx, model, values)
        writer.update(record, values)
        _refuse_out_of_sight(session, record, ctx.principal)
        return redact(record_type, record_to_dict(record), ctx.principal)


@requires(Permission.DELETE_RESTORE)
def delete_record(ctx: Context, record_type: str, record_id: str) -> None:
    """Tombstone a record (it can be restored, and the deletion syncs)."""
    model = model_for(record_type)
    with ctx.write() as (session, writer):
        writer.delete(_found(session, model, record_id, ctx.principal, live=False))


@requires(Permission.DELETE_RESTORE)
def restore_record(ctx: Context, record_type: str, record_id: str) -> None:
    model = model_for(record_type)
    with ctx.write() as (session, writer):
        writer.restore(_found(session, model, record_id, ctx.principal, live=False))
