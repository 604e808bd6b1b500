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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Text, select, type_coerce
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
from fieldkit.store.registry import MODEL_BY_TYPE
from fieldkit.store.system import AttachmentBlob, ChangeLog, Office, SyncPacket
from fieldkit.sync import packet as fmt
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
    lines: list[bytes] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)
    size: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    #: last sequence number per origin included in this part
    last_seq: dict[str, int] = field(default_factory=dict)


def _visible_changes(
    session: Session, recipient: Office, origin: str, after: int, upto: int, share_identities: bool
) -> Iterator[Any]:
    """The changes of ``origin`` in (after, upto] that ``recipient`` may receive, in sequence order.

    Rows, not ORM objects: an export reads every change once, and building a million
    objects would cost more than writing them.
    """
    table = ChangeLog.__table__.c
    # JSON columns as their stored text: an export copies them into the line unparsed
    columns = [type_coerce(c, Text).label(c.name) if c.name in _RAW_JSON else c for c in table]
    query = (
        select(*columns)
        .where(ChangeLog.origin_office == origin, ChangeLog.seq > after, ChangeLog.seq <= upto)
        .order_by(ChangeLog.seq)
        .execution_options(yield_per=5000)
    )
    everything = sees_everything(recipient.office_type)
    owners: dict[tuple[str, str], str] = {}
    for change in session.execute(query):
        if not share_identities and identifies_people(change.record_type):
            continue
        if everything or shared_with_everyone(change.record_type):
            yield change
            continue
        # another office's own records go back only to the office they came from
        owner_key = (change.record_type, change.record_id)
        if owner_key not in owners:
            model = MODEL_BY_TYPE[change.record_type]
            owners[owner_key] = session.execute(
                select(model.origin_office).where(model.id == change.record_id)
            ).scalar_one()
        if owners[owner_key] == recipient.code:
            yield change


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
    """Write the packet(s) for office ``to`` at ``out`` (a file, or a folder to put it in)."""
    progress = progress or Progress()
    keys = local_keys(ctx)
    sender = ctx.office
    now = ctx.now()
    with ctx.store.read() as session:
        recipient = session.get(Office, to)
        if recipient is None or recipient.is_local:
            raise ValidationError(
                _(
                    "Office {code} is not a trusted partner; add its card first (fieldkit office trust)"
                ).format(code=to)
            )
        held = coverage(session)
        acked = {} if full else peer_acks(session, to)
        progress.set_total(sum(max(0, last - acked.get(o, 0)) for o, last in held.items()), _("Exporting"))
        parts: list[_Part] = [_Part()]
        for origin in sorted(held):
            after, upto = acked.get(origin, 0), held[origin]
            if upto <= after:
                continue
            for change in _visible_changes(session, recipient, origin, after, upto, share_identities):
                line = _line(change)
                blob = None
                if attachments and change.record_type == "attachment" and change.op == "create":
                    digest = str(json.loads(_json_text(change.data)).get("sha256", ""))
                    stored = session.get(AttachmentBlob, digest)
                    blob = (digest, stored.data) if stored else None
                part = parts[-1]
                extra = len(line) + (len(blob[1]) if blob else 0)
                if part_size and part.lines and part.size + extra > part_size:
                    part = _Part()
                    parts.append(part)
                part.lines.append(line)
                part.size += extra
                part.counts[change.record_type] = part.counts.get(change.record_type, 0) + 1
                part.last_seq[origin] = change.seq
                if blob:
                    part.blobs[blob[0]] = blob[1]
                progress.step()
        recipients = [recipient.age_recipient, keys.age_recipient]
    ranges = _part_ranges(parts, acked, held)
    result = ExportResult()
    base = _target(out, sender, to, now)
    for index, part in enumerate(parts, 1):
        progress.check()
        path = (
            base if len(parts) == 1 else base.with_name(f"{base.stem}-part{index}of{len(parts)}{base.suffix}")
        )
        packet_id = uuid7()
        manifest = _manifest(ctx, packet_id, sender, to, now, ranges[index - 1], part, index, len(parts))
        members = {fmt.PAYLOAD: agebox.encrypt(b"".join(part.lines), recipients)}
        for digest, data in sorted(part.blobs.items()):
            members[f"attachments/{digest}.age"] = agebox.encrypt(data, recipients)
        staged = path.with_name(path.name + ".part")
        fmt.write_packet(staged, manifest, members, keys.minisign)
        _log_out(ctx, packet_id, sender, to, now, staged, path, ranges[index - 1], part)
        result.paths.append(path)
        result.changes += len(part.lines)
        result.attachments += len(part.blobs)
        for kind, n in part.counts.items():
            result.counts[kind] = result.counts.get(kind, 0) + n
    result.ranges = {o: [acked.get(o, 0) + 1, last] for o, last in held.items() if last > acked.get(o, 0)}
    return result


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
                    summary={
                        "changes": len(part.lines),
                        "attachments": len(part.blobs),
                        "counts": part.counts,
                    },
                )
            )
            session.flush()
            staged.replace(path)
            named = True
    except BaseException:
        (path if named else staged).unlink(missing_ok=True)
        raise
