"""One change as it travels: a line of the payload, and its checks on arrival."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from fieldkit.domain.vocab import Vocabularies
from fieldkit.i18n import _, ngettext
from fieldkit.store.codec import FieldSpec, content_fields, decode, field_map
from fieldkit.store.registry import MODEL_BY_TYPE, coded_fields, max_lengths, registry_cache, type_order

OPS = ("create", "update", "delete", "restore")
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_OFFICE = re.compile(r"^[A-Z0-9*][A-Z0-9-]{0,31}$")
_CHANGE_KEY = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}:[1-9][0-9]*$")
_CANONICAL_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\Z")


@dataclass(slots=True)
class Change:
    """One change, read from a packet or a held row; never modified once made."""

    origin: str
    seq: int
    record_type: str
    record_id: str
    version: int
    op: str
    #: when, as the change log and packets write it ("YYYY-MM-DDTHH:MM:SS.ffffff")
    at_text: str
    by: str
    #: new values, JSON-safe (as in the change log)
    data: dict[str, Any]
    #: changes to the record its author had seen, "ORIGIN:seq"
    parents: tuple[str, ...] = ()
    #: conflicts a person resolved with this change
    resolves: tuple[str, ...] = ()

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.at_text)

    @property
    def change_key(self) -> str:
        return f"{self.origin}:{self.seq}"

    @property
    def key(self) -> tuple[int, str, int]:
        """Total order of changes to one record: later versions win, then origin, then seq."""
        return (self.version, self.origin, self.seq)

    @property
    def apply_order(self) -> tuple[int, int, str, int]:
        return (type_order()[self.record_type], self.version, self.origin, self.seq)

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "seq": self.seq,
            "type": self.record_type,
            "id": self.record_id,
            "version": self.version,
            "op": self.op,
            "at": self.at_text,
            "by": self.by,
            "data": self.data,
            "parents": list(self.parents),
            "resolves": list(self.resolves),
        }


class RowError(ValueError):
    """A payload row that does not fit the schema or the vocabularies."""


_ENVELOPE = itemgetter("origin", "seq", "type", "id", "version", "op", "at", "by", "data")
_OPS = frozenset(OPS)
_NO_KEYS: list[str] = []


def parse_change(raw: Any) -> Change:
    """Check one payload row's shape and types; raise ``RowError`` naming the problem."""
    if type(raw) is not dict:
        raise RowError(_("not a JSON object"))
    try:
        origin, seq, kind, rid, version, op, at, by, data = _ENVELOPE(raw)
    except KeyError as exc:
        raise RowError(_("missing '{key}'").format(key=exc.args[0])) from None
    # ``type(x) is int`` also turns away true and false, which JSON keeps apart from numbers
    if type(origin) is not str or not _OFFICE.match(origin):
        raise RowError(_("bad origin office"))
    if type(seq) is not int or seq < 1:
        raise RowError(_("bad sequence number"))
    if kind not in MODEL_BY_TYPE:
        raise RowError(_("unknown record type '{type}'").format(type=kind))
    if type(rid) is not str or not _ID.match(rid):
        raise RowError(_("bad record id"))
    if type(version) is not int or version < 1:
        raise RowError(_("bad version"))
    if op not in _OPS:
        raise RowError(_("unknown operation '{op}'").format(op=op))
    if type(by) is not str or type(data) is not dict:
        raise RowError(_("bad author or data"))
    try:
        when = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        raise RowError(_("bad timestamp")) from None
    if not _CANONICAL_AT.match(at):  # keep one spelling, so that every office logs the same bytes
        at = when.isoformat(timespec="microseconds")
    parents, resolves = raw.get("parents", _NO_KEYS), raw.get("resolves", _NO_KEYS)
    if parents != [] or resolves != []:  # most changes have neither
        _check_keys(parents, resolves)
    return Change(origin, seq, kind, rid, version, op, at, by, data, tuple(parents), tuple(resolves))


def _check_keys(parents: Any, resolves: Any) -> None:
    for name, keys in (("parents", parents), ("resolves", resolves)):
        if not isinstance(keys, list) or not all(isinstance(k, str) and len(k) <= 60 for k in keys):
            raise RowError(_("bad {name}").format(name=name))
    if not all(_CHANGE_KEY.match(k) for k in parents):
        raise RowError(_("bad parents"))


_VALUE_TYPES: dict[str, frozenset[type]] = {
    "str": frozenset({str}),
    "int": frozenset({int}),
    "float": frozenset({int, float}),
    "bool": frozenset({bool}),
    "date": frozenset({str}),
    "datetime": frozenset({str}),
    "json": frozenset({list, dict}),
}


