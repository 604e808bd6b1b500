"""Record identifiers: UUIDv7, made where a record is born.

UUIDv7 puts a millisecond timestamp in the first 48 bits, so ids sort roughly by
creation time (good for B-tree locality) while staying globally unique without
coordination between offices. Python 3.11 has no ``uuid.uuid7``; this is RFC 9562.
A seeded ``random.Random`` and a fixed clock make ids reproducible for demo data.
"""

from __future__ import annotations

import os
import random
import time
import uuid

_NAMESPACE = uuid.UUID("6f1f3c3e-5d0b-4a55-9d6e-f1e1d7c0a001")


def uuid7(ms: int | None = None, rng: random.Random | None = None) -> str:
    """Return a UUIDv7 string. ``ms`` and ``rng`` make it deterministic."""
    if ms is None:
        ms = time.time_ns() // 1_000_000
    rand = rng.getrandbits(74) if rng is not None else int.from_bytes(os.urandom(10), "big") >> 6
    rand_a = rand >> 62  # 12 bits
    rand_b = rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= rand_a << 64
    value |= 0b10 << 62
    value |= rand_b
    return str(uuid.UUID(int=value))


def stable_id(*parts: str) -> str:
    """A name-based id (UUIDv5) for records every office must agree on, such as seeded vocabulary."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def uuid7_ms(value: str) -> int:
    """The millisecond timestamp inside a UUIDv7."""
    return uuid.UUID(value).int >> 80
