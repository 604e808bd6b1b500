"""Writing a packet for one partner: every change it has not acknowledged, nothing it may not see.

Changes are read straight from the change log, which already holds each change's
values as JSON, so an export is little more than a filtered dump. Split packets
are complete packets each covering a slice of every origin's sequence, so parts
can be imported in any order (a gap is held until the earlier part arrives).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, Text, select, type_coerce, union_all
from sqlalchemy.orm import Session

from fieldkit import __version__
from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.crypto import agebox
from fieldkit.domain.keys import local_keys
from fieldkit.domain.vocab import seed_files
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.ids import uuid7
from fieldkit.progress import Progress
from fieldkit.store import migrate
from fieldkit.store.audit import audit_packet_export
from fieldkit.store.registry import MODEL_BY_TYPE
from fieldkit.store.system import AttachmentBlob, ChangeLog, Office, SyncPacket
from fieldkit.sync import packet as fmt
from fieldkit.sync import packet_writer
from fieldkit.sync.carried import PacketBeyondClearance, beyond_clearance
from fieldkit.sync.state import coverage, peer_acks
from fieldkit.sync.visibility import identifies_people, sees_everything, shared_with_everyone

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """'10M', '500k', '2G' or a number of bytes."""
    match = _SIZE.match(text.strip())
    if not match:
        raise ValidationError(_("Not a size: {text} (use e.g. 10M or 500k)").format(text=text))
    number, unit = float(match.group(1)), match.group(2).lower()
    size = int(number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit])
    if size < 64 * 1024:
        raise ValidationError(_("Parts must be at least 64 KB"))
    return size


@dataclass
class ExportResult:
    paths: list[Path] = field(default_factory=list)
    changes: int = 0
    attachments: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    ranges: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class _Part:
    payload: packet_writer.Spool
    attachments: packet_writer.Spool
    changes: int = 0
    size: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    #: last sequence number per origin included in this part
    last_seq: dict[str, int] = field(default_factory=dict)
    blobs: set[str] = field(default_factory=set)

    def members(self) -> list[packet_writer.SpooledMember]:
        return self.payload.members + sorted(self.attachments.members, key=lambda m: m.name)


def _visible_changes(
    session: Session, recipient: Office, origin: str, after: int, upto: int, share_identities: bool
) -> Iterator[Any]:
    """The changes of ``origin`` in (after, upto] that ``recipient`` may receive, in sequence order.

    Rows, not ORM objects: an export reads every change once, and building a million
    objects would cost more than writing them. What the recipient may see is decided by
    the query, so a change it may not receive costs no lookup of its own.
    """
    ordered = outgoing_changes(recipient, origin, after, upto, share_identities).order_by("seq")
    yield from session.execute(ordered.execution_options(yield_per=5000))


def outgoing_changes(
    recipient: Office, origin: str, after: int, upto: int, share_identities: bool
) -> Select[Any] | CompoundSelect:
    """``SELECT`` (unordered) of the change-log rows of ``origin`` in (after, upto] that a packet
    to ``recipient`` carries, JSON columns as their stored text."""
    table = ChangeLog.__table__.c
    # JSON columns as their stored text: an export copies them into the line unparsed
    columns = [type_coerce(c, Text).label(c.name) if c.name in _RAW_JSON else c for c in table]
    in_range = (ChangeLog.origin_office == origin, ChangeLog.seq > after, ChangeLog.seq <= upto)
    kinds = [t for t in MODEL_BY_TYPE if share_identities or not identifies_people(t)]
    if sees_everything(recipient.office_type):
        query = select(*columns).where(*in_range)
        if not share_identities:
            hidden = [t for t in MODEL_BY_TYPE if identifies_people(t)]
            query = query.where(ChangeLog.record_type.not_in(hidden))
        return query
    # one part per record type, each read through the change log's index by origin, type and
    # sequence (migration 0007), merged in sequence order: only the changes of the types the
    # office receives are read, not every change of the origin
    parts = [
        select(*columns).where(*in_range, ChangeLog.record_type == kind, *_sent_back_to(recipient.code, kind))
        for kind in kinds
    ]
    return union_all(*parts)


def _sent_back_to(office: str, record_type: str) -> list[ColumnElement[bool]]:
    """Reference data from anyone, and the office's own records whoever changed them last:
    another office's records go back only to the office they came from."""
    if shared_with_everyone(record_type):
        return []
    model = MODEL_BY_TYPE[record_type]
    return [ChangeLog.record_id.in_(select(model.id).where(model.origin_office == office))]


