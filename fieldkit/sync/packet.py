"""Reading and writing the packet container: a zip with a signed manifest.

Reading checks everything that can be checked before decrypting: member names
(no paths, nothing unlisted, nothing missing), the sender's signature over the
manifest, and the size and SHA-256 of every member. Nothing is written anywhere
until all of it passed.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from fieldkit.crypto import CryptoError, minisign
from fieldkit.i18n import _
from fieldkit.sync import zip_layout
from fieldkit.sync.errors import PacketRefused

FORMAT = "fieldkit-sync"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.minisig"
PAYLOAD = "payload.jsonl.age"
ATTACHMENT = re.compile(r"^attachments/([0-9a-f]{64})\.age$")
EXTENSION = ".fieldkit"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
#: what a damaged zip can raise while being read (a flipped byte may hit any header field)
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
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


@dataclass(frozen=True)
class Member:
    name: str
    sha256: str
    size: int


def trusted_comment(manifest: dict[str, Any]) -> str:
    return f"fieldkit packet {manifest['packet_id']} from {manifest['sender']}"


def entry(name: str) -> zipfile.ZipInfo:
    """A member header with fixed values, so that a reader can insist on them (see ``_check_layout``)."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o600 << 16
    return info


def _check_layout(path: Path, zf: zipfile.ZipFile) -> None:
    """Every byte around the members must be exactly what a FieldKit writer puts there.

    The signed manifest covers the members' contents; this rebuilds the local headers,
    the central directory and its end records from the members found (``zip_layout``),
    and compares them byte for byte, so that a flipped byte anywhere in the file is noticed.
    Only the headers are read, never the members.
    """
    offset = 0
    places = []
    with open(path, "rb") as file:
        for info in zf.infolist():
            place = zip_layout.MemberPlace(info.filename, info.CRC, info.file_size, offset)
            local = zip_layout.local_header(place)
            file.seek(offset)
            if file.read(len(local)) != local or info.header_offset != offset:
                raise PacketRefused(_("The packet's header for {name} is damaged").format(name=info.filename))
            places.append(place)
            offset += len(local) + info.file_size
        expected = zip_layout.directory(places, offset)
        file.seek(offset)
        if file.read(len(expected) + 1) != expected:
            raise PacketRefused(_("The packet's directory is damaged"))


@dataclass
class OpenedPacket:
    """A packet whose structure and manifest were read (signature not yet checked)."""

    path: Path
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: str
    zip: zipfile.ZipFile

    @property
    def sender(self) -> str:
        return str(self.manifest["sender"])

    @property
    def packet_id(self) -> str:
        return str(self.manifest["packet_id"])

    def close(self) -> None:
        self.zip.close()

    def verify(self, public_key_line: str) -> None:
        try:
            comment = minisign.verify(self.manifest_bytes, self.signature, public_key_line)
        except CryptoError as exc:
            raise PacketRefused(
                _("The packet's signature does not match office {office}'s key: {reason}").format(
                    office=self.sender, reason=exc
                )
            ) from exc
        if comment != trusted_comment(self.manifest):
            raise PacketRefused(_("The packet's signature belongs to another packet"))

    def check_members(self) -> None:
        """Every listed member is present with the listed size and SHA-256."""
        for entry in self.manifest["members"]:
            member = Member(str(entry["name"]), str(entry["sha256"]), int(entry["size"]))
            try:
                info = self.zip.getinfo(member.name)
            except KeyError:
                raise PacketRefused(
                    _("The packet lists {name} but does not contain it").format(name=member.name)
                ) from None
            if info.file_size != member.size:
                raise PacketRefused(_("{name} has the wrong size").format(name=member.name))
            if self._sha256(member.name) != member.sha256:
                raise PacketRefused(
                    _("{name} is damaged (its SHA-256 does not match)").format(name=member.name)
                )

    def _sha256(self, name: str) -> str:
        """A member's SHA-256, read in chunks: the payload may run to hundreds of MB."""
        digest = hashlib.sha256()
        with self.open(name) as member:
            while chunk := self._read_chunk(member, name):
                digest.update(chunk)
        return digest.hexdigest()

    def _read_chunk(self, member: IO[bytes], name: str) -> bytes:
        try:
            return member.read(1 << 20)
        except ZIP_ERRORS as exc:
            raise PacketRefused(_("{name} is damaged: {reason}").format(name=name, reason=exc)) from exc

    def open(self, name: str) -> IO[bytes]:
        """A member to read in chunks (its CRC is checked when the end is reached)."""
        try:
            return self.zip.open(name)
        except ZIP_ERRORS as exc:
            raise PacketRefused(_("{name} is damaged: {reason}").format(name=name, reason=exc)) from exc

    def read(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except ZIP_ERRORS as exc:
            raise PacketRefused(_("{name} is damaged: {reason}").format(name=name, reason=exc)) from exc

    def attachment_names(self) -> list[str]:
        return [m["name"] for m in self.manifest["members"] if ATTACHMENT.match(m["name"])]


def open_packet(path: Path) -> OpenedPacket:
    """Open a packet and check its structure; raise ``PacketRefused`` naming what is wrong."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PacketRefused(_("No such file: {path}").format(path=path)) from None
    except ZIP_ERRORS as exc:
        raise PacketRefused(
            _("{name} is not a FieldKit packet, or it is truncated ({reason})").format(
                name=path.name, reason=exc
            )
        ) from exc
    try:
        return _read_structure(path, zf)
    except BaseException:
        zf.close()
        raise


def _read_structure(path: Path, zf: zipfile.ZipFile) -> OpenedPacket:
    names = zf.namelist()
    if len(set(names)) != len(names):
        raise PacketRefused(_("The packet holds the same member twice"))
    for name in names:
        if name.startswith(("/", "\\")) or ".." in name.split("/") or "\\" in name or name.endswith("/"):
            raise PacketRefused(
                _("The packet holds a member with a forbidden path: {name}").format(name=name)
            )
        if name not in (MANIFEST, SIGNATURE, PAYLOAD) and not ATTACHMENT.match(name):
            raise PacketRefused(_("The packet holds an unexpected member: {name}").format(name=name))
    _check_layout(path, zf)
    for required in (MANIFEST, SIGNATURE):
        if required not in names:
            raise PacketRefused(_("The packet has no {name}").format(name=required))
    if zf.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
        raise PacketRefused(_("The manifest is too large"))
    try:
        manifest_bytes = zf.read(MANIFEST)
        signature = zf.read(SIGNATURE).decode("utf-8")
        manifest = json.loads(manifest_bytes)
    except (*ZIP_ERRORS, UnicodeDecodeError) as exc:
        raise PacketRefused(_("The manifest is damaged: {reason}").format(reason=exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PacketRefused(_("{name} is not a FieldKit sync packet").format(name=path.name))
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise PacketRefused(
            _(
                "The packet uses format version {version}; this FieldKit reads up to {supported}. "
                "Update FieldKit."
            ).format(version=version, supported=FORMAT_VERSION)
        )
    missing = [k for k in REQUIRED_KEYS if k not in manifest]
    if missing:
        raise PacketRefused(_("The manifest lacks: {keys}").format(keys=", ".join(missing)))
    listed = {m.get("name") for m in manifest["members"] if isinstance(m, dict)}
    for name in names:
        if name not in (MANIFEST, SIGNATURE) and name not in listed:
            raise PacketRefused(
                _("The packet holds {name}, which its manifest does not list").format(name=name)
            )
    return OpenedPacket(path, manifest, manifest_bytes, signature, zf)
