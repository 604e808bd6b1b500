"""The shape a packet's manifest must have before anything relies on it.

The manifest is read before its signature is checked, so it may come from anyone: every
entry a later step uses is checked here for its type and size, and anything else is a
refusal that names the entry, never a ``TypeError`` half way through an import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fieldkit.i18n import _
from fieldkit.sync.errors import PacketRefused

#: more members than any writer puts in one packet (a zip without ZIP64 holds 65,535)
MAX_MEMBERS = 65_535
#: office codes are at most 32 characters and packet ids are UUIDs; room to spare, but bounded
#: so that a refusal's report and log entry stay small
MAX_NAME = 100
MAX_ORIGINS = 10_000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

REQUIRED_KEYS = (
    "format",
    "format_version",
    "packet_id",
    "sender",
    "recipients",
    "created_at",
    "ranges",
    "ack",
    "counts",
    "schema_version",
    "members",
)


def _name(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_NAME


def _whole(value: object) -> bool:
    return type(value) is int and value >= 0


def _range(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(type(n) is int for n in value)
        and 1 <= value[0] <= value[1] + 1
    )


def _mapping(check: Callable[[object], bool]) -> Callable[[object], bool]:
    def holds(value: object) -> bool:
        return (
            isinstance(value, dict)
            and len(value) <= MAX_ORIGINS
            and all(_name(key) and check(item) for key, item in value.items())
        )

    return holds


def _member(value: object) -> bool:
    return (
        isinstance(value, dict)
        and _name(value.get("name"))
        and isinstance(value.get("sha256"), str)
        and _SHA256.match(value["sha256"]) is not None
        and _whole(value.get("size"))
    )


def _members(value: object) -> bool:
    return isinstance(value, list) and len(value) <= MAX_MEMBERS and all(_member(m) for m in value)


def _recipients(value: object) -> bool:
    return isinstance(value, list) and 0 < len(value) <= MAX_ORIGINS and all(_name(r) for r in value)


#: what each entry must be; ``ranges`` has its own message (see ``check_manifest``)
_SHAPES: dict[str, Callable[[object], bool]] = {
    "packet_id": _name,
    "sender": _name,
    "recipients": _recipients,
    "created_at": _name,
    "ack": _mapping(_whole),
    "counts": _mapping(_whole),
    "schema_version": _name,
    "members": _members,
}


def check_manifest(manifest: dict[str, Any]) -> None:
    """Refuse a manifest that lacks an entry or holds one of the wrong type or size."""
    missing = [key for key in REQUIRED_KEYS if key not in manifest]
    if missing:
        raise PacketRefused(_("The manifest lacks: {keys}").format(keys=", ".join(missing)))
    for key, holds in _SHAPES.items():
        if not holds(manifest[key]):
            raise PacketRefused(
                _("The manifest is damaged: its entry {key} has the wrong form").format(key=key)
            )
    if not _mapping(_range)(manifest["ranges"]):
        raise PacketRefused(
            _("The manifest is damaged: its change ranges are not [first, last] pairs of sequence numbers")
        )
