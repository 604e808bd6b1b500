"""The office's secret keys as one compact bundle, and that bundle cut into key shares.

A *bundle* holds everything a new laptop needs to become the office again: the age
identity, the minisign key pair (key id and seed), the office code, name, type and parent.
It is binary and small (about 120 bytes plus the names), so that a share of it fits a QR
code a phone or ``zbarimg`` reads from paper:

    "FKB" 01 | age secret (32) | minisign key id (8) | minisign seed (32)
    | code, name, type, parent: each a 2-byte big-endian length and UTF-8 (parent may be empty)

A *share* is one Shamir share (``fieldkit.crypto.shamir``) of a bundle, framed so that a
wrong, mixed or damaged share is named rather than silently giving wrong keys:

    01 | split id (4, random per split) | fingerprint (15) | k | n | i | share bytes | check (8)

``check`` is BLAKE2b-64 over everything before it. The fingerprint is the office's public
fingerprint (``fieldkit.crypto.keys.fingerprint``), so a share says whose keys it holds
without giving away anything secret. As text, a share is ``FIELDKIT-SHARE-1:`` followed by
the RFC 4648 base32 of those bytes (no padding): all characters of QR's alphanumeric mode,
and forgiving of case, spaces and line breaks when typed back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldkit.crypto import KeyFormatError, agebox, shamir
from fieldkit.crypto.keys import FINGERPRINT_ALPHABET, OfficeKeys, normalize_fingerprint
from fieldkit.crypto.minisign import MinisignKeyPair
from fieldkit.i18n import _, ngettext

__all__ = [
    "MAX_SHARES",
    "MIN_THRESHOLD",
    "SHARE_PREFIX",
    "KeyBundle",
    "KeyShare",
    "ShareError",
    "combine_shares",
    "parse_share",
    "split_bundle",
]

SHARE_PREFIX = "FIELDKIT-SHARE-1:"
MIN_THRESHOLD = 2
MAX_SHARES = 16

_BUNDLE_MAGIC = b"FKB\x01"
_SHARE_VERSION = 1
_SPLIT_ID_BYTES = 4
_FINGERPRINT_BYTES = 15
_CHECK_BYTES = 8
_HEADER_BYTES = 1 + _SPLIT_ID_BYTES + _FINGERPRINT_BYTES + 3

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_AGE_HRP = "age-secret-key-"


class ShareError(KeyFormatError):
    """A key share is damaged, from another office or split, repeated, or too few were given.
    The message (translated) names the share."""


# ------------------------------------------------------------------ age identities as bytes


def _bech32_polymod(values: Sequence[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generator[i] if (top >> i) & 1 else 0
    return checksum


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _regroup(data: Sequence[int], source: int, target: int, pad: bool) -> list[int]:
    acc, bits, out = 0, 0, []
    for value in data:
        acc = (acc << source) | value
        bits += source
        while bits >= target:
            bits -= target
            out.append((acc >> bits) & ((1 << target) - 1))
    if pad and bits:
        out.append((acc << (target - bits)) & ((1 << target) - 1))
    elif not pad and (bits >= source or (acc << (target - bits)) & ((1 << target) - 1)):
        raise KeyFormatError("not a valid age identity (bad padding)")
    return out


def age_identity_bytes(identity: str) -> bytes:
    """The 32-byte X25519 secret inside an ``AGE-SECRET-KEY-1...`` string (bech32)."""
    text = identity.strip().lower()
    if not text.startswith(_AGE_HRP + "1"):
        raise KeyFormatError("not a valid age identity (expected AGE-SECRET-KEY-1...)")
    try:
        data = [_BECH32.index(c) for c in text[len(_AGE_HRP) + 1 :]]
    except ValueError:
        raise KeyFormatError("not a valid age identity (bad character)") from None
    if _bech32_polymod(_hrp_expand(_AGE_HRP) + data) != 1:
        raise KeyFormatError("not a valid age identity (bad checksum)")
    secret = bytes(_regroup(data[:-6], 5, 8, pad=False))
    if len(secret) != 32:
        raise KeyFormatError("not a valid age identity (wrong length)")
    return secret


def age_identity_from_bytes(secret: bytes) -> str:
    """The ``AGE-SECRET-KEY-1...`` string for a 32-byte X25519 secret, as age writes it."""
    if len(secret) != 32:
        raise KeyFormatError("an age secret key is 32 bytes")
    data = _regroup(secret, 8, 5, pad=True)
    polymod = _bech32_polymod(_hrp_expand(_AGE_HRP) + data + [0] * 6) ^ 1
    data += [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return (_AGE_HRP + "1" + "".join(_BECH32[d] for d in data)).upper()


# ------------------------------------------------------------------------------- bundle


@dataclass(frozen=True)
class KeyBundle:
    """The office's keys with the identity that goes with them; ``repr`` shows no secret."""

    keys: OfficeKeys = field(repr=False)
    office_code: str
    office_name: str
    office_type: str
    parent_code: str | None

    @property
    def fingerprint(self) -> str:
        return self.keys.fingerprint

    def to_bytes(self) -> bytes:
        out = bytearray(_BUNDLE_MAGIC)
        out += age_identity_bytes(self.keys.age_identity)
        out += self.keys.minisign.key_id + self.keys.minisign.secret_seed
        for text in (self.office_code, self.office_name, self.office_type, self.parent_code or ""):
            encoded = text.encode("utf-8")
            if len(encoded) > 0xFFFF:
                raise ValueError("office field too long for a key bundle")
            out += len(encoded).to_bytes(2, "big") + encoded
        return bytes(out)

    @classmethod
    def from_bytes(cls, raw: bytes) -> KeyBundle:
        if raw[: len(_BUNDLE_MAGIC)] != _BUNDLE_MAGIC:
            raise KeyFormatError("not a FieldKit key bundle")
        pos = len(_BUNDLE_MAGIC)
        age_secret, key_id, seed = raw[pos : pos + 32], raw[pos + 32 : pos + 40], raw[pos + 40 : pos + 72]
        pos += 72
        texts = []
        for _field_number in range(4):
            size = int.from_bytes(raw[pos : pos + 2], "big")
            chunk = raw[pos + 2 : pos + 2 + size]
            if pos + 2 > len(raw) or len(chunk) != size:
                raise KeyFormatError("the key bundle is cut short")
            try:
                texts.append(chunk.decode("utf-8"))
            except UnicodeDecodeError:
                raise KeyFormatError("the key bundle is damaged") from None
            pos += 2 + size
        if pos != len(raw) or len(seed) != 32:
            raise KeyFormatError("the key bundle has the wrong length")
        identity = age_identity_from_bytes(age_secret)
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
        keys = OfficeKeys(
            age_identity=identity,
            age_recipient=agebox.recipient_from_identity(identity),
            minisign=MinisignKeyPair(key_id=key_id, public_key=public, secret_seed=seed),
        )
        code, name, kind, parent = texts
        return cls(keys, code, name, kind, parent or None)


