"""Backing up the office's secret keys, and restoring them on a new computer.

Two forms, both audited (``key-export``) and both needing ``MANAGE_OFFICE``:

* **passphrase**: a folder with the age identity encrypted to age's scrypt passphrase
  recipient (``age -d`` opens it), the minisign secret key in minisign's own encrypted
  format (``minisign -S -s`` signs with it), the public keys and the office card;
* **shares**: the keys cut into ``n`` Shamir shares, any ``k`` of which rebuild them
  (``fieldkit.crypto.keybackup``), each as text, a QR code and a printable page.

Restoring (``key-restore``) into a store without an office re-creates the office with its
code; into a store that is already the office, it refuses keys of any other fingerprint and
puts the keys back. FieldKit never writes the secret keys unencrypted.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.crypto import CryptoError, DecryptionError, agebox, minisign
from fieldkit.crypto.keybackup import (
    SHARE_PREFIX,
    KeyBundle,
    KeyShare,
    ShareError,
    combine_shares,
    parse_share,
    split_bundle,
)
from fieldkit.crypto.keys import OfficeKeys, normalize_fingerprint
from fieldkit.domain.keys import local_keys
from fieldkit.errors import ValidationError, reason_for
from fieldkit.i18n import _, ngettext
from fieldkit.paths import create_private_file
from fieldkit.services.cards import card_to_json, office_card, read_card
from fieldkit.services.office import local_office, validate_office_fields
from fieldkit.services.share_pages import render_share
from fieldkit.store import audit as chain
from fieldkit.store import office_keys
from fieldkit.store.audit import append_event
from fieldkit.store.system import Office, OfficeSecret, OriginSequence

#: a recovery passphrase shorter than this is refused: it guards every record the office holds
MIN_PASSPHRASE_CHARS = 12

AGE_IDENTITY_SUFFIX = ".age-identity.age"
MINISIGN_KEY_SUFFIX = ".minisign.key"
CARD_SUFFIX = ".card"


@dataclass(frozen=True)
class KeyBackup:
    """What a backup wrote: the files, and the fingerprint of the keys they hold."""

    files: tuple[Path, ...]
    fingerprint: str


@dataclass(frozen=True)
class RestoredKeys:
    office_code: str
    office_name: str
    fingerprint: str
    #: the store had no office and now is this one (else its keys were put back)
    created_office: bool


def check_recovery_passphrase(passphrase: str, repeated: str | None = None) -> None:
    """Refuse a passphrase too short to guard the keys, or one typed differently twice."""
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise ValidationError(
            ngettext(
                "A recovery passphrase needs at least {count} character; several words are best",
                "A recovery passphrase needs at least {count} characters; several words are best",
                MIN_PASSPHRASE_CHARS,
            ).format(count=MIN_PASSPHRASE_CHARS)
        )
    if repeated is not None and repeated != passphrase:
        raise ValidationError(_("The two passphrases differ"))


def _bundle(ctx: Context) -> KeyBundle:
    info = local_office(ctx)
    if info is None:
        ctx.require_office()
        raise AssertionError("an office without a row")
    return KeyBundle(local_keys(ctx), info.code, info.name, info.office_type, info.parent_code)


def _write_private(path: Path, data: bytes) -> Path:
    create_private_file(path)  # a copy from an earlier backup may be readable by others
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def _backup_readme(code: str, fingerprint: str) -> str:
    return "\n".join(
        [
            _("FieldKit key backup of office {code}").format(code=code),
            _("Fingerprint: {fingerprint}").format(fingerprint=fingerprint),
            "",
            _("The secret keys here are encrypted with the recovery passphrase."),
            _("To restore them on a new computer: fieldkit keys restore --from-backup FOLDER"),
            _("Without FieldKit: age -d {file} asks for the passphrase and shows the age identity;").format(
                file=code + AGE_IDENTITY_SUFFIX
            ),
            _("minisign -S -s {file} -m FILE asks for it and signs.").format(file=code + MINISIGN_KEY_SUFFIX),
            "",
        ]
    )


@requires(Permission.EXPORT_KEYS)
def backup_keys(
    ctx: Context,
    out_dir: Path,
    passphrase: str,
    *,
    minisign_cost: tuple[int, int] = (minisign.OPSLIMIT_BACKUP, minisign.MEMLIMIT_BACKUP),
) -> KeyBackup:
    """Write the keys encrypted under ``passphrase`` in the reference tools' own formats.

    ``minisign_cost`` is scrypt's (opslimit, memlimit) for the minisign key; age picks its own.
    """
    check_recovery_passphrase(passphrase)
    bundle = _bundle(ctx)
    keys, code = bundle.keys, bundle.office_code
    out_dir.mkdir(parents=True, exist_ok=True)
    opslimit, memlimit = minisign_cost
    identity_text = agebox.identity_file(keys.age_identity, keys.age_recipient, ctx.now())
    contents = {
        code + AGE_IDENTITY_SUFFIX: agebox.encrypt_with_passphrase(identity_text.encode("ascii"), passphrase),
        code + MINISIGN_KEY_SUFFIX: minisign.secret_key_file(
            keys.minisign, passphrase, opslimit=opslimit, memlimit=memlimit
        ).encode("ascii"),
        f"{code}.minisign.pub": minisign.public_key_file(keys.minisign).encode("ascii"),
        f"{code}.age-recipient.txt": (keys.age_recipient + "\n").encode("ascii"),
        code + CARD_SUFFIX: _card_bytes(ctx),
        "README.txt": _backup_readme(code, bundle.fingerprint).encode("utf-8"),
    }
    with ctx.store.write() as session:  # the audit row and the files: both or neither
        files = tuple(_write_private(out_dir / name, data) for name, data in contents.items())
        append_event(
            session,
            at=ctx.now(),
            actor=ctx.user,
            action=chain.ACTION_KEY_EXPORT,
            detail={"form": "passphrase", "files": sorted(contents)},
        )
    return KeyBackup(files, bundle.fingerprint)


def _card_bytes(ctx: Context) -> bytes:
    import json

    text = json.dumps(card_to_json(office_card(ctx)), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8")


@requires(Permission.EXPORT_KEYS)
def split_keys(ctx: Context, out_dir: Path, threshold: int, count: int) -> KeyBackup:
    """Cut the keys into ``count`` shares, any ``threshold`` of which restore them; each share
    as ``CODE-share-I-of-N`` .txt, .png, .svg (QR code) and .pdf (a page to print)."""
    bundle = _bundle(ctx)
    try:
        shares = split_bundle(bundle, threshold, count)
    except ShareError as exc:
        raise ValidationError(str(exc)) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with ctx.store.write() as session:
        for share in shares:
            docs = render_share(share, bundle.office_code, bundle.office_name)
            stem = f"{bundle.office_code}-share-{share.index}-of-{share.count}"
            for suffix, data in (
                (".txt", docs.text),
                (".png", docs.png),
                (".svg", docs.svg),
                (".pdf", docs.pdf),
            ):
                written.append(_write_private(out_dir / (stem + suffix), data))
        append_event(
            session,
            at=ctx.now(),
            actor=ctx.user,
            action=chain.ACTION_KEY_EXPORT,
            detail={"form": "shares", "threshold": threshold, "count": count},
        )
    return KeyBackup(tuple(written), bundle.fingerprint)


# ------------------------------------------------------------------------------ restore


@dataclass(frozen=True)
class OfficeFields:
    """The office's name, type and parent when the backup does not say (or to change them)."""

    name: str | None = None
    office_type: str | None = None
    parent_code: str | None = None


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise ValidationError(_("No such file: {path}").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            _("{name} cannot be read: {reason}").format(name=path.name, reason=reason_for(exc))
        ) from None


