"""The exact bytes a FieldKit writer puts around a packet's members, ZIP64 included.

Packets are written by ``zipfile`` with fixed member headers (``packet.entry``: stored,
1980-01-01, Unix, mode 0600), and a reader insists on those bytes. These functions
rebuild them the way ``zipfile`` writes them, including its switch to ZIP64 records for
a member near 2 GiB, an offset past 2 GiB, or more than 65,535 members.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
_VERSION = 20  # what ``zipfile`` writes for stored members
_VERSION64 = 45
_UNIX = 3
_MODE = 0o600 << 16
_FIXED_TIME = 0  # 00:00:00
_FIXED_DATE = 1 << 5 | 1  # 1980-01-01
_MASK32 = 0xFFFFFFFF


def _limit() -> int:
    # looked up each time, as ``zipfile`` does, so that a test can lower it
    return int(zipfile.ZIP64_LIMIT)


@dataclass(frozen=True)
class MemberPlace:
    """Where one member sits in a packet and what it holds."""

    name: str
    crc: int
    size: int
    offset: int

    @property
    def local_zip64(self) -> bool:
        # ``zipfile`` decides before writing, with a margin, when the size is given ahead
        return self.size * 1.05 > _limit()


def local_header(member: MemberPlace) -> bytes:
    """The local header ``zipfile`` writes in front of ``member``'s bytes."""
    name = member.name.encode()
    size, extra, version = member.size, b"", _VERSION
    if member.local_zip64:
        extra = struct.pack("<HHQQ", 1, 16, member.size, member.size)
        size, version = _MASK32, _VERSION64
    fixed = _LOCAL.pack(b"PK\x03\x04", version, 0, 0, _FIXED_TIME, _FIXED_DATE, member.crc, size, size,
                        len(name), len(extra))  # fmt: skip
    return fixed + name + extra


def _central_entry(member: MemberPlace) -> bytes:
    name = member.name.encode()
    extra: list[int] = []
    size = offset = 0
    if member.size > _limit():
        extra += [member.size, member.size]
        size = _MASK32
    else:
        size = member.size
    if member.offset > _limit():
        extra.append(member.offset)
        offset = _MASK32
    else:
        offset = member.offset
    extra_bytes = struct.pack("<HH" + "Q" * len(extra), 1, 8 * len(extra), *extra) if extra else b""
    version = _VERSION64 if extra or member.local_zip64 else _VERSION
    fixed = _CENTRAL.pack(b"PK\x01\x02", version, _UNIX, version, 0, 0, 0, _FIXED_TIME, _FIXED_DATE,
                          member.crc, size, size, len(name), len(extra_bytes), 0, 0, 0, _MODE,
                          offset)  # fmt: skip
    return fixed + name + extra_bytes


def directory(members: Iterable[MemberPlace], start: int) -> bytes:
    """The central directory and end records ``zipfile`` writes at ``start``, after the members."""
    entries = [_central_entry(m) for m in members]
    central = b"".join(entries)
    count, size = len(entries), len(central)
    end64 = b""
    if count > zipfile.ZIP_FILECOUNT_LIMIT or start > _limit() or size > _limit():
        end64 = _END64.pack(b"PK\x06\x06", 44, _VERSION64, _VERSION64, 0, 0, count, count, size, start)
        end64 += _LOCATOR64.pack(b"PK\x06\x07", 0, start + size, 1)
    end = _END.pack(b"PK\x05\x06", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), min(size, _MASK32),
                    min(start, _MASK32), 0)  # fmt: skip
    return central + end64 + end
