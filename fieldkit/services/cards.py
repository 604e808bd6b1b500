"""Office cards: the public identity two offices exchange before they sync.

A card holds the office's code, name, type, parent, ``age`` recipient and
``minisign`` public key, and a short fingerprint that two people read to each
other over the phone before trusting it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.access import Permission, requires
from fieldkit.changeset import Changed, ChangeSet
from fieldkit.context import Context
from fieldkit.crypto import CryptoError, agebox, minisign
from fieldkit.crypto.keys import fingerprint, normalize_fingerprint
from fieldkit.domain.vocab import vocabularies
from fieldkit.errors import ValidationError, reason_for
from fieldkit.i18n import _
from fieldkit.services.office import OFFICE_CODE, OfficeInfo, list_offices, local_office
from fieldkit.store.system import Office

CARD_FORMAT = "fieldkit-office-card"


@dataclass(frozen=True)
class OfficeCard:
    code: str
    name: str
    office_type: str
    parent_code: str | None
    age_recipient: str
    minisign_public_key: str
    fingerprint: str


def card_to_json(card: OfficeCard) -> dict[str, Any]:
    return {
        "format": CARD_FORMAT,
        "version": 1,
        "code": card.code,
        "name": card.name,
        "type": card.office_type,
        "parent": card.parent_code,
        "age_recipient": card.age_recipient,
        "minisign_public_key": card.minisign_public_key,
        "fingerprint": card.fingerprint,
    }


@requires(Permission.MANAGE_OFFICE)
def office_card(ctx: Context) -> OfficeCard:
    """This office's card, as partners receive it."""
    info = local_office(ctx)
    if info is None:
        ctx.require_office()
        raise AssertionError("an office without a row")
    return OfficeCard(
        info.code,
        info.name,
        info.office_type,
        info.parent_code,
        info.age_recipient,
        info.minisign_public_key,
        info.fingerprint,
    )


@requires(Permission.MANAGE_OFFICE)
def write_card(ctx: Context, out: Path) -> OfficeCard:
    card = office_card(ctx)
    out.write_text(json.dumps(card_to_json(card), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return card


@requires(Permission.MANAGE_OFFICE)
def read_card(ctx: Context, path: Path) -> OfficeCard:
    """Parse and check a card; the fingerprint is recomputed, never taken on trust."""
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ValidationError(_("No such file: {path}").format(path=path)) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(
            _("{name} is not an office card: {reason}").format(name=path.name, reason=reason_for(exc))
        ) from exc
    if not isinstance(raw, dict) or raw.get("format") != CARD_FORMAT:
        raise ValidationError(_("{name} is not a FieldKit office card").format(name=path.name))
    try:
        code, name, kind = str(raw["code"]), str(raw["name"]), str(raw["type"])
        recipient, public_key = str(raw["age_recipient"]), str(raw["minisign_public_key"])
        parent = raw.get("parent")
    except KeyError as exc:
        raise ValidationError(_("The office card lacks {key}").format(key=exc.args[0])) from None
    if not OFFICE_CODE.match(code):
        raise ValidationError(_("The office card has an invalid office code"))
    if kind not in vocabularies(ctx).codes("office_type"):
        raise ValidationError(_("The office card has an unknown office type '{value}'").format(value=kind))
    try:
        recipient = agebox.normalize_recipient(recipient)
        minisign.parse_public_key(public_key)
    except CryptoError as exc:
        raise ValidationError(
            _("The office card holds a key that is damaged or not in a form FieldKit reads")
        ) from exc
    computed = fingerprint(recipient, public_key)
    if raw.get("fingerprint") and normalize_fingerprint(str(raw["fingerprint"])) != normalize_fingerprint(
        computed
    ):
        raise ValidationError(_("The office card's fingerprint does not match its keys: it was altered"))
    return OfficeCard(code, name, kind, str(parent) if parent else None, recipient, public_key, computed)


@requires(Permission.MANAGE_OFFICE)
def trust_card(ctx: Context, card: OfficeCard) -> Changed[OfficeInfo]:
    """Add (or re-key, after a new card) a partner office."""
    if card.code == ctx.office:
        raise ValidationError(_("This is this office's own card"))
    with ctx.store.write() as session:
        row = session.get(Office, card.code)
        if row is None:
            row = Office(code=card.code, is_local=False)
            session.add(row)
        row.name, row.office_type, row.parent_code = card.name, card.office_type, card.parent_code
        row.age_recipient, row.minisign_public_key = card.age_recipient, card.minisign_public_key
        row.fingerprint, row.trusted_at = card.fingerprint, ctx.now()
    info = next(o for o in list_offices(ctx) if o.code == card.code)
    return Changed(info, ChangeSet(offices=True))