_RAW_JSON = ("data", "parents", "resolves")


def _json_text(value: Any) -> str:
    """A JSON column as text: SQLite hands back what it stored; psycopg parses it first."""
    if value is None:
        return "[]"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _line(change: Any) -> bytes:
    """One payload line, keys in sorted order, JSON columns copied as stored."""
    at = change.at.isoformat(timespec="microseconds")
    return (
        f'{{"at":"{at}","by":{json.dumps(change.by, ensure_ascii=False)},"data":{_json_text(change.data)},'
        f'"id":{json.dumps(change.record_id)},"op":{json.dumps(change.op)},'
        f'"origin":{json.dumps(change.origin_office)},"parents":{_json_text(change.parents)},'
        f'"resolves":{_json_text(change.resolves)},"seq":{int(change.seq)},'
        f'"type":{json.dumps(change.record_type)},"version":{int(change.version)}}}\n'
    ).encode()


def _write_all(data: bytes, sink: agebox.Writable) -> None:
    sink.write(data)


@dataclass
class _Entry:
    """A change on its way into a part: its line, and the attachment it brings, if any."""

    change: Any
    line: bytes
    blob: tuple[str, bytes] | None

    @property
    def size(self) -> int:
        return len(self.line) + (len(self.blob[1]) if self.blob else 0)


class _PartPayload:
    """The plain payload of one part, made line by line as the encryptor reads it.

    The part ends where the next change would take it past ``part_size``; that change
    stays in ``pending`` for the next part. Attachments are encrypted to the part's
    spool as their changes go in, so no more than one is held at a time.
    """

    def __init__(
        self,
        entries: Iterator[_Entry],
        pending: list[_Entry],
        part: _Part,
        part_size: int | None,
        recipients: list[str],
        progress: Progress,
    ) -> None:
        self._entries = entries
        self._pending = pending
        self._part = part
        self._part_size = part_size
        self._recipients = recipients
        self._progress = progress
        self._buffer = bytearray()
        self.ended = False
        #: no change left at all, not just none for this part
        self.exhausted = False

    def read(self, size: int = -1, /) -> bytes:
        wanted = size if size >= 0 else 1 << 20
        while len(self._buffer) < wanted and not self.ended:
            line = self._next_line()
            if line is None:
                self.ended = True
            else:
                self._buffer += line
        piece = bytes(self._buffer[:wanted])
        del self._buffer[:wanted]
        return piece

    def _next_line(self) -> bytes | None:
        entry = self._pending.pop() if self._pending else next(self._entries, None)
        if entry is None:
            self.exhausted = True
            return None
        part = self._part
        if self._part_size and part.changes and part.size + entry.size > self._part_size:
            self._pending.append(entry)
            return None
        part.changes += 1
        part.size += entry.size
        change = entry.change
        part.counts[change.record_type] = part.counts.get(change.record_type, 0) + 1
        part.last_seq[change.origin_office] = change.seq
        if entry.blob and entry.blob[0] not in part.blobs:
            digest, data = entry.blob
            part.blobs.add(digest)
            ciphertext = agebox.encrypt(data, self._recipients)
            part.attachments.add(f"attachments/{digest}.age", partial(_write_all, ciphertext))
        self._progress.step()
        return entry.line