@dataclass(frozen=True)
class _Schema:
    specs: dict[str, FieldSpec]
    content: frozenset[str]
    coded: tuple[tuple[str, str], ...]
    #: content fields in order, with the exact value types each takes, for one pass in C
    names: tuple[str, ...]
    types: tuple[frozenset[type], ...]
    #: text fields whose spelling is checked too
    dates: tuple[FieldSpec, ...]
    #: content fields with a declared maximum length, and that length
    limits: dict[str, int]


@registry_cache
def _schema(record_type: str) -> _Schema:
    model = MODEL_BY_TYPE[record_type]
    content = content_fields(model)
    limits = {k: n for k, n in max_lengths(record_type).items() if k in {f.name for f in content}}
    return _Schema(
        specs=field_map(model),
        content=frozenset(f.name for f in content),
        coded=tuple(coded_fields(record_type).items()),
        names=tuple(f.name for f in content),
        types=tuple(_VALUE_TYPES[f.kind] | ({type(None)} if _may_be_null(f) else set()) for f in content),
        dates=tuple(f for f in content if f.kind in ("date", "datetime")),
        limits=limits,
    )


def _may_be_null(spec: FieldSpec) -> bool:
    return spec.nullable or spec.kind == "json"  # as ``decode`` has it


def known_codes(vocab: Vocabularies) -> dict[str, set[str]]:
    """Every vocabulary's codes; an import adds the terms a packet brings as it reads them."""
    return {name: vocab.codes(name) for name in vocab.names()}


def check_values(change: Change, codes: dict[str, set[str]]) -> list[tuple[str, str, str]]:
    """Check every field against the schema (raising ``RowError``) and return the codes not
    in ``codes`` as (field, vocabulary, code): a later row of the same packet may add them."""
    schema = _schema(change.record_type)
    data = change.data
    # a whole new record of the expected types passes in one pass; anything else is looked at closely
    if not (
        change.op == "create"
        and data.keys() == schema.content
        and all(map(frozenset.__contains__, schema.types, map(type, map(data.__getitem__, schema.names))))
        and _dates_ok(schema, data)
        and _lengths_ok(schema, data)
    ):
        _check_fields(change, schema)
    unknown: list[tuple[str, str, str]] = []
    for name, vocabulary in schema.coded:
        value = data.get(name)
        if value is None or value == "":
            continue
        valid = codes.get(vocabulary, _NO_CODES)
        try:
            if value in valid if type(value) is str else (type(value) is list and valid.issuperset(value)):
                continue
        except TypeError:  # a list holding lists or maps
            pass
        unknown.extend(_unknown_codes(name, vocabulary, value, valid))
    return unknown


_NO_CODES: set[str] = set()


def unknown_code_message(name: str, vocabulary: str, code: str) -> str:
    return _("unknown code '{code}' in {field} (vocabulary {vocabulary})").format(
        code=code, field=name, vocabulary=vocabulary
    )


def _dates_ok(schema: _Schema, data: dict[str, Any]) -> bool:
    for spec in schema.dates:
        value = data[spec.name]
        if value is not None:
            try:
                decode(spec, value)
            except ValueError:
                return False
    return True


def _lengths_ok(schema: _Schema, data: dict[str, Any]) -> bool:
    """For a row whose types are checked already: text values, or null."""
    for name, limit in schema.limits.items():
        value = data[name]
        if value is not None and len(value) > limit:
            return False
    return True


def _check_fields(change: Change, schema: _Schema) -> None:
    allowing_deleted = change.op in ("delete", "restore")
    for name, value in change.data.items():
        if name not in schema.content and not (allowing_deleted and name == "deleted"):
            raise RowError(_("unknown field '{field}'").format(field=name))
        try:
            decode(schema.specs[name], value)
        except (TypeError, ValueError) as exc:
            raise RowError(_("field '{field}': {reason}").format(field=name, reason=exc)) from None
        limit = schema.limits.get(name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            reason = ngettext("At most {limit} character", "At most {limit} characters", limit).format(
                limit=limit
            )
            raise RowError(_("field '{field}': {reason}").format(field=name, reason=reason))
    if change.op == "create" and len(change.data) < len(schema.content):
        missing = sorted(schema.content - set(change.data))
        raise RowError(_("a new record lacks: {fields}").format(fields=", ".join(missing)))


def _unknown_codes(name: str, vocabulary: str, value: Any, valid: set[str]) -> list[tuple[str, str, str]]:
    unknown = []
    for code in value if isinstance(value, list) else (value,):
        if code is None or code == "":
            continue
        if not isinstance(code, str):
            reason = _("codes must be text")
            raise RowError(_("field '{field}': {reason}").format(field=name, reason=reason))
        if code not in valid:
            unknown.append((name, vocabulary, code))
    return unknown
