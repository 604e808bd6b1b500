"""Writing the packet container without holding it in memory.

An export encrypts each member into a spool file beside the target while it reads the
store; the zip is written afterwards, manifest first (it lists every member's SHA-256),
by copying the spooled members in chunks. The zip gets its final name only once it is
on the disk (fsynced), so a crash leaves a ``.part`` file, never a short packet; the
next export into that folder removes such leftovers.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from fieldkit.crypto import agebox, minisign
from fieldkit.sync import packet as fmt

PART_SUFFIX = ".part"
_COPY_CHUNK = 1 << 18


@dataclass(frozen=True)
class SpooledMember:
    """One encrypted member waiting in a spool file: ``size`` bytes from ``offset``."""

    name: str
    sha256: str
    size: int
    spool: Path
    offset: int


class _HashingSink:
    """A file that also keeps the SHA-256 and length of what was written through it."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self._file.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self._file.flush()


@dataclass
class Spool:
    """An append-only file of encrypted members, removed when the export is done with it."""

    path: Path
    members: list[SpooledMember] = field(default_factory=list)
    _file: IO[bytes] | None = None

    def add(self, name: str, write: Callable[[agebox.Writable], None]) -> SpooledMember:
        """Append a member whose bytes ``write`` produces into the sink it is given."""
        if self._file is None:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o600)
            self._file = os.fdopen(descriptor, "wb")
        offset = self._file.tell()
        sink = _HashingSink(self._file)
        write(sink)
        member = SpooledMember(name, sha256=sink.sha256.hexdigest(), size=sink.size, spool=self.path,
                               offset=offset)  # fmt: skip
        self.members.append(member)
        return member

    def finish(self) -> None:
        """Done appending: what was written becomes readable for the copy into the zip."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def remove(self) -> None:
        self.finish()
        self.path.unlink(missing_ok=True)


_BINARY = getattr(os, "O_BINARY", 0)  # Windows would translate line ends without it


def part_path(path: Path, purpose: str = "") -> Path:
    """Where the file(s) for ``path`` are made before it gets its name."""
    return path.with_name(f"{path.name}{purpose}{PART_SUFFIX}")


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove what an export killed half-way left in ``folder``: unfinished packets and spools."""
    removed = []
    for leftover in sorted(folder.glob(f"*{fmt.EXTENSION}*{PART_SUFFIX}")):
        with suppress(FileNotFoundError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def write_packet(
    staged: Path,
    manifest: dict[str, Any],
    members: list[SpooledMember],
    signing_key: minisign.MinisignKeyPair,
) -> None:
    """Write the zip to ``staged`` (a ``part_path``): manifest, its signature, then the members
    copied from their spools; on the disk when this returns. ``name_packet`` names it."""
    manifest = dict(manifest)
    manifest["members"] = [{"name": m.name, "sha256": m.sha256, "size": m.size} for m in members]
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")
    signature = minisign.sign(manifest_bytes, signing_key, fmt.trusted_comment(manifest))
    try:
        with open(staged, "wb") as file:
            with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as zf:
                # stored, not deflated: the members are encrypted and would not shrink
                zf.writestr(fmt.entry(fmt.MANIFEST), manifest_bytes)
                zf.writestr(fmt.entry(fmt.SIGNATURE), signature.encode("utf-8"))
                for member in members:
                    _copy_member(zf, member)
            file.flush()
            os.fsync(file.fileno())  # on the disk before it has a name a partner will trust
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def name_packet(staged: Path, path: Path) -> None:
    """Give a written packet its final name, and make the name itself survive a power cut."""
    os.replace(staged, path)
    _sync_folder(path.parent)


def _copy_member(zf: zipfile.ZipFile, member: SpooledMember) -> None:
    info = fmt.entry(member.name)
    info.file_size = member.size  # known ahead, so the header is written once, as ``writestr`` does
    with open(member.spool, "rb") as source, zf.open(info, "w") as target:
        source.seek(member.offset)
        remaining = member.size
        while remaining:
            chunk = source.read(min(_COPY_CHUNK, remaining))
            if not chunk:
                raise OSError(f"spool file {member.spool.name} ended early")
            target.write(chunk)
            remaining -= len(chunk)


def _sync_folder(folder: Path) -> None:
    """Make the new name itself survive a power cut (POSIX; Windows cannot open a folder)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def spools(path: Path) -> Iterator[Callable[[str], Spool]]:
    """Spool files named after ``path`` for one export; all removed when the block ends."""
    made: list[Spool] = []

    def new(purpose: str) -> Spool:
        spool = Spool(part_path(path, f".{purpose}"))
        made.append(spool)
        return spool

    try:
        yield new
    finally:
        for spool in made:
            spool.remove()
