"""Every change to a shared record goes through a ``Writer``.

A writer bumps the record's version, stamps who and when, appends a change-log
entry under the next gap-free sequence number of the local office, and writes an
audit entry with the values replaced: all inside the caller's transaction, so a
rollback takes back the change, its log and its sequence numbers together.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.ids import uuid7
from fieldkit.store.audit import append_rows, record_change_row
from fieldkit.store.base import SYSTEM_FIELDS, SyncedRecord
from fieldkit.store.codec import content_fields, encode_values, field_map
from fieldkit.store.registry import search_root_of
from fieldkit.store.system import ChangeLog, Conflict, OriginSequence

R = TypeVar("R", bound=SyncedRecord)


def change_key(origin: str, seq: int) -> str:
    return f"{origin}:{seq}"


def heads(session: Session, record_id: str) -> list[str]:
    """The latest changes to a record: those no other change has seen."""
    rows = session.execute(
        select(ChangeLog.origin_office, ChangeLog.seq, ChangeLog.parents).where(
            ChangeLog.record_id == record_id
        )
    ).all()
    seen = {parent for _o, _s, parents in rows for parent in parents or ()}
    return sorted(change_key(o, s) for o, s, _p in rows if change_key(o, s) not in seen)


def column_defaults(model: type[SyncedRecord]) -> dict[str, Any]:
    """Python-side defaults of a model's columns (``default=list`` gives a fresh list)."""
    out: dict[str, Any] = {}
    for column in model.__table__.columns:
        default = column.default
        if default is None:
            continue
        arg: Any = getattr(default, "arg", None)
        out[column.key] = arg(None) if getattr(default, "is_callable", False) else arg
    return out


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def allocate_seqs(session: Session, origin: str, count: int) -> int:
    """Reserve ``count`` sequence numbers for ``origin``; return the first one.

    The counter row is updated in the caller's transaction, which holds the
    write lock (SQLite ``BEGIN IMMEDIATE``, a row lock on PostgreSQL), so the
    numbers are gap-free and never handed out twice.
    """
    result = session.execute(
        update(OriginSequence)
        .where(OriginSequence.origin_office == origin)
        .values(last_seq=OriginSequence.last_seq + count)
        .returning(OriginSequence.last_seq)
    ).scalar_one_or_none()
    if result is None:
        session.add(OriginSequence(origin_office=origin, last_seq=count))
        session.flush()
        result = count
    return int(result) - count + 1


