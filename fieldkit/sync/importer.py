"""Importing packets: check everything first, then apply everything in one transaction.

Order of checks: the container (names, manifest), the sender (known and
trusted) and its signature, that the packet is addressed to this office and was
not imported before, every member's size and SHA-256, decryption, every row
against the schema and the vocabularies, and the share of an office's records
it would delete. Any failure refuses the whole packet and leaves the store's records
exactly as they were; refusals are recorded in a log file beside the store, and in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldkit.access import Permission, requires
from fieldkit.changeset import NO_CHANGES, ChangeSet
from fieldkit.context import Context
from fieldkit.crypto import CryptoError, agebox
from fieldkit.domain.keys import local_keys
from fieldkit.domain.vocab import invalidate_cache, vocabularies
from fieldkit.errors import FieldKitError
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Cancelled, Progress
from fieldkit.search import reindex_touched
from fieldkit.store.audit import audit_packet_import, audit_packet_refused
from fieldkit.store.engine import bulk_write_settings
from fieldkit.store.registry import MODEL_BY_TYPE
from fieldkit.store.system import (
    HeldChange,
    HeldRange,
    Office,
    OriginSequence,
    PeerAck,
    SyncPacket,
)
from fieldkit.sync import packet as fmt
from fieldkit.sync.apply import ApplyStats, apply_changes
from fieldkit.sync.attachments import PacketAttachments
from fieldkit.sync.changes import Change, known_codes, parse_change
from fieldkit.sync.errors import PacketRefused
from fieldkit.sync.refusal_log import append_entry
from fieldkit.sync.rows import PayloadRows, RowsRefused
from fieldkit.sync.sight import ImportSight, mass_deletion_uncounted
from fieldkit.sync.state import held_in_sight
from fieldkit.sync.transaction import Transaction

DEFAULT_MAX_DELETE_SHARE = 0.10
#: below this many records a deletion share means little; never ask for tiny stores
MIN_RECORDS_FOR_DELETE_CHECK = 20


class MassDeletion(PacketRefused):
    """The packet would delete more than the allowed share of an office's records."""


class AlreadyImported(PacketRefused):
    """The same packet was imported before: nothing to do, and nothing alarming."""

    def __init__(self, message: str, packet_id: str, sender: str) -> None:
        super().__init__(message)
        self.packet_id, self.sender = packet_id, sender


@dataclass
class ImportSummary:
    file: str
    packet_id: str = ""
    sender: str = ""
    status: str = "imported"  # "imported", "dry-run", "already-imported", "refused"
    reason: str = ""
    #: why it was refused, for programs: "mass-deletion", "rows", "packet" or "error"
    refusal: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicting: int = 0
    held: int = 0
    released: int = 0
    #: the bad rows named one by one (at most ``rows.MAX_PROBLEMS``), and how many there were
    rejected: list[str] = field(default_factory=list)
    rejected_count: int = 0
    attachments: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    #: what the import changed in the store: nothing for a dry run or a refusal
    changes: ChangeSet = NO_CHANGES

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "changes": self.changes.to_json()}


#: changes applied at a time: memory stays flat however large the packet
BATCH = 20_000
#: the page cache while importing: every page it holds counts in the import's memory
IMPORT_CACHE_KIB = 48 * 1024


