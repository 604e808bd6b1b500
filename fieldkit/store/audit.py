"""The audit trail: every row appended through here, chained to the one before it.

Each ``audit_log`` row's ``hash`` is the SHA-256 of a canonical encoding (orjson, sorted keys)
of its content and ``prev_hash``, the hash of the row before it by id (``GENESIS`` for the
first). Editing a row breaks its own hash; removing one breaks the next row's link; removing
the last rows is caught by the chain's head, kept in the ``setting`` table (``HEAD_KEY``: how
many rows the chain holds and the hash of the last) and updated in the same transaction.

Rows are appended inside write transactions only, so one writer at a time reads the head and
extends it: SQLite's ``BEGIN IMMEDIATE`` holds the write lock, and on PostgreSQL an advisory
lock is taken before the head is read. Ids are given here, one past the last row's, so that the
id a hash covers is the id the row gets.

Rows written before the chain existed (a store upgraded from before migration 0008) have no
hash; the chain starts after them, from ``GENESIS``, and ``verify_chain`` counts them apart.
This makes the trail tamper-evident, not tamper-proof: someone who can write to the store and
knows this scheme can rewrite the whole chain and its head (see docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from fieldkit.errors import FieldKitError
from fieldkit.store.engine import Store
from fieldkit.store.system import AuditLog, Setting

#: ``prev_hash`` of the chain's first row
GENESIS = "0" * 64
#: the ``setting`` row holding the chain's head: ``{"count": rows chained, "id": last id, "hash": its hash}``
HEAD_KEY = "audit.head"
#: PostgreSQL advisory lock serialising appends (an arbitrary constant: "FKAUDIT" in ASCII)
_PG_LOCK = 0x464B4155444954

#: the columns a row's hash covers, besides ``prev_hash``
HASHED_COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "record_type",
    "record_id",
    "origin_office",
    "seq",
    "old",
    "detail",
)

#: actions of events that are not one record's change (record changes use the change-log op)
ACTION_MERGE = "merge"
ACTION_EXPORT = "export"
ACTION_IMPORT = "import"
ACTION_REPORT = "report"
ACTION_KEY_EXPORT = "key-export"
ACTION_LOGIN = "login"
ACTION_LOGIN_FAILED = "login-failed"
ACTION_UNLOCK = "unlock"
ACTION_UNLOCK_FAILED = "unlock-fail"
ACTION_USER_ADD = "user-add"
ACTION_USER_CHANGE = "user-change"
ACTION_PASSWORD = "password"
ACTION_USER_UNLOCK = "unlock-user"
ACTION_KEY_RESTORE = "key-restore"
ACTION_STORE_ENCRYPT = "encrypt"
ACTION_PASSPHRASE = "passphrase"
ACTION_BACKUP = "backup"
RECORD_ACTIONS = ("create", "update", "delete", "restore")
EVENT_ACTIONS = (
    ACTION_MERGE,
    ACTION_EXPORT,
    ACTION_IMPORT,
    ACTION_REPORT,
    ACTION_KEY_EXPORT,
    ACTION_KEY_RESTORE,
    ACTION_STORE_ENCRYPT,
    ACTION_PASSPHRASE,
    ACTION_BACKUP,
    ACTION_LOGIN,
    ACTION_LOGIN_FAILED,
    ACTION_UNLOCK,
    ACTION_UNLOCK_FAILED,
    ACTION_USER_ADD,
    ACTION_USER_CHANGE,
    ACTION_PASSWORD,
    ACTION_USER_UNLOCK,
)

#: the parts of an import's summary its audit row keeps: counts and codes, never row contents
IMPORT_DETAIL_KEYS = (
    "file",
    "packet_id",
    "sender",
    "status",
    "refusal",
    "new",
    "updated",
    "unchanged",
    "conflicting",
    "held",
    "released",
    "rejected_count",
    "attachments",
    "by_type",
)

_SORT = orjson.OPT_SORT_KEYS


def naive_utc(at: dt.datetime) -> dt.datetime:
    """Stored times are naive UTC; an aware one is converted so the stored value is the hashed one."""
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo is not None else at


def row_hash(row: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of one row's content chained to ``prev_hash``.

    JSON values hash as orjson writes them, which is also how the engine stores them, so the
    values read back hash the same as those written.
    """
    at: dt.datetime = row["at"]
    content = {
        "id": row["id"],
        "at": at.isoformat(timespec="microseconds"),
        "actor": row["actor"],
        "action": row["action"],
        "record_type": row["record_type"],
        "record_id": row["record_id"],
        "origin_office": row["origin_office"],
        "seq": row["seq"],
        "old": row["old"],
        "detail": row["detail"],
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(orjson.dumps(content, option=_SORT)).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    """What the ``setting`` row says the chain ends in."""

    count: int
    last_id: int
    hash: str
    #: when the head was found missing and written again while chained rows existed: a break
    reset_at: str | None = None

    def to_text(self) -> str:
        value: dict[str, Any] = {"count": self.count, "id": self.last_id, "hash": self.hash}
        if self.reset_at is not None:
            value["reset_at"] = self.reset_at
        return orjson.dumps(value, option=_SORT).decode()


def read_head(session: Session) -> ChainHead | None:
    value = session.execute(select(Setting.value).where(Setting.key == HEAD_KEY)).scalar_one_or_none()
    if value is None:
        return None
    try:
        data = orjson.loads(value)
        return ChainHead(int(data["count"]), int(data["id"]), str(data["hash"]), data.get("reset_at"))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return ChainHead(-1, -1, "")  # unreadable: verify reports a head mismatch


def _write_head(session: Session, head: ChainHead, existed: bool) -> None:
    if existed:
        session.execute(update(Setting).where(Setting.key == HEAD_KEY).values(value=head.to_text()))
    else:
        session.execute(insert(Setting).values(key=HEAD_KEY, value=head.to_text()))


def append_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append audit rows (dicts of the ``audit_log`` columns but id and hashes) in order, in the
    caller's write transaction; fills in ``id``, ``prev_hash`` and ``hash``. One ``executemany``."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    last = session.execute(select(AuditLog.id, AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)).first()
    head = read_head(session)
    count = head.count if head is not None else 0
    reset_at = head.reset_at if head is not None else None
    if head is None and last is not None and last.hash is not None:
        # chained rows without a head: someone removed it; say so for ever instead of healing it
        count = session.execute(
            select(func.count()).select_from(AuditLog).where(AuditLog.hash.is_not(None))
        ).scalar_one()
        reset_at = naive_utc(rows[0]["at"]).isoformat(timespec="seconds")
    prev = last.hash if last is not None and last.hash is not None else GENESIS
    next_id = last.id + 1 if last is not None else 1
    for row in rows:
        row["at"] = naive_utc(row["at"])
        row["id"] = next_id
        row["prev_hash"] = prev
        prev = row["hash"] = row_hash(row, prev)
        next_id += 1
    session.execute(insert(AuditLog.__table__), list(rows))  # type: ignore[arg-type]
    _write_head(session, ChainHead(count + len(rows), next_id - 1, prev, reset_at), head is not None)


def record_change_row(
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    record_type: str,
    record_id: str,
    origin_office: str,
    seq: int,
    old: dict[str, Any] | None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One record change's audit row, ready for ``append_rows``."""
    return {
        "at": at,
        "actor": actor,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "origin_office": origin_office,
        "seq": seq,
        "old": old,
        "detail": detail,
    }


def append_event(
    session: Session,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    detail: dict[str, Any] | None = None,
    record_type: str = "",
    record_id: str = "",
) -> None:
    """Audit something that is not one record's change: an import, an export, a sign-in.

    ``action`` is a short code (at most 12 characters); ``detail`` holds counts, file names
    and reasons, never record contents.
    """
    if len(action) > 12:
        raise ValueError(f"audit action codes have at most 12 characters: {action!r}")
    append_rows(
        session,
        [
            record_change_row(
                at=at,
                actor=actor,
                action=action,
                record_type=record_type,
                record_id=record_id,
                origin_office="",
                seq=0,
                old=None,
                detail=detail,
            )
        ],
    )


# -- events written by the sync paths -----------------------------------------------------------


def import_detail(summary: Mapping[str, Any]) -> dict[str, Any]:
    """What an import's audit row keeps of its summary (``ImportSummary.to_json()``)."""
    return {k: summary[k] for k in IMPORT_DETAIL_KEYS if k in summary}


def audit_packet_import(session: Session, *, at: dt.datetime, actor: str, summary: Mapping[str, Any]) -> None:
    """One imported packet, in the import's own transaction."""
    append_event(session, at=at, actor=actor, action=ACTION_IMPORT, detail=import_detail(summary))


def append_event_apart(store: Store, **event: Any) -> bool:
    """``append_event`` in a transaction of its own, for an event that changed nothing else in
    the store (a data export, a refused import). Returns whether it was written: a read-only
    store, or one another program keeps locked, cannot take it."""
    if store.read_only:
        return False
    try:
        with store.write() as session:
            append_event(session, **event)
    except FieldKitError:
        return False
    return True


def audit_packet_refused(store: Store, *, at: dt.datetime, actor: str, summary: Mapping[str, Any]) -> bool:
    """A refused packet, apart from the import's rolled-back transaction; the refusal log beside
    the store has it too, whether or not the store could take it."""
    return append_event_apart(store, at=at, actor=actor, action=ACTION_IMPORT, detail=import_detail(summary))


def audit_packet_export(
    session: Session,
    *,
    at: dt.datetime,
    actor: str,
    packet_id: str,
    to: str,
    file_name: str,
    changes: int,
    attachments: int,
    counts: Mapping[str, int],
) -> None:
    """One packet written, in the transaction that records it as sent."""
    detail = {
        "kind": "packet",
        "packet_id": packet_id,
        "to": to,
        "file": file_name,
        "changes": changes,
        "attachments": attachments,
        "by_type": dict(sorted(counts.items())),
    }
    append_event(session, at=at, actor=actor, action=ACTION_EXPORT, detail=detail)


# -- verifying ---------------------------------------------------------------------------------

#: what a break is: a row whose content or hash changed, a link to a row that is not there,
#: a row after the chain started that has no hash, a head that does not match the last row
BREAK_EDITED = "edited"
BREAK_MISSING = "missing"
BREAK_UNHASHED = "unhashed"
BREAK_HEAD = "head"


@dataclass(frozen=True)
class ChainBreak:
    kind: str
    #: the row where the break shows (None for a head whose chain has no rows left)
    row_id: int | None
    at: dt.datetime | None
    #: for a missing row: ids absent before ``row_id`` (by the id sequence; 0 when unknown);
    #: for the head: rows it counts that are not in the chain (negative: more rows than it counts)
    missing: int = 0
    #: for the head: it was found missing and recreated at this time (ISO)
    reset_at: str | None = None


@dataclass(frozen=True)
class ChainReport:
    #: chained rows checked
    checked: int
    #: rows written before the chain existed
    predating: int
    broken: ChainBreak | None
    #: what the head says: note it elsewhere, and a later chain must extend it
    head: ChainHead | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


_VERIFY_COLUMNS = (*HASHED_COLUMNS, "prev_hash", "hash")


def verify_chain(session: Session, *, step: Callable[[int], None] | None = None) -> ChainReport:
    """Check every row against its hash and its link, and the last against the head; the first
    break found is reported. ``step(n)`` is called every few thousand rows (progress, cancel)."""
    columns = [getattr(AuditLog, name) for name in _VERIFY_COLUMNS]
    result = session.execute(
        select(*columns).order_by(AuditLog.id).execution_options(yield_per=5000, stream_results=True)
    )
    checked = predating = 0
    prev_hash: str | None = None  # None: the chain has not started
    prev_id = 0
    last: Any = None
    for n, row in enumerate(_mappings(result), 1):
        if step is not None and n % 5000 == 0:
            step(5000)
        if row["hash"] is None:
            if prev_hash is None:
                predating += 1
                prev_id = row["id"]
                continue
            return ChainReport(checked, predating, ChainBreak(BREAK_UNHASHED, row["id"], row["at"]))
        expected_prev = prev_hash if prev_hash is not None else GENESIS
        if row_hash(row, row["prev_hash"] or "") != row["hash"]:
            return ChainReport(checked, predating, ChainBreak(BREAK_EDITED, row["id"], row["at"]))
        if row["prev_hash"] != expected_prev:
            gap = max(0, row["id"] - prev_id - 1)
            return ChainReport(checked, predating, ChainBreak(BREAK_MISSING, row["id"], row["at"], gap))
        prev_hash, prev_id, last = row["hash"], row["id"], row
        checked += 1
    head = read_head(session)
    if head is None:
        if checked:
            return ChainReport(checked, predating, ChainBreak(BREAK_HEAD, last["id"], last["at"]))
        return ChainReport(checked, predating, None)
    row_id = last["id"] if last is not None else None
    at = last["at"] if last is not None else None
    if head.reset_at is not None:
        broken = ChainBreak(BREAK_HEAD, row_id, at, reset_at=head.reset_at)
        return ChainReport(checked, predating, broken, head)
    ends = (last["hash"], last["id"]) if last is not None else (GENESIS, 0)
    if head.count != checked or (head.count and (head.hash, head.last_id) != ends):
        broken = ChainBreak(BREAK_HEAD, row_id, at, missing=head.count - checked)
        return ChainReport(checked, predating, broken, head)
    return ChainReport(checked, predating, None, head)


def _mappings(result: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for row in result:
        yield dict(zip(_VERIFY_COLUMNS, row, strict=True))
