"""One change as it travels: a line of the payload, and its checks on arrival."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import inspect as sa_inspect

from fieldkit.i18n import _
from fieldkit.services.vocab import Vocabularies
from fieldkit.store.base import SyncedRecord
from fieldkit.store.codec import FieldSpec, content_fields, decode, field_map
from fieldkit.store.records import CODED_FIELDS, MODEL_BY_TYPE, RECORD_MODELS

OPS = ("create", "update", "delete", "restore")
TYPE_ORDER = {m.record_type: i for i, m in enumerate(RECORD_MODELS)}
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_OFFICE = re.compile(r"^[A-Z0-9*][A-Z0-9-]{0,31}$")
_CHANGE_KEY = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}:[1-9][0-9]*$")


@dataclass(frozen=True)
class Change:
    origin: str
    seq: int
    record_type: str
    record_id: str
    version: int
    op: str
    at: dt.datetime
    by: str
    #: new values, JSON-safe (as in the change log)
    data: dict[str, Any]
    #: changes to the record its author had seen, "ORIGIN:seq"
    parents: tuple[str, ...] = ()
    #: conflicts a person resolved with this change
    resolves: tuple[str, ...] = ()

    @property
    def at_text(self) -> str:
        """``at`` as the change log and packets write it."""
        return self.at.isoformat(timespec="microseconds")

    @property
    def change_key(self) -> str:
        return f"{self.origin}:{self.seq}"

    @property
    def key(self) -> tuple[int, str, int]:
        """Total order of changes to one record: later versions win, then origin, then seq."""
        return (self.version, self.origin, self.seq)

    @property
    def apply_order(self) -> tuple[int, int, str, int]:
        return (TYPE_ORDER[self.record_type], self.version, self.origin, self.seq)

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "seq": self.seq,
            "type": self.record_type,
            "id": self.record_id,
            "version": self.version,
            "op": self.op,
            "at": self.at.isoformat(timespec="microseconds"),
            "by": self.by,
            "data": self.data,
            "parents": list(self.parents),
            "resolves": list(self.resolves),
        }


class RowError(ValueError):
    """A payload row that does not fit the schema or the vocabularies."""


def parse_change(raw: Any) -> Change:
    """Check one payload row's shape and types; raise ``RowError`` naming the problem."""
    if not isinstance(raw, dict):
        raise RowError(_("not a JSON object"))
    try:
        origin, seq, kind, rid = raw["origin"], raw["seq"], raw["type"], raw["id"]
        version, op, at, by, data = raw["version"], raw["op"], raw["at"], raw["by"], raw["data"]
    except KeyError as exc:
        raise RowError(_("missing '{key}'").format(key=exc.args[0])) from None
    if not isinstance(origin, str) or not _OFFICE.match(origin):
        raise RowError(_("bad origin office"))
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise RowError(_("bad sequence number"))
    if kind not in MODEL_BY_TYPE:
        raise RowError(_("unknown record type '{type}'").format(type=kind))
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RowError(_("bad record id"))
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RowError(_("bad version"))
    if op not in OPS:
        raise RowError(_("unknown operation '{op}'").format(op=op))
    if not isinstance(by, str) or not isinstance(data, dict):
        raise RowError(_("bad author or data"))
    try:
        when = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        raise RowError(_("bad timestamp")) from None
    parents, resolves = raw.get("parents", []), raw.get("resolves", [])
    for name, keys in (("parents", parents), ("resolves", resolves)):
        if not isinstance(keys, list) or not all(isinstance(k, str) and len(k) <= 60 for k in keys):
            raise RowError(_("bad {name}").format(name=name))
    if not all(_CHANGE_KEY.match(k) for k in parents):
        raise RowError(_("bad parents"))
    return Change(origin, seq, kind, rid, version, op, when, by, data, tuple(parents), tuple(resolves))


@dataclass(frozen=True)
class _Schema:
    specs: dict[str, FieldSpec]
    content: frozenset[str]
    coded: tuple[tuple[str, str], ...]


@cache
def _schema(record_type: str) -> _Schema:
    model = MODEL_BY_TYPE[record_type]
    return _Schema(
        specs=field_map(model),
        content=frozenset(f.name for f in content_fields(model)),
        coded=tuple(CODED_FIELDS.get(record_type, {}).items()),
    )


def check_values(change: Change, vocab: Vocabularies, new_terms: set[tuple[str, str]]) -> None:
    """Check every field against the schema and the vocabularies."""
    schema = _schema(change.record_type)
    allowing_deleted = change.op in ("delete", "restore")
    for name, value in change.data.items():
        if name not in schema.content and not (allowing_deleted and name == "deleted"):
            raise RowError(_("unknown field '{field}'").format(field=name))
        try:
            decode(schema.specs[name], value)
        except (TypeError, ValueError) as exc:
            raise RowError(_("field '{field}': {reason}").format(field=name, reason=exc)) from None
    if change.op == "create" and len(change.data) < len(schema.content):
        missing = sorted(schema.content - set(change.data))
        raise RowError(_("a new record lacks: {fields}").format(fields=", ".join(missing)))
    for name, vocabulary in schema.coded:
        value = change.data.get(name)
        for code in value if isinstance(value, list) else (value,):
            if code is None or code == "":
                continue
            if not isinstance(code, str) or not (
                vocab.has(vocabulary, code) or (vocabulary, code) in new_terms
            ):
                raise RowError(
                    _("unknown code '{code}' in {field} (vocabulary {vocabulary})").format(
                        code=code, field=name, vocabulary=vocabulary
                    )
                )


@cache
def references(record_type: str) -> dict[str, type[SyncedRecord]]:
    """Foreign-key fields of a record type and the record type each points to."""
    model = MODEL_BY_TYPE[record_type]
    by_table = {m.__tablename__: m for m in RECORD_MODELS}
    refs: dict[str, type[SyncedRecord]] = {}
    for column in sa_inspect(model).columns:
        for fk in column.foreign_keys:
            target = by_table.get(fk.column.table.name)
            if target is not None:
                refs[column.key] = target
    return refs