def _entries(
    session: Session,
    recipient: Office,
    ranges: dict[str, tuple[int, int]],
    share_identities: bool,
    attachments: bool,
) -> Iterator[_Entry]:
    for origin, (after, upto) in ranges.items():
        for change in _visible_changes(session, recipient, origin, after, upto, share_identities):
            blob = None
            if attachments and change.record_type == "attachment" and change.op == "create":
                digest = str(json.loads(_json_text(change.data)).get("sha256", ""))
                # not ``session.get``: the session would keep every blob until the export ends
                data = session.execute(
                    select(AttachmentBlob.data).where(AttachmentBlob.sha256 == digest)
                ).scalar_one_or_none()
                blob = (digest, data) if data is not None else None
            yield _Entry(change, _line(change), blob)


@requires(Permission.EXPORT_PACKETS)
def export_packet(
    ctx: Context,
    to: str,
    out: Path,
    *,
    full: bool = False,
    attachments: bool = True,
    part_size: int | None = None,
    share_identities: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the packet(s) for office ``to`` at ``out`` (a file, or a folder to put it in).

    Refused (``PacketBeyondClearance``) when the packet would carry records the user may not
    see (``fieldkit.sync.carried``). Parts are encrypted to spool files as the change log is
    read, so memory stays flat whatever the size of the export.
    """
    progress = progress or Progress()
    keys = local_keys(ctx)
    sender = ctx.office
    now = ctx.now()
    base = _target(out, sender, to, now)
    packet_writer.remove_leftovers(base.parent)
    result = ExportResult()
    with packet_writer.spools(base) as new_spool:
        with ctx.store.read() as session:
            recipient = session.get(Office, to)
            if recipient is None or recipient.is_local:
                raise ValidationError(
                    _("Office {code} is not a trusted partner; add its card first ({command})").format(
                        code=to, command="fieldkit office trust"
                    )
                )
            held = coverage(session)
            acked = {} if full else peer_acks(session, to)
            progress.set_total(
                sum(max(0, last - acked.get(o, 0)) for o, last in held.items()), _("Exporting")
            )
            recipients = [recipient.age_recipient, keys.age_recipient]
            wanted = {
                origin: (acked.get(origin, 0), held[origin])
                for origin in sorted(held)
                if held[origin] > acked.get(origin, 0)
            }
            # refused before anything is written: the packet must carry all of it or nothing
            outgoing = [
                outgoing_changes(recipient, origin, after, upto, share_identities)
                for origin, (after, upto) in wanted.items()
            ]
            beyond = beyond_clearance(session, ctx.principal, outgoing)
            if beyond is not None:
                raise PacketBeyondClearance(ctx.principal, beyond)
            entries = _entries(session, recipient, wanted, share_identities, attachments)
            parts = _spool_parts(entries, new_spool, part_size, recipients, progress)
        ranges = _part_ranges(parts, acked, held)
        for index, part in enumerate(parts, 1):
            progress.check()
            path = (
                base
                if len(parts) == 1
                else base.with_name(f"{base.stem}-part{index}of{len(parts)}{base.suffix}")
            )
            packet_id = uuid7()
            manifest = _manifest(ctx, packet_id, sender, to, now, ranges[index - 1], part, index, len(parts))
            staged = packet_writer.part_path(path)
            packet_writer.write_packet(staged, manifest, part.members(), keys.minisign)
            _log_out(ctx, packet_id, sender, to, now, staged, path, ranges[index - 1], part)
            result.paths.append(path)
            result.changes += part.changes
            result.attachments += len(part.blobs)
            for kind, n in part.counts.items():
                result.counts[kind] = result.counts.get(kind, 0) + n
    result.ranges = {o: [acked.get(o, 0) + 1, last] for o, last in held.items() if last > acked.get(o, 0)}
    return result


def _spool_parts(
    entries: Iterator[_Entry],
    new_spool: Callable[[str], packet_writer.Spool],
    part_size: int | None,
    recipients: list[str],
    progress: Progress,
) -> list[_Part]:
    """Encrypt every entry into parts of at most ``part_size``; always at least one part."""
    pending: list[_Entry] = []
    parts: list[_Part] = []
    while True:
        number = len(parts) + 1
        part = _Part(new_spool(f"{number}.payload"), new_spool(f"{number}.attachments"))
        payload = _PartPayload(entries, pending, part, part_size, recipients, progress)
        part.payload.add(fmt.PAYLOAD, partial(agebox.encrypt_stream, payload, recipients=recipients))
        part.payload.finish()
        part.attachments.finish()
        parts.append(part)
        if payload.exhausted:
            return parts


def _part_ranges(
    parts: list[_Part], acked: dict[str, int], held: dict[str, int]
) -> list[dict[str, list[int]]]:
    """Coverage of each part: a contiguous slice per origin; the last part reaches what we hold."""
    start = {o: acked.get(o, 0) + 1 for o in held}
    ranges: list[dict[str, list[int]]] = []
    for index, part in enumerate(parts):
        last_part = index == len(parts) - 1
        part_ranges: dict[str, list[int]] = {}
        for origin, last in held.items():
            end = last if last_part else part.last_seq.get(origin, start[origin] - 1)
            if end >= start[origin]:
                part_ranges[origin] = [start[origin], end]
                start[origin] = end + 1
        ranges.append(part_ranges)
    return ranges


def _target(out: Path, sender: str, to: str, now: dt.datetime) -> Path:
    """A folder gets a file named after the offices and time; a file name is used as given."""
    if out.is_dir():
        return out / f"{sender}-to-{to}-{now:%Y%m%d-%H%M%S}{fmt.EXTENSION}"
    folder = out.parent if out.suffix else out
    if not folder.exists():
        raise ValidationError(_("The folder {path} does not exist").format(path=folder))
    return out


def _manifest(
    ctx: Context,
    packet_id: str,
    sender: str,
    to: str,
    now: dt.datetime,
    ranges: dict[str, list[int]],
    part: _Part,
    index: int,
    count: int,
) -> dict[str, Any]:
    with ctx.store.read() as session:
        ack = coverage(session)
    return {
        "format": fmt.FORMAT,
        "format_version": fmt.FORMAT_VERSION,
        "packet_id": packet_id,
        "created_at": now.isoformat(timespec="seconds") + "Z",
        "app_version": __version__,
        "sender": sender,
        "recipients": [to],
        "schema_version": migrate.head_revision(),
        "vocabulary_versions": {v["vocabulary"]: int(v.get("version", 1)) for v in seed_files()},
        "ranges": ranges,
        "ack": ack,
        "counts": dict(sorted(part.counts.items())),
        "part": {"index": index, "count": count},
        "members": [],
    }


def _log_out(
    ctx: Context,
    packet_id: str,
    sender: str,
    to: str,
    now: dt.datetime,
    staged: Path,
    path: Path,
    ranges: dict[str, list[int]],
    part: _Part,
) -> None:
    """Record the packet as sent and give ``staged`` its final name ``path``, as one step.

    The rename happens inside the transaction, after the record is written and before the
    commit: a packet that carries its final name is always one the store knows it sent.
    """
    named = False
    try:
        with ctx.store.write() as session:
            session.add(
                SyncPacket(
                    packet_id=packet_id,
                    direction="out",
                    sender=sender,
                    recipients=[to],
                    at=now,
                    by=ctx.user,
                    file_name=path.name,
                    ranges=ranges,
                    summary={"changes": part.changes, "attachments": len(part.blobs), "counts": part.counts},
                )
            )
            audit_packet_export(
                session,
                at=now,
                actor=ctx.user,
                packet_id=packet_id,
                to=to,
                file_name=path.name,
                changes=part.changes,
                attachments=len(part.blobs),
                counts=part.counts,
            )
            session.flush()
            packet_writer.name_packet(staged, path)
            named = True
    except BaseException:
        (path if named else staged).unlink(missing_ok=True)
        raise
