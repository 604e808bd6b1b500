"""Reading and writing the packet container: a zip with a signed manifest.

Reading checks everything that can be checked before decrypting: member names
(no paths, nothing unlisted, nothing missing), the sender's signature over the
manifest's bytes, then the manifest's form, and the size and SHA-256 of every
member. Before the signature only headers of bounded size are read. Nothing is
written anywhere until all of it passed.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from fieldkit.crypto import CryptoError, minisign
from fieldkit.errors import reason_for
from fieldkit.i18n import _, ngettext
from fieldkit.sync import zip_layout
from fieldkit.sync.errors import PacketRefused
from fieldkit.sync.manifest import MAX_MEMBERS, check_manifest

FORMAT = "fieldkit-sync"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.minisig"
PAYLOAD = "payload.jsonl.age"
ATTACHMENT = re.compile(r"^attachments/([0-9a-f]{64})\.age$")
EXTENSION = ".fieldkit"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
#: a minisign signature with its trusted comment takes a few hundred bytes
MAX_SIGNATURE_BYTES = 16 * 1024
_TRUSTED_PREFIX = "trusted comment: "
_TRUSTED_COMMENT = re.compile(r"^fieldkit packet (\S{1,100}) from (\S{1,100})\r?$")
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


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
#: the largest size or offset a zip header holds without ZIP64
_MAX_STORED = 0xFFFFFFFF
#: the longest central directory entry a FieldKit writer makes: an attachment's name, and a
#: ZIP64 extra field with both sizes and the offset
_MAX_CENTRAL_ENTRY = _CENTRAL.size + len("attachments/" + "0" * 64 + ".age") + 4 + 3 * 8


def _check_end_record(path: Path) -> None:
    """Before ``zipfile`` reads the directory: the file ends in the end records a FieldKit writer
    puts there (ZIP64 ones included), naming a directory small enough to read and ending where
    they begin; otherwise refuse without reading more."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            if size < _END.size:
                raise PacketRefused(
                    _("{name} is not a FieldKit packet, or it is truncated").format(name=path.name)
                )
            fh.seek(size - _END.size)
            end = _END.unpack(fh.read(_END.size))
            signature, disk, directory_disk, on_disk, count, directory_size, directory_offset, comment = end
            if signature != b"PK\x05\x06" or disk or directory_disk or on_disk != count or comment:
                raise PacketRefused(
                    _("{name} is not a FieldKit packet, or it is truncated").format(name=path.name)
                )
            directory_end = size - _END.size
            zip64_end = directory_end - _LOCATOR64.size - _END64.size
            if zip64_end >= 0:
                fh.seek(zip64_end)
                records = fh.read(_END64.size + _LOCATOR64.size)
                if records[_END64.size :].startswith(b"PK\x06\x07"):
                    # ``zipfile`` reads the directory the ZIP64 records name, so they are what is checked
                    count, directory_size, directory_offset = _zip64_directory(path, records, zip64_end)
                    directory_end = zip64_end
    except FileNotFoundError:
        raise PacketRefused(_("No such file: {path}").format(path=path)) from None
    except OSError as exc:
        raise PacketRefused(
            _("{name} cannot be read: {reason}").format(name=path.name, reason=reason_for(exc))
        ) from exc
    if count > MAX_MEMBERS or directory_size > count * _MAX_CENTRAL_ENTRY:
        raise PacketRefused(
            ngettext(
                "The packet's directory ({count} member) is larger than any FieldKit packet's",
                "The packet's directory ({count} members) is larger than any FieldKit packet's",
                count,
            ).format(count=count)
        )
    if directory_offset + directory_size != directory_end:
        raise PacketRefused(_("The packet's directory is damaged"))