class _Deletions:
    """How many records of each office a packet deletes, against how many it had."""

    def __init__(self, session: Session, max_share: float | None, uncounted: Callable[[str], bool]) -> None:
        self.session = session
        self.max_share = max_share
        self.uncounted = uncounted
        self.deleted: Counter[tuple[str, str]] = Counter()
        self.live: dict[tuple[str, str], int] = {}

    def count(self, batch: list[Change]) -> None:
        """Count the deletions of a batch before it applies."""
        if self.max_share is None:
            return
        for c in batch:
            if c.op != "delete":
                continue
            model = MODEL_BY_TYPE[c.record_type]
            owner = self.session.execute(select(model.origin_office).where(model.id == c.record_id)).scalar()
            if owner is None:
                continue
            key = (c.record_type, owner)
            if key not in self.live:
                self.live[key] = self.session.execute(
                    select(func.count()).where(model.origin_office == owner, model.deleted.is_(False))
                ).scalar_one()
            self.deleted[key] += 1

    def check(self) -> None:
        if self.max_share is None:
            return
        for (kind, owner), count in self.deleted.items():
            live = self.live[(kind, owner)]
            if live >= MIN_RECORDS_FOR_DELETE_CHECK and count > live * self.max_share:
                if self.uncounted(kind):  # the counts would tell of records above the clearance
                    raise MassDeletion(mass_deletion_uncounted(owner, kind, self.max_share))
                raise MassDeletion(
                    ngettext(
                        "The packet would delete {count} of office {office}'s {live} {type} record (more "
                        "than {share:.0%}). Check with the sender; import with {option} if it is intended.",
                        "The packet would delete {count} of office {office}'s {live} {type} records (more "
                        "than {share:.0%}). Check with the sender; import with {option} if it is intended.",
                        live,
                    ).format(
                        count=count,
                        office=owner,
                        live=live,
                        type=kind,
                        share=self.max_share,
                        option="--allow-mass-delete",
                    )
                )


class _Coverage:
    """Where each origin's changes go: applied, held until an earlier packet closes a gap, or
    skipped because this office has them already."""

    def __init__(self, session: Session, manifest: dict[str, Any], packet_id: str) -> None:
        self.session = session
        self.packet_id = packet_id
        self.ranges: dict[str, list[int]] = manifest["ranges"]
        current = {
            o: int(s)
            for o, s in session.execute(select(OriginSequence.origin_office, OriginSequence.last_seq))
        }
        #: origins that apply now, and the last change of each already here
        self.after: dict[str, int] = {}
        self.skipped = 0
        for origin, (first, last) in self.ranges.items():
            if first > current.get(origin, 0) + 1:
                # a gap: an earlier packet has not arrived; keep this range until it does
                if session.get(HeldRange, (origin, first)) is None:
                    session.add(
                        HeldRange(origin_office=origin, first_seq=first, last_seq=last, packet_id=packet_id)
                    )
            else:
                self.after[origin] = current.get(origin, 0)

    def route(self, batch: list[Change]) -> list[Change]:
        """The changes of a batch to apply now; the others are held or skipped."""
        ready: list[Change] = []
        for c in batch:
            after = self.after.get(c.origin)
            if after is None:
                if self.session.get(HeldChange, (c.origin, c.seq)) is None:
                    self.session.add(
                        HeldChange(
                            origin_office=c.origin, seq=c.seq, packet_id=self.packet_id, change=c.to_json()
                        )
                    )
            elif c.seq > after:
                ready.append(c)
            else:
                self.skipped += 1
        return ready

    def finish(self) -> None:
        for origin, after in self.after.items():
            _set_coverage(self.session, origin, max(after, self.ranges[origin][1]))
        self.session.flush()


def _set_coverage(session: Session, origin: str, last: int) -> None:
    row = session.get(OriginSequence, origin)
    if row is None:
        session.add(OriginSequence(origin_office=origin, last_seq=last))
    else:
        row.last_seq = max(row.last_seq, last)


def _release_held(
    session: Session, packet_id: str, transaction: Transaction, sight: ImportSight
) -> tuple[ApplyStats, int]:
    """Apply held ranges whose gap closed and held changes whose records arrived, until nothing moves."""
    total = ApplyStats()
    released = 0
    while True:
        progress = False
        for held_range in session.execute(select(HeldRange).order_by(HeldRange.first_seq)).scalars().all():
            current = session.get(OriginSequence, held_range.origin_office)
            if held_range.first_seq <= (current.last_seq if current else 0) + 1:
                _set_coverage(session, held_range.origin_office, held_range.last_seq)
                session.delete(held_range)
                progress = True
        session.flush()
        gaps = {
            (r.origin_office, r.first_seq, r.last_seq) for r in session.execute(select(HeldRange)).scalars()
        }
        candidates = [
            h
            for h in session.execute(select(HeldChange)).scalars().all()
            if not any(o == h.origin_office and a <= h.seq <= b for o, a, b in gaps)
        ]
        if not candidates:
            break
        changes = [parse_change(h.change) for h in candidates]
        for h in candidates:
            session.delete(h)
        session.flush()
        stats = apply_changes(session, changes, packet_id, transaction, track=sight.tracking)
        taken = sight.count(session, stats)
        sight.hidden_released += taken
        released += len(changes) - stats.held - taken
        _add(total, stats)
        if stats.held == len(changes) and not progress:
            break
    return total, released


