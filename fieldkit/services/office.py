"""Office identity: which office this installation is, and which partners it trusts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select

from fieldkit.access import Permission, requires
from fieldkit.changeset import Changed, ChangeSet
from fieldkit.context import Context
from fieldkit.crypto.keys import OfficeKeys
from fieldkit.domain.vocab import vocabularies
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.store import office_keys
from fieldkit.store.system import Office, OfficeSecret, OriginSequence

OFFICE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")


@dataclass(frozen=True)
class OfficeInfo:
    code: str
    name: str
    office_type: str
    parent_code: str | None
    age_recipient: str
    minisign_public_key: str
    fingerprint: str
    is_local: bool
    trusted_at: dt.datetime | None


def _info(row: Office) -> OfficeInfo:
    return OfficeInfo(
        code=row.code,
        name=row.name,
        office_type=row.office_type,
        parent_code=row.parent_code,
        age_recipient=row.age_recipient,
        minisign_public_key=row.minisign_public_key,
        fingerprint=row.fingerprint,
        is_local=row.is_local,
        trusted_at=row.trusted_at,
    )


@requires(Permission.MANAGE_OFFICE)
def validate_office_fields(
    ctx: Context, code: str, name: str, office_type: str, parent_code: str | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not OFFICE_CODE.match(code or ""):
        errors["code"] = _(
            "An office code is 2 to 32 capital letters, digits or hyphens, such as KE-NBO or ROWCA"
        )
    if not (name or "").strip():
        errors["name"] = _("The office needs a name")
    types = vocabularies(ctx).codes("office_type")
    if office_type not in types:
        errors["office_type"] = _("Unknown office type '{value}'; use one of: {choices}").format(
            value=office_type, choices=", ".join(sorted(types))
        )
    if parent_code and not OFFICE_CODE.match(parent_code):
        errors["parent_code"] = _("The parent office code is not a valid office code")
    if parent_code and parent_code == code:
        errors["parent_code"] = _("An office cannot be its own parent")
    return errors


@requires(Permission.MANAGE_OFFICE)
def init_office(
    ctx: Context, code: str, name: str, office_type: str, parent_code: str | None = None
) -> Changed[OfficeInfo]:
    """Make this installation an office and generate its key pairs."""
    code = (code or "").strip().upper()
    parent_code = (parent_code or "").strip().upper() or None
    errors = validate_office_fields(ctx, code, name, office_type, parent_code)
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    if ctx.office_code is not None:
        raise ValidationError(
            _("This store already belongs to office {code}; use a new store for another office.").format(
                code=ctx.office_code
            )
        )
    keys = OfficeKeys.generate()
    row = Office(
        code=code,
        name=name.strip(),
        office_type=office_type,
        parent_code=parent_code,
        age_recipient=keys.age_recipient,
        minisign_public_key=keys.minisign_public_key_line,
        fingerprint=keys.fingerprint,
        is_local=True,
        trusted_at=ctx.now(),
    )
    with ctx.store.write() as session:
        if session.get(Office, code) is not None:
            raise ValidationError(_("Office {code} is already known to this store").format(code=code))
        session.add(row)
        session.add(
            OfficeSecret(code=code, keys=office_keys.stored_keys(session, ctx.store, code, keys.to_json()))
        )
        if session.get(OriginSequence, code) is None:
            session.add(OriginSequence(origin_office=code, last_seq=0))
        info = _info(row)
    ctx.office_code = code
    return Changed(info, ChangeSet(offices=True))


@requires(Permission.VIEW_RECORDS)
def local_office(ctx: Context) -> OfficeInfo | None:
    with ctx.store.read() as session:
        row = session.execute(select(Office).where(Office.is_local.is_(True))).scalar_one_or_none()
        return _info(row) if row else None


@requires(Permission.VIEW_RECORDS)
def list_offices(ctx: Context) -> list[OfficeInfo]:
    with ctx.store.read() as session:
        return [_info(r) for r in session.execute(select(Office).order_by(Office.code)).scalars()]