def _zip64_directory(path: Path, records: bytes, zip64_end: int) -> tuple[int, int, int]:
    """The members, size and start of the directory that ZIP64 end records name; they must sit
    right before the plain end record, as a FieldKit writer puts them."""
    end64 = _END64.unpack(records[: _END64.size])
    locator = _LOCATOR64.unpack(records[_END64.size :])
    signature, record_size, _made_by, _needed, disk, directory_disk, on_disk, count, size, start = end64
    if (
        signature != b"PK\x06\x06"
        or record_size != _END64.size - 12
        or disk
        or directory_disk
        or on_disk != count
        or locator[1:] != (0, zip64_end, 1)
    ):
        raise PacketRefused(_("{name} is not a FieldKit packet, or it is truncated").format(name=path.name))
    return count, size, start


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
    """A packet whose structure was checked and whose manifest and signature were read as bytes.

    The sender and packet id it claims come from the signature's trusted comment; the manifest
    is parsed only once ``verify`` has checked the sender's signature over it, so that nothing
    a stranger sends is parsed beyond a few bounded headers."""

    path: Path
    manifest_bytes: bytes
    signature: str
    zip: zipfile.ZipFile
    sender: str
    packet_id: str
    _manifest: dict[str, Any] | None = None

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest, once ``verify`` has checked its signature and its form."""
        if self._manifest is None:
            raise RuntimeError("the manifest is read only after its signature was checked")
        return self._manifest

    def close(self) -> None:
        self.zip.close()

    def verify(self, public_key_line: str) -> None:
        """Check the sender's signature over the manifest, then the manifest itself."""
        try:
            minisign.verify(self.manifest_bytes, self.signature, public_key_line)
        except CryptoError as exc:
            raise PacketRefused(
                _("The packet's signature does not match office {office}'s key: {reason}").format(
                    office=self.sender, reason=exc
                )
            ) from exc
        manifest = _parsed_manifest(self.path, self.manifest_bytes)
        if (manifest["packet_id"], manifest["sender"]) != (self.packet_id, self.sender):
            raise PacketRefused(_("The packet's signature belongs to another packet"))
        listed = {m["name"] for m in manifest["members"]}
        for name in self.zip.namelist():
            if name not in (MANIFEST, SIGNATURE) and name not in listed:
                raise PacketRefused(
                    _("The packet holds {name}, which its manifest does not list").format(name=name)
                )
        self._manifest = manifest

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
            raise PacketRefused(
                _("{name} is damaged: {reason}").format(name=name, reason=reason_for(exc))
            ) from exc

    def open(self, name: str) -> IO[bytes]:
        """A member to read in chunks (its CRC is checked when the end is reached)."""
        try:
            return self.zip.open(name)
        except ZIP_ERRORS as exc:
            raise PacketRefused(
                _("{name} is damaged: {reason}").format(name=name, reason=reason_for(exc))
            ) from exc

    def read(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except ZIP_ERRORS as exc:
            raise PacketRefused(
                _("{name} is damaged: {reason}").format(name=name, reason=reason_for(exc))
            ) from exc

    def attachment_names(self) -> list[str]:
        return [m["name"] for m in self.manifest["members"] if ATTACHMENT.match(m["name"])]


def open_packet(path: Path) -> OpenedPacket:
    """Open a packet and check its structure; raise ``PacketRefused`` naming what is wrong.

    Whatever the file holds, this reads only its headers and its manifest, both bounded."""
    _check_end_record(path)
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
    if zf.getinfo(SIGNATURE).file_size > MAX_SIGNATURE_BYTES:
        raise PacketRefused(_("The packet's signature is damaged"))
    try:
        manifest_bytes = zf.read(MANIFEST)
        signature = zf.read(SIGNATURE).decode("utf-8")
    except (*ZIP_ERRORS, UnicodeDecodeError) as exc:
        raise PacketRefused(_("The manifest is damaged: {reason}").format(reason=reason_for(exc))) from exc
    packet_id, sender = _claimed_by(signature)
    return OpenedPacket(path, manifest_bytes, signature, zf, sender, packet_id)


def _claimed_by(signature: str) -> tuple[str, str]:
    """The packet id and sender a signature's trusted comment names (not yet checked)."""
    lines = signature.split("\n")
    comment = lines[2].removeprefix(_TRUSTED_PREFIX) if len(lines) > 2 else ""
    claimed = _TRUSTED_COMMENT.match(comment)
    if not lines[2].startswith(_TRUSTED_PREFIX) or claimed is None:
        raise PacketRefused(_("The packet's signature is damaged"))
    return claimed.group(1), claimed.group(2)


def _parsed_manifest(path: Path, manifest_bytes: bytes) -> dict[str, Any]:
    """The manifest of a packet whose signature was checked, refused unless it has the form
    every later step relies on."""
    try:
        manifest = json.loads(manifest_bytes)
    except (ValueError, RecursionError) as exc:
        raise PacketRefused(_("The manifest is damaged: {reason}").format(reason=reason_for(exc))) from exc
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
    check_manifest(manifest)
    return manifest