class Writer:
    """Makes versioned, logged changes as one office and user within one session."""

    def __init__(
        self,
        session: Session,
        office: str,
        user: str,
        *,
        now: Callable[[], dt.datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.session = session
        self.office = office
        self.user = user
        self.now = now
        self.rng = rng
        #: record types this writer changed, for the ``ChangeSet`` a service returns
        self.record_types: set[str] = set()
        #: per indexed record type, the records whose searchable text changed in this transaction
        #: (see ``fieldkit.search``)
        self.search_touched: dict[str, set[str]] = defaultdict(set)
        #: of those, records created here: nothing to take out of the index first
        self.search_new: dict[str, set[str]] = defaultdict(set)
        #: set by ``audited_as``: the action and detail the audit rows of an operation carry
        self._audit_as: tuple[str, dict[str, Any]] | None = None

    @contextmanager
    def audited_as(self, action: str, detail: dict[str, Any]) -> Iterator[None]:
        """Audit the changes made inside as parts of one operation (a merge): their rows carry
        ``action`` and ``detail``, plus the change each one is (``op``). The change log is as usual."""
        outer, self._audit_as = self._audit_as, (action, detail)
        try:
            yield
        finally:
            self._audit_as = outer

    def _audit_fields(self, op: str) -> tuple[str, dict[str, Any] | None]:
        if self._audit_as is None:
            return op, None
        action, detail = self._audit_as
        return action, {**detail, "op": op}

    def new_id(self, at: dt.datetime | None = None) -> str:
        ms = int((at or self.now()).replace(tzinfo=dt.UTC).timestamp() * 1000)
        return uuid7(ms, self.rng)

    # -- single records ---------------------------------------------------------------

    def create(self, model: type[R], values: dict[str, Any], *, record_id: str | None = None) -> R:
        self._check_fields(model, values)
        now = self.now()
        record = model(
            id=record_id or self.new_id(now),
            origin_office=self.office,
            created_at=now,
            created_by=self.user,
            updated_at=now,
            updated_by=self.user,
            version=1,
            deleted=False,
            **values,
        )
        self.session.add(record)
        self.session.flush()
        full = {f.name: getattr(record, f.name) for f in content_fields(model)}
        self._log(record, "create", full, None)
        return record

    def update(
        self, record: SyncedRecord, values: dict[str, Any], *, resolves: Sequence[str] = ()
    ) -> dict[str, Any]:
        """Apply the values that differ; return them (empty when nothing changed).

        ``resolves`` names conflicts a person settled with these values: the change is
        logged even when no value differs, so the resolution travels.
        """
        model = type(record)
        self._check_fields(model, values)
        changed = {k: v for k, v in values.items() if getattr(record, k) != v}
        if not changed and not resolves:
            return {}
        # a resolution logs every value chosen, kept ones too, so that it meets another office's
        # concurrent choice as a conflict instead of losing to it unseen
        logged = dict(values) if resolves else changed
        old = {k: getattr(record, k) for k in logged}
        self._note_search_text(model, [old])  # a record moved to another parent leaves the old one's text
        for key, value in changed.items():
            setattr(record, key, value)
        self._touch(record)
        self._log(record, "update", logged, old, resolves)
        return changed

    def delete(self, record: SyncedRecord, *, resolves: Sequence[str] = ()) -> None:
        """Tombstone the record: it stays, marked deleted, so the deletion can travel."""
        if record.deleted and not resolves:
            return
        record.deleted = True
        self._touch(record)
        self._log(record, "delete", {"deleted": True}, {"deleted": False}, resolves)

    def restore(self, record: SyncedRecord, *, resolves: Sequence[str] = ()) -> None:
        if not record.deleted and not resolves:
            return
        record.deleted = False
        self._touch(record)
        self._log(record, "restore", {"deleted": False}, {"deleted": True}, resolves)

    # -- many records at once -----------------------------------------------------------

    def bulk_create(self, model: type[SyncedRecord], rows: Sequence[dict[str, Any]]) -> list[str]:
        """Insert many new records with Core ``executemany``: same log, a fraction of the cost.

        Each row holds content fields and may carry ``id`` and ``created_at``.
        """
        if not rows:
            return []
        specs = content_fields(model)
        defaults = column_defaults(model)
        first = allocate_seqs(self.session, self.office, len(rows))
        now = self.now()
        action, detail = self._audit_fields("create")
        records: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        ids: list[str] = []
        for offset, row in enumerate(rows):
            at = row.get("created_at") or now
            record_id = row.get("id") or self.new_id(at)
            # a field the row leaves out takes the column's default, as an ORM insert would
            content = {s.name: row[s.name] if s.name in row else defaults.get(s.name) for s in specs}
            ids.append(record_id)
            records.append(
                {
                    "id": record_id,
                    "origin_office": self.office,
                    "created_at": at,
                    "created_by": self.user,
                    "updated_at": at,
                    "updated_by": self.user,
                    "version": 1,
                    "deleted": False,
                    **content,
                }
            )
            seq = first + offset
            changes.append(
                {
                    "origin_office": self.office,
                    "seq": seq,
                    "record_type": model.record_type,
                    "record_id": record_id,
                    "version": 1,
                    "op": "create",
                    "at": at,
                    "by": self.user,
                    "data": encode_values(model, content),
                    "parents": [],
                    "resolves": [],
                }
            )
            audits.append(
                {
                    "at": at,
                    "actor": self.user,
                    "action": action,
                    "record_type": model.record_type,
                    "record_id": record_id,
                    "origin_office": self.office,
                    "seq": seq,
                    "old": None,
                    "detail": detail,
                }
            )
        # Core inserts of whole rows: one executemany each, and no column default replacing a None
        # that the change log records as None
        self.session.execute(insert(model.__table__), records)  # type: ignore[arg-type]
        self._note_search_text(model, records)
        root = search_root_of(model.record_type)
        if root is not None and root[1] is None:
            self.search_new[root[0]].update(ids)
        self.session.execute(insert(ChangeLog.__table__), changes)  # type: ignore[arg-type]
        append_rows(self.session, audits)  # hashed and chained in the same executemany
        self.record_types.add(model.record_type)
        return ids

    # -- internals ----------------------------------------------------------------------

    def _check_fields(self, model: type[SyncedRecord], values: dict[str, Any]) -> None:
        known = field_map(model)
        unknown = [k for k in values if k not in known or k in SYSTEM_FIELDS]
        if unknown:
            raise ValidationError(
                _("Unknown field for {record_type}: {fields}").format(
                    record_type=model.record_type, fields=", ".join(sorted(unknown))
                )
            )

    def _note_search_text(self, model: type[SyncedRecord], rows: Iterable[dict[str, Any]]) -> None:
        """Rows hold ``id`` or, for a record whose text belongs to another, that reference field."""
        root = search_root_of(model.record_type)
        if root is None:
            return
        root_type, field = root
        key = "id" if field is None else field
        self.search_touched[root_type].update(r[key] for r in rows if r.get(key) is not None)

    def _touch(self, record: SyncedRecord) -> None:
        record.version += 1
        record.updated_at = self.now()
        record.updated_by = self.user

    def _log(
        self,
        record: SyncedRecord,
        op: str,
        new: dict[str, Any],
        old: dict[str, Any] | None,
        resolves: Sequence[str] = (),
    ) -> None:
        model = type(record)
        parents = [] if op == "create" else heads(self.session, record.id)
        self._note_search_text(model, [record_to_row(record)])
        seq = allocate_seqs(self.session, self.office, 1)
        self.session.execute(
            insert(ChangeLog).values(
                origin_office=self.office,
                seq=seq,
                record_type=model.record_type,
                record_id=record.id,
                version=record.version,
                op=op,
                at=record.updated_at,
                by=self.user,
                data=encode_values(model, new),
                parents=parents,
                resolves=list(resolves),
            )
        )
        if resolves:
            mark_resolved(self.session, resolves, change_key(self.office, seq))
        action, detail = self._audit_fields(op)
        append_rows(
            self.session,
            [
                record_change_row(
                    at=record.updated_at,
                    actor=self.user,
                    action=action,
                    record_type=model.record_type,
                    record_id=record.id,
                    origin_office=self.office,
                    seq=seq,
                    old=encode_values(model, old) if old is not None else None,
                    detail=detail,
                )
            ],
        )
        self.record_types.add(model.record_type)


def record_to_row(record: SyncedRecord) -> dict[str, Any]:
    return {c.key: getattr(record, c.key) for c in record.__table__.columns}


def mark_resolved(session: Session, conflict_ids: Sequence[str], by_change: str) -> None:
    """Close conflicts; when two people resolved one at once, the same change is recorded everywhere."""
    for conflict in session.execute(select(Conflict).where(Conflict.id.in_(list(conflict_ids)))).scalars():
        if conflict.resolved_by_change is None or _key_order(by_change) > _key_order(
            conflict.resolved_by_change
        ):
            conflict.resolved_by_change = by_change
        conflict.status = "resolved"


def _key_order(key: str) -> tuple[str, int]:
    origin, _sep, seq = key.rpartition(":")
    return (origin, int(seq))