def _add(total: ApplyStats, stats: ApplyStats) -> None:
    for name in ("new", "updated", "unchanged", "conflicting"):
        setattr(total, name, getattr(total, name) + getattr(stats, name))
    for kind, ids in stats.search_touched.items():
        total.search_touched[kind] |= ids
    for kind, ids in stats.search_new.items():
        total.search_new[kind] |= ids
    for kind, n in stats.by_type.items():
        total.by_type[kind] = total.by_type.get(kind, 0) + n


@requires(Permission.IMPORT_PACKETS)
def import_packet(
    ctx: Context,
    path: Path,
    *,
    dry_run: bool = False,
    max_delete_share: float | None = DEFAULT_MAX_DELETE_SHARE,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import one packet file; raise ``PacketRefused`` (the store untouched) when it must not apply."""
    summary = ImportSummary(file=path.name)
    _import_into(ctx, path, summary, dry_run, max_delete_share, progress or Progress())
    return summary


@requires(Permission.IMPORT_PACKETS)
def checked_manifest(ctx: Context, opened: fmt.OpenedPacket, summary: ImportSummary) -> dict[str, Any]:
    """What an import checks before it reads a member: a trusted sender, the sender's signature,
    this office among the recipients, not imported before. Fills the summary's sender and id
    first, so that a refusal still names them; returns the signed manifest."""
    summary.packet_id, summary.sender = opened.packet_id, opened.sender
    with ctx.store.read() as session:
        sender = session.get(Office, opened.sender)
        if sender is None or sender.is_local or sender.trusted_at is None:
            raise PacketRefused(
                _(
                    "The packet comes from office {office}, which this office does not trust. "
                    "Add its office card first."
                ).format(office=opened.sender)
            )
        public_key = sender.minisign_public_key
        seen = session.get(SyncPacket, (opened.packet_id, "in"))
    opened.verify(public_key)
    manifest = opened.manifest
    if ctx.office not in manifest["recipients"]:
        raise PacketRefused(
            _("The packet is addressed to {recipients}, not to this office ({office})").format(
                recipients=", ".join(map(str, manifest["recipients"])), office=ctx.office
            )
        )
    if seen is not None:
        raise AlreadyImported(
            _("This packet was already imported on {date}").format(date=f"{seen.at:%Y-%m-%d %H:%M}"),
            opened.packet_id,
            opened.sender,
        )
    return manifest


def _import_into(
    ctx: Context,
    path: Path,
    summary: ImportSummary,
    dry_run: bool,
    max_delete_share: float | None,
    progress: Progress,
) -> None:
    """Import one packet, filling ``summary`` as it goes: a refusal still names the sender it read."""
    progress.set_total(4, _("Checking {name}").format(name=path.name))
    opened = fmt.open_packet(path)
    try:
        manifest = checked_manifest(ctx, opened, summary)
        changes = _change_count(manifest)
        # three steps of checks, one per batch of changes (as the signed manifest counts them),
        # one to finish; capped so that a progress bar's range stays within its integers
        progress.set_total(4 + min(-(-changes // BATCH), 100_000))
        progress.step()
        opened.check_members()
        progress.step()
        identity = local_keys(ctx).age_identity
        attachments = PacketAttachments(opened, identity)
        with _decryption_refused():
            attachments.check()
        progress.step()
        progress.set_label(_("Importing {name}").format(name=path.name))
        # the payload is decrypted while it is applied: a failure half way rolls everything back
        with _decryption_refused(), _plain_payload(opened, identity) as payload, _collector_paused():
            _apply(ctx, manifest, payload, attachments, summary, dry_run, max_delete_share, path, progress)
        progress.step()
    finally:
        opened.close()
    summary.status = "dry-run" if dry_run else "imported"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing a large packet makes millions of small objects and no reference cycles; the
    cyclic garbage collector would rescan them all many times over for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _change_count(manifest: dict[str, Any]) -> int:
    """How many changes the manifest declares (``verify`` checked its ranges)."""
    return sum(last - first + 1 for first, last in manifest["ranges"].values())


@contextmanager
def _plain_payload(opened: fmt.OpenedPacket, identity: str) -> Iterator[Iterable[bytes]]:
    """The payload's plain text in pieces, decrypted as it is read (held in memory only)."""
    if not _listed(opened.manifest, fmt.PAYLOAD):
        yield ()
        return
    with opened.open(fmt.PAYLOAD) as member, agebox.decrypted_pieces(member, identity) as pieces:
        yield pieces


@contextmanager
def _decryption_refused() -> Iterator[None]:
    try:
        yield
    except CryptoError as exc:
        raise PacketRefused(
            _(
                "The packet cannot be decrypted with this office's key: it was written for another "
                "office, or it is damaged"
            )
        ) from exc


def _listed(manifest: dict[str, Any], name: str) -> bool:
    return any(m.get("name") == name for m in manifest["members"])


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run after computing its summary."""


def _apply(
    ctx: Context,
    manifest: dict[str, Any],
    payload: Iterable[bytes],
    attachments: PacketAttachments,
    summary: ImportSummary,
    dry_run: bool,
    max_delete_share: float | None,
    path: Path,
    progress: Progress,
) -> None:
    """Read, check and apply the payload in batches inside one transaction; any bad row, too many
    deletions, a cancel or a dry run rolls the whole transaction back."""
    packet_id = str(manifest["packet_id"])
    rows = PayloadRows(payload, manifest, known_codes(vocabularies(ctx)))
    stats = ApplyStats()
    sight = ImportSight(ctx.principal)
    transaction = Transaction()
    try:
        with ctx.store.write() as session, bulk_write_settings(session, IMPORT_CACHE_KIB):
            if session.get_bind().dialect.name == "sqlite":
                # rows of one packet may point at each other in any order; check keys at commit
                session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            coverage = _Coverage(session, manifest, packet_id)
            deletions = _Deletions(session, max_delete_share, sight.uncounted)
            for batch in rows.batches(BATCH):
                progress.step()  # raises ``Cancelled`` when the user cancelled: all is rolled back
                if rows.problem_count:
                    continue  # refused already: read on only to name every bad row
                deletions.count(batch)
                batch_stats = apply_changes(
                    session, coverage.route(batch), packet_id, transaction, track=sight.tracking
                )
                sight.count(session, batch_stats)
                _add(stats, batch_stats)
            rows.finish()
            deletions.check()
            coverage.finish()
            released_stats, released = _release_held(session, packet_id, transaction, sight)
            _add(stats, released_stats)
            summary.new, summary.updated, summary.unchanged = stats.new, stats.updated, stats.unchanged
            summary.conflicting = stats.conflicting
            summary.held = sum(held_in_sight(session, ctx.principal).values())
            summary.released = released
            summary.by_type = dict(sorted(stats.by_type.items()))
            summary.unchanged += coverage.skipped
            summary.attachments = attachments.store(session)
            _record_ack(session, str(manifest["sender"]), manifest.get("ack") or {})
            session.flush()
            reindex_touched(
                session, stats.search_touched, new=stats.search_new, texts=transaction.search_texts
            )
            session.add(
                SyncPacket(
                    packet_id=packet_id,
                    direction="in",
                    sender=str(manifest["sender"]),
                    recipients=list(manifest["recipients"]),
                    at=ctx.now(),
                    by=ctx.user,
                    file_name=path.name,
                    ranges=manifest["ranges"],
                    summary={
                        k: v for k, v in summary.to_json().items() if k not in ("file", "rejected", "changes")
                    },
                )
            )
            whole = sight.audited(summary.to_json(), session)
            audit_packet_import(session, at=ctx.now(), actor=ctx.user, summary=whole)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    else:
        summary.changes = _changes_applied(stats)
    if stats.by_type.get("vocabulary_term"):
        invalidate_cache()


def interrupted_import_changes() -> ChangeSet:
    """What an import that stopped part way may have changed: each packet is its own transaction,
    and those before the stop went in."""
    return ChangeSet.of(MODEL_BY_TYPE, offices=True, conflicts=True, packets=True)


def _changes_applied(stats: ApplyStats) -> ChangeSet:
    """Any change applied may settle a conflict, and visits may come from an office not seen before."""
    return ChangeSet.of(
        stats.by_type,
        offices="monitoring_visit" in stats.by_type,
        conflicts=bool(stats.by_type),
        packets=True,
    )


def _record_ack(session: Session, peer: str, ack: dict[str, Any]) -> None:
    for origin, seq in ack.items():
        if not isinstance(seq, int):
            continue
        row = session.get(PeerAck, (peer, origin))
        if row is None:
            session.add(PeerAck(peer=peer, origin_office=origin, last_seq=seq))
        else:
            row.last_seq = max(row.last_seq, seq)


@requires(Permission.VIEW_SYNC_STATUS)
def refusal_log_path(ctx: Context) -> Path | None:
    return ctx.store.path.with_name(ctx.store.path.name + ".sync-log.jsonl") if ctx.store.path else None


@requires(Permission.IMPORT_PACKETS)
def log_refusal(ctx: Context, summary: ImportSummary) -> None:
    """Refused imports go to a log beside the store, so that refusing never changes the store
    (an entry is bounded: see ``refusal_log``)."""
    path = refusal_log_path(ctx)
    if path is None:
        return
    append_entry(
        path,
        {
            "at": ctx.now().replace(tzinfo=dt.UTC).isoformat(timespec="seconds"),
            "user": ctx.user,
            **summary.to_json(),
        },
    )


def packet_files(paths: list[Path]) -> list[Path]:
    """The packets named: a folder stands for the packet files in it, in name order."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob(f"*{fmt.EXTENSION}")) if path.is_dir() else [path])
    return files


@requires(Permission.IMPORT_PACKETS)
def import_files(
    ctx: Context,
    paths: list[Path],
    *,
    dry_run: bool = False,
    max_delete_share: float | None = DEFAULT_MAX_DELETE_SHARE,
    progress: Progress | None = None,
) -> list[ImportSummary]:
    """Import many packets (a folder expands to its packets), each on its own; refusals are reported.

    Whatever goes wrong with one packet refuses that packet only (its transaction rolled back,
    the refusal logged) and the next one is still tried; only a cancel stops the run."""
    progress = progress or Progress()
    files = packet_files(paths)
    results = []
    progress.set_total(len(files), _("Importing packets"))
    for file in files:
        progress.check()
        summary = ImportSummary(file=file.name)
        try:
            _import_into(ctx, file, summary, dry_run, max_delete_share, progress.within_step())
        except Cancelled:
            raise
        except AlreadyImported as exc:  # old packets left on a stick are not news, nor a failure
            summary = ImportSummary(
                file=file.name,
                packet_id=exc.packet_id,
                sender=exc.sender,
                status="already-imported",
                reason=str(exc),
            )
        except Exception as exc:  # every failure of one packet is that packet's refusal
            _refused(summary, exc)
            log_refusal(ctx, summary)
            audit_packet_refused(ctx.store, at=ctx.now(), actor=ctx.user, summary=summary.to_json())
        results.append(summary)
        progress.step()
    return results


def _refused(summary: ImportSummary, exc: Exception) -> None:
    """Turn ``summary`` into the report of a refusal; an error that is not a refusal is named by its
    kind only, since its text may quote record values."""
    summary.status, summary.refusal = "refused", "packet"
    summary.new = summary.updated = summary.unchanged = summary.conflicting = 0
    summary.held = summary.released = summary.attachments = 0
    summary.by_type, summary.changes = {}, NO_CHANGES
    if not isinstance(exc, FieldKitError):
        summary.refusal = "error"
        summary.reason = _(
            "The packet could not be imported because of an unexpected error ({error}); "
            "the store is unchanged"
        ).format(error=type(exc).__name__)
        return
    summary.reason = str(exc)
    if isinstance(exc, RowsRefused):
        summary.rejected, summary.rejected_count, summary.refusal = exc.problems, exc.count, "rows"
    elif isinstance(exc, MassDeletion):
        summary.refusal = "mass-deletion"
