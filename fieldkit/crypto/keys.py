"""An office's long-term keys and the fingerprint people compare over the phone.

Each office has one age key pair (others encrypt sync packages to it) and one minisign
key pair (it signs what it sends). Offices exchange the public halves and confirm
them by reading ``fingerprint()`` to each other: a short, deterministic code over both
public keys, so swapping either key changes it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from fieldkit.crypto import KeyFormatError, agebox, minisign
from fieldkit.crypto.minisign import MinisignKeyPair

__all__ = [
    "FINGERPRINT_ALPHABET",
    "JSON_FORMAT",
    "OfficeKeys",
    "fingerprint",
    "normalize_fingerprint",
]

JSON_FORMAT = "fieldkit-office-keys/1"

# Crockford base32: no I, L, O or U, so nothing is misread over a bad phone line.
FINGERPRINT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FINGERPRINT_GROUPS = 6
_GROUP_LEN = 4
_FINGERPRINT_CHARS = _FINGERPRINT_GROUPS * _GROUP_LEN  # 24 chars * 5 bits = 120 bits
_FINGERPRINT_DOMAIN = b"fieldkit office key fingerprint v1\x00"
_CROCKFORD_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _length_prefixed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def fingerprint(age_recipient: str, minisign_public_key_line: str) -> str:
    """SHA-256 over both public keys, as 6 groups of 4 Crockford base32 characters.

    The keys are canonicalised first (validated age recipient in lower case; the decoded
    minisign key id and key), so equal keys always give the same code however spelled.
    """
    recipient = agebox.normalize_recipient(age_recipient)
    key_id, public_key = minisign.parse_public_key(minisign_public_key_line)
    canonical = (
        _FINGERPRINT_DOMAIN
        + _length_prefixed(recipient.encode("ascii"))
        + _length_prefixed(minisign.SIGALG + key_id + public_key)
    )
    digest = hashlib.sha256(canonical).digest()
    value = int.from_bytes(digest[: _FINGERPRINT_CHARS * 5 // 8], "big")
    chars = "".join(
        FINGERPRINT_ALPHABET[(value >> (5 * (_FINGERPRINT_CHARS - 1 - i))) & 31]
        for i in range(_FINGERPRINT_CHARS)
    )
    return "-".join(chars[i : i + _GROUP_LEN] for i in range(0, _FINGERPRINT_CHARS, _GROUP_LEN))


def normalize_fingerprint(text: str) -> str:
    """Canonical form of a fingerprint someone typed (case, spaces, dashes, O/I/L forgiven)."""
    compact = "".join(ch for ch in text.upper() if ch not in " -\t").translate(_CROCKFORD_ALIASES)
    if len(compact) != _FINGERPRINT_CHARS or any(ch not in FINGERPRINT_ALPHABET for ch in compact):
        raise ValueError(f"a fingerprint has {_FINGERPRINT_CHARS} characters from {FINGERPRINT_ALPHABET}")
    return "-".join(compact[i : i + _GROUP_LEN] for i in range(0, _FINGERPRINT_CHARS, _GROUP_LEN))


def _field(data: Mapping[str, object], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise KeyFormatError(f"office keys: missing or invalid field {name!r}")
    return value


def _b64_field(data: Mapping[str, object], name: str) -> bytes:
    try:
        return base64.b64decode(_field(data, name), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"office keys: field {name!r} is not valid base64") from exc


@dataclass(frozen=True)
class OfficeKeys:
    """This office's secret keys; ``repr`` shows only public parts."""

    age_identity: str = field(repr=False)
    age_recipient: str
    minisign: MinisignKeyPair

    @classmethod
    def generate(cls) -> OfficeKeys:
        identity, recipient = agebox.generate_identity()
        return cls(age_identity=identity, age_recipient=recipient, minisign=minisign.generate_keypair())

    @property
    def minisign_public_key_line(self) -> str:
        return minisign.public_key_line(self.minisign)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.age_recipient, self.minisign_public_key_line)

    def to_json(self) -> dict[str, str]:
        """Plain strings for the local database (``store.office_keys`` seals them on a server)."""
        return {
            "format": JSON_FORMAT,
            "age_identity": self.age_identity,
            "age_recipient": self.age_recipient,
            "minisign_key_id": base64.b64encode(self.minisign.key_id).decode("ascii"),
            "minisign_public_key": base64.b64encode(self.minisign.public_key).decode("ascii"),
            "minisign_secret_seed": base64.b64encode(self.minisign.secret_seed).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> OfficeKeys:
        """Inverse of ``to_json``; checks that each public half matches its secret half."""
        if data.get("format") != JSON_FORMAT:
            raise KeyFormatError(f"office keys: unsupported format {data.get('format')!r}")
        identity = _field(data, "age_identity")
        recipient = agebox.normalize_recipient(_field(data, "age_recipient"))
        if agebox.recipient_from_identity(identity) != recipient:
            raise KeyFormatError("office keys: the age recipient does not belong to the age identity")
        keypair = MinisignKeyPair(
            key_id=_b64_field(data, "minisign_key_id"),
            public_key=_b64_field(data, "minisign_public_key"),
            secret_seed=_b64_field(data, "minisign_secret_seed"),
        )
        return cls(age_identity=identity, age_recipient=recipient, minisign=keypair)