def read_share_files(paths: Sequence[Path]) -> list[KeyShare]:
    """Shares from text files (one share each; as written, or typed back by hand)."""
    shares = []
    for path in paths:
        try:
            shares.append(parse_share(_read_text(path), path.name))
        except ShareError as exc:
            raise ValidationError(str(exc)) from None
    return shares


@requires(Permission.MANAGE_OFFICE)
def restore_from_shares(
    ctx: Context, shares: Sequence[KeyShare], fields: OfficeFields | None = None
) -> RestoredKeys:
    """Rebuild the keys from ``k`` shares and make this store the office (or give it its keys back)."""
    try:
        bundle = combine_shares(shares)
    except ShareError as exc:
        raise ValidationError(str(exc)) from None
    return _install(ctx, bundle, fields or OfficeFields(), "shares")


def _backup_files(paths: Sequence[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in paths:
        candidates = sorted(path.iterdir()) if path.is_dir() else [path]
        for candidate in candidates:
            for suffix in (AGE_IDENTITY_SUFFIX, MINISIGN_KEY_SUFFIX, CARD_SUFFIX):
                if candidate.name.endswith(suffix):
                    if suffix in found and found[suffix] != candidate:
                        raise ValidationError(
                            _(
                                "{first} and {second} are both given; restore one office's backup at a time"
                            ).format(first=found[suffix].name, second=candidate.name)
                        )
                    found[suffix] = candidate
    return found


@requires(Permission.MANAGE_OFFICE)
def restore_from_backup(
    ctx: Context, paths: Sequence[Path], passphrase: str, fields: OfficeFields | None = None
) -> RestoredKeys:
    """Open a passphrase backup (its folder, or its files) and install the keys it holds."""
    return _install(ctx, open_key_backup(ctx, paths, passphrase), fields or OfficeFields(), "passphrase")


def parse_share_text(text: str, source: str = "") -> list[KeyShare]:
    """Shares typed or pasted together: each begins with its ``FIELDKIT-SHARE-1:`` prefix."""
    compact = "".join(text.split()).upper()
    if not compact:
        return []
    parts = compact.split(SHARE_PREFIX)
    if parts[0]:  # text before the first share
        raise ValidationError(
            _("{source} is not a FieldKit key share").format(source=source or _("the share"))
        )
    shares = []
    for number, part in enumerate(parts[1:], start=1):
        where = _("{source}, share {number}").format(source=source, number=number) if source else ""
        try:
            shares.append(parse_share(SHARE_PREFIX + part, where))
        except ShareError as exc:
            raise ValidationError(str(exc)) from None
    return shares


def check_shares(shares: Sequence[KeyShare]) -> KeyBundle:
    """The keys the shares rebuild; too few, mixed or damaged shares are refused (nothing is written)."""
    try:
        return combine_shares(shares)
    except ShareError as exc:
        raise ValidationError(str(exc)) from None


@requires(Permission.MANAGE_OFFICE)
def open_key_backup(ctx: Context, paths: Sequence[Path], passphrase: str) -> KeyBundle:
    """The keys and office a passphrase backup holds, read but not installed (nothing is written)."""
    found = _backup_files(paths)
    missing = [s for s in (AGE_IDENTITY_SUFFIX, MINISIGN_KEY_SUFFIX) if s not in found]
    if missing:
        raise ValidationError(
            _("No {kind} file among the files given: a key backup holds CODE{age} and CODE{minisign}").format(
                kind=", ".join("*" + s for s in missing),
                age=AGE_IDENTITY_SUFFIX,
                minisign=MINISIGN_KEY_SUFFIX,
            )
        )
    age_path, key_path = found[AGE_IDENTITY_SUFFIX], found[MINISIGN_KEY_SUFFIX]
    try:
        age_data = age_path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            _("{name} cannot be read: {reason}").format(name=age_path.name, reason=reason_for(exc))
        ) from None
    try:
        identity_text = agebox.decrypt_with_passphrase(age_data, passphrase).decode("ascii", "replace")
        keypair = minisign.parse_secret_key_file(_read_text(key_path), passphrase)
    except DecryptionError as exc:
        if "wrong passphrase" in str(exc):
            raise ValidationError(_("Wrong recovery passphrase for this key backup")) from None
        raise ValidationError(_("The key backup is damaged: {name}").format(name=age_path.name)) from None
    except CryptoError:
        raise ValidationError(_("The key backup is damaged: {name}").format(name=key_path.name)) from None
    identity = next(
        (line.strip() for line in identity_text.splitlines() if line.startswith("AGE-SECRET-KEY-1")), ""
    )
    try:
        keys = OfficeKeys(identity, agebox.recipient_from_identity(identity), keypair)
    except CryptoError:
        raise ValidationError(_("The key backup is damaged: {name}").format(name=age_path.name)) from None
    code = age_path.name[: -len(AGE_IDENTITY_SUFFIX)]
    name = kind = parent = None
    if CARD_SUFFIX in found:
        card = read_card(ctx, found[CARD_SUFFIX])
        if normalize_fingerprint(card.fingerprint) != keys.fingerprint:
            raise ValidationError(
                _("The office card {name} is not the card of these keys (fingerprint {fingerprint})").format(
                    name=found[CARD_SUFFIX].name, fingerprint=keys.fingerprint
                )
            )
        code, name, kind, parent = card.code, card.name, card.office_type, card.parent_code
    return KeyBundle(keys, code, name or "", kind or "", parent)


def _install(ctx: Context, bundle: KeyBundle, fields: OfficeFields, form: str) -> RestoredKeys:
    """Make the store the office of ``bundle`` (none yet), or give the office its keys back."""
    code = bundle.office_code
    name = (fields.name or bundle.office_name).strip()
    kind = fields.office_type or bundle.office_type
    parent = fields.parent_code if fields.parent_code is not None else bundle.parent_code
    fingerprint = bundle.fingerprint
    audit = {"form": form, "fingerprint": fingerprint}
    if ctx.office_code is None:
        errors = validate_office_fields(ctx, code, name, kind, parent or None)
        if errors:
            raise ValidationError(" ".join(errors.values()), errors)
        keys = bundle.keys
        with ctx.store.write() as session:
            if session.get(Office, code) is not None:
                raise ValidationError(_("Office {code} is already known to this store").format(code=code))
            session.add(
                Office(
                    code=code,
                    name=name,
                    office_type=kind,
                    parent_code=parent or None,
                    age_recipient=keys.age_recipient,
                    minisign_public_key=keys.minisign_public_key_line,
                    fingerprint=fingerprint,
                    is_local=True,
                    trusted_at=ctx.now(),
                )
            )
            session.merge(
                OfficeSecret(
                    code=code, keys=office_keys.stored_keys(session, ctx.store, code, keys.to_json())
                )
            )
            if session.get(OriginSequence, code) is None:
                session.add(OriginSequence(origin_office=code, last_seq=0))
            append_event(session, at=ctx.now(), actor=ctx.user, action=chain.ACTION_KEY_RESTORE, detail=audit)
        ctx.office_code = code
        return RestoredKeys(code, name, fingerprint, created_office=True)
    info = local_office(ctx)
    assert info is not None, "an office code without its row"
    if info.code != code or normalize_fingerprint(info.fingerprint) != fingerprint:
        raise ValidationError(
            _(
                "These keys are office {code}'s (fingerprint {fingerprint}); this store is office "
                "{local} (fingerprint {local_fingerprint}). Nothing was changed."
            ).format(code=code, fingerprint=fingerprint, local=info.code, local_fingerprint=info.fingerprint)
        )
    with ctx.store.write() as session:
        session.merge(
            OfficeSecret(
                code=code, keys=office_keys.stored_keys(session, ctx.store, code, bundle.keys.to_json())
            )
        )
        append_event(session, at=ctx.now(), actor=ctx.user, action=chain.ACTION_KEY_RESTORE, detail=audit)
    return RestoredKeys(code, info.name, fingerprint, created_office=False)