# ------------------------------------------------------------------------------- shares


def _fingerprint_bytes(fingerprint: str) -> bytes:
    compact = normalize_fingerprint(fingerprint).replace("-", "")
    value = 0
    for ch in compact:
        value = value << 5 | FINGERPRINT_ALPHABET.index(ch)
    return value.to_bytes(_FINGERPRINT_BYTES, "big")


def _fingerprint_text(raw: bytes) -> str:
    value = int.from_bytes(raw, "big")
    chars = "".join(FINGERPRINT_ALPHABET[(value >> (5 * (23 - i))) & 31] for i in range(24))
    return "-".join(chars[i : i + 4] for i in range(0, 24, 4))


def _check(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=_CHECK_BYTES).digest()


@dataclass(frozen=True)
class KeyShare:
    """Share ``index`` of ``count`` of one split of an office's keys; ``threshold`` rebuild them."""

    split_id: bytes
    fingerprint: str
    threshold: int
    count: int
    index: int
    values: bytes = field(repr=False)

    def to_bytes(self) -> bytes:
        body = (
            bytes([_SHARE_VERSION])
            + self.split_id
            + _fingerprint_bytes(self.fingerprint)
            + bytes([self.threshold, self.count, self.index])
            + self.values
        )
        return body + _check(body)

    @property
    def text(self) -> str:
        """One line: the prefix and base32, what the QR code holds."""
        return SHARE_PREFIX + base64.b32encode(self.to_bytes()).decode("ascii").rstrip("=")

    def grouped_text(self, group: int = 5, per_line: int = 8) -> list[str]:
        """The base32 part in groups of ``group`` characters, ``per_line`` groups a line, for
        copying by hand from paper; ``parse_share`` takes it back, spaces and all."""
        body = self.text[len(SHARE_PREFIX) :]
        groups = [body[i : i + group] for i in range(0, len(body), group)]
        return [" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line)]

    @property
    def label(self) -> str:
        return ngettext("share {index} of {count}", "share {index} of {count}", self.count).format(
            index=self.index, count=self.count
        )


def split_bundle(bundle: KeyBundle, threshold: int, count: int) -> list[KeyShare]:
    """Cut ``bundle`` into ``count`` shares, any ``threshold`` of which rebuild it."""
    if not MIN_THRESHOLD <= threshold <= count <= MAX_SHARES:
        raise ShareError(
            _(
                "Choose between {low} and {high} shares, and a number needed between {low} and "
                "the number of shares"
            ).format(low=MIN_THRESHOLD, high=MAX_SHARES)
        )
    split_id = os.urandom(_SPLIT_ID_BYTES)
    return [
        KeyShare(split_id, bundle.fingerprint, threshold, count, index, values)
        for index, values in shamir.split(bundle.to_bytes(), threshold, count)
    ]


def parse_share(text: str, source: str = "") -> KeyShare:
    """Read a share's text (as written, or typed back with spaces, breaks or lower case).

    ``source`` names where it came from (a file name) in the error messages.
    """
    where = source or _("the share")
    compact = "".join(text.split()).upper()
    if not compact.startswith(SHARE_PREFIX):
        raise ShareError(_("{source} is not a FieldKit key share").format(source=where))
    body = compact[len(SHARE_PREFIX) :].replace("-", "")
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise ShareError(
            _("{source} is damaged or mistyped: it holds characters a share never has").format(source=where)
        ) from None
    if len(raw) <= _HEADER_BYTES + _CHECK_BYTES or not hmac.compare_digest(
        raw[-_CHECK_BYTES:], _check(raw[:-_CHECK_BYTES])
    ):
        raise ShareError(_("{source} is damaged or mistyped: its check does not match").format(source=where))
    if raw[0] != _SHARE_VERSION:
        raise ShareError(
            _("{source} was made by a newer FieldKit; update FieldKit to read it").format(source=where)
        )
    pos = 1
    split_id = raw[pos : pos + _SPLIT_ID_BYTES]
    pos += _SPLIT_ID_BYTES
    fingerprint = _fingerprint_text(raw[pos : pos + _FINGERPRINT_BYTES])
    pos += _FINGERPRINT_BYTES
    threshold, count, index = raw[pos], raw[pos + 1], raw[pos + 2]
    if not (MIN_THRESHOLD <= threshold <= count <= MAX_SHARES and 1 <= index <= count):
        raise ShareError(_("{source} is damaged: its numbers do not add up").format(source=where))
    return KeyShare(split_id, fingerprint, threshold, count, index, raw[_HEADER_BYTES:-_CHECK_BYTES])


def combine_shares(shares: Sequence[KeyShare]) -> KeyBundle:
    """Rebuild the bundle from shares of one split; say which share is wrong if one is."""
    if not shares:
        raise ShareError(_("No key shares were given"))
    first = shares[0]
    seen: dict[int, KeyShare] = {}
    for share in shares:
        if share.fingerprint != first.fingerprint:
            raise ShareError(
                _(
                    "{share} holds the keys of another office (fingerprint {other}), not those of "
                    "{first} (fingerprint {fingerprint})"
                ).format(
                    share=share.label,
                    other=share.fingerprint,
                    first=first.label,
                    fingerprint=first.fingerprint,
                )
            )
        if share.split_id != first.split_id or (share.threshold, share.count) != (
            first.threshold,
            first.count,
        ):
            raise ShareError(
                _(
                    "{share} comes from another split of these keys than {first}; shares of "
                    "different splits do not fit together"
                ).format(share=share.label, first=first.label)
            )
        if share.index in seen:
            if seen[share.index].values != share.values:
                raise ShareError(
                    _("Two different shares both say they are {share}").format(share=share.label)
                )
            continue  # the same share given twice counts once
        seen[share.index] = share
    if len(seen) < first.threshold:
        raise ShareError(
            ngettext(
                "{needed} shares are needed to restore the keys; only {given} was given",
                "{needed} shares are needed to restore the keys; only {given} were given",
                len(seen),
            ).format(needed=first.threshold, given=len(seen))
        )
    chosen = sorted(seen.values(), key=lambda s: s.index)[: first.threshold]
    secret = shamir.combine([(s.index, s.values) for s in chosen])
    try:
        bundle = KeyBundle.from_bytes(secret)
    except KeyFormatError:
        bundle = None
    if bundle is None or bundle.fingerprint != first.fingerprint:
        raise ShareError(
            _(
                "The shares do not rebuild the keys of fingerprint {fingerprint}: one of them is damaged"
            ).format(fingerprint=first.fingerprint)
        )
    return bundle
