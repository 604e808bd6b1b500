"""The bulk writes of applying changes: new records and change-log rows queued and inserted
together, and values for existing records merged per record and updated together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session

from fieldkit.store.base import SYSTEM_FIELDS, SyncedRecord
from fieldkit.store.bulk import JsonRows
from fieldkit.store.codec import content_fields
from fieldkit.store.registry import MODEL_BY_TYPE
from fieldkit.store.system import ChangeLog
from fieldkit.sync.changes import Change

_LOG_COLUMNS = ("origin_office", "seq", "record_type", "record_id", "version", "op", "at", "by", "data",
                "parents", "resolves")  # fmt: skip


_SYSTEM_ORDER = ("id", "origin_office", "created_at", "created_by", "updated_at", "updated_by", "version",
                 "deleted")  # fmt: skip
assert SYSTEM_FIELDS == _SYSTEM_ORDER, "RecordInserts.record builds rows in this order"


def _picker(names: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    if len(names) == 1:
        return lambda data: (data[names[0]],)
    return itemgetter(*names)


class RecordInserts:
    """New records (per type, parents first) and change-log rows, queued and written in bulk."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._records: dict[str, tuple[JsonRows, Callable[[dict[str, Any]], tuple[Any, ...]]]] = {}
        self._log = JsonRows(session, ChangeLog, _LOG_COLUMNS)

    def time(self, c: Change) -> str:
        """The change's time as the database stores it, for ``record`` and ``log``."""
        return self._log.time(c.at_text)

    def record(self, c: Change, at: str) -> None:
        table = self._records.get(c.record_type)
        if table is None:
            names = [f.name for f in content_fields(MODEL_BY_TYPE[c.record_type])]
            rows = JsonRows(self.session, MODEL_BY_TYPE[c.record_type], (*SYSTEM_FIELDS, *names))
            table = self._records[c.record_type] = (rows, _picker(names))
        rows, pick = table
        # the system fields, in _SYSTEM_ORDER, then the content the change carries
        rows.add((c.record_id, c.origin, at, c.by, at, c.by, c.version, False, *pick(c.data)))

    def log(self, c: Change, at: str) -> None:
        self._log.add(
            (c.origin, c.seq, c.record_type, c.record_id, c.version, c.op, at, c.by, c.data,
             c.parents or [], c.resolves or [])
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self._log)

    def flush(self) -> None:
        for rows, _pick in self._records.values():
            rows.flush(self.session)
        self._log.flush(self.session)


class RecordUpdates:
    """Values for records that already exist, merged per record and written in bulk.

    Values merge in the order changes apply, which is what a record would end up with had
    each been written at once; one record's values then go out in a single statement.
    """

    def __init__(self) -> None:
        self._pending: dict[tuple[type[SyncedRecord], str], dict[str, Any]] = {}

    def set(self, model: type[SyncedRecord], record_id: str, values: dict[str, Any]) -> None:
        self._pending.setdefault((model, record_id), {}).update(values)

    def pending(self, model: type[SyncedRecord], record_id: str) -> dict[str, Any]:
        """The values still to be written to one record (empty once written)."""
        return self._pending.get((model, record_id), {})

    def flush(self, session: Session) -> None:
        groups: dict[tuple[type[SyncedRecord], tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
        for (model, record_id), values in self._pending.items():
            row = {f"v_{name}": value for name, value in values.items()}
            row["record_id"] = record_id
            groups[(model, tuple(sorted(values)))].append(row)
        self._pending.clear()
        for (model, names), rows in groups.items():
            table = cast(Table, model.__table__)
            statement = (
                update(table)
                .where(table.c.id == bindparam("record_id"))
                .values({name: bindparam(f"v_{name}") for name in names})
            )
            session.execute(statement, rows)
