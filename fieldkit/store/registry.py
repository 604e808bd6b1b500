"""Every synced record type, as its model declares it, and what follows from the declarations.

A ``SyncedRecord`` subclass registers itself when it is defined. The order in which
records travel and apply (parents before children) is computed from the foreign keys,
not kept by hand; coded fields, searchable text, restricted fields, titles, labels and
where a record's confidentiality level comes from are read from the columns' ``meta`` and
the type's ``RecordSpec``. Lookups that depend
on the set of types are cached with ``registry_cache`` and forgotten when it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import String

from fieldkit.i18n import N_, _
from fieldkit.store.base import MODEL_BY_TYPE, TYPES_CHANGED, SyncedRecord, register, unregister
from fieldkit.store.spec import INFO_KEY, FieldMeta, RecordSpec

__all__ = ["MODEL_BY_TYPE", "register", "unregister"]

F = TypeVar("F", bound=Callable[..., Any])
_NO_META = FieldMeta()


def registry_cache(func: F) -> F:
    """``functools.cache`` that is emptied whenever a record type registers or leaves."""
    cached = cache(func)
    TYPES_CHANGED.append(cached.cache_clear)
    return cached  # type: ignore[return-value]


def model_of(record_type: str) -> type[SyncedRecord]:
    """The model of a record type; ``KeyError`` for a type nobody declared."""
    return MODEL_BY_TYPE[record_type]


def spec_of(record_type: str) -> RecordSpec:
    return MODEL_BY_TYPE[record_type].spec


@registry_cache
def record_models() -> tuple[type[SyncedRecord], ...]:
    """Every type, parents before children (by foreign key), else in the order declared."""
    declared = list(MODEL_BY_TYPE.values())
    by_table = {m.__tablename__: m for m in declared}
    needs = {m: {by_table[t] for t in _referenced_tables(m) if t in by_table} - {m} for m in declared}
    ordered: list[type[SyncedRecord]] = []
    while len(ordered) < len(declared):
        ready = next((m for m in declared if m not in ordered and needs[m] <= set(ordered)), None)
        if ready is None:
            cycle = sorted(m.record_type for m in declared if m not in ordered)
            raise RuntimeError(f"record types reference each other in a cycle: {cycle}")
        ordered.append(ready)
    return tuple(ordered)


def _referenced_tables(model: type[SyncedRecord]) -> Iterator[str]:
    for column in model.__table__.columns:
        for fk in column.foreign_keys:
            yield fk.column.table.name


@registry_cache
def type_order() -> dict[str, int]:
    return {m.record_type: i for i, m in enumerate(record_models())}


@registry_cache
def references(record_type: str) -> dict[str, type[SyncedRecord]]:
    """Foreign-key fields of a record type and the record type each points to."""
    by_table = {m.__tablename__: m for m in MODEL_BY_TYPE.values()}
    refs: dict[str, type[SyncedRecord]] = {}
    for column in MODEL_BY_TYPE[record_type].__table__.columns:
        for fk in column.foreign_keys:
            target = by_table.get(fk.column.table.name)
            if target is not None:
                refs[column.key] = target
    return refs


def field_meta(model: type[SyncedRecord], name: str) -> FieldMeta:
    column = model.__table__.columns.get(name)
    if column is None:
        return _NO_META
    found = column.info.get(INFO_KEY)
    return found if isinstance(found, FieldMeta) else _NO_META


@registry_cache
def fields_meta(record_type: str) -> dict[str, FieldMeta]:
    """Column -> its declaration, in column order (system columns declare nothing)."""
    model = MODEL_BY_TYPE[record_type]
    return {c.key: field_meta(model, c.key) for c in model.__table__.columns}


@registry_cache
def coded_fields(record_type: str) -> dict[str, str]:
    """Fields holding vocabulary codes (a code or a list of codes) -> their vocabulary."""
    return {name: m.vocabulary for name, m in fields_meta(record_type).items() if m.vocabulary}


@registry_cache
def restricted_fields(record_type: str) -> frozenset[str]:
    return frozenset(name for name, m in fields_meta(record_type).items() if m.restricted)


@registry_cache
def max_lengths(record_type: str) -> dict[str, int]:
    """Text fields whose column declares a maximum length (``String(n)``) -> that length."""
    return {
        column.key: column.type.length
        for column in MODEL_BY_TYPE[record_type].__table__.columns
        if isinstance(column.type, String) and column.type.length is not None
    }


@registry_cache
def search_fields(record_type: str) -> tuple[str, ...]:
    return tuple(name for name, m in fields_meta(record_type).items() if m.search)


@registry_cache
def search_roots() -> tuple[str, ...]:
    """Types indexed for search on their own: searchable, and not part of another's text."""
    return tuple(
        m.record_type for m in record_models() if m.spec.search_into is None and search_fields(m.record_type)
    )


@registry_cache
def search_parts(root_type: str) -> tuple[tuple[str, str], ...]:
    """(type, reference field) of the types whose searchable text is part of ``root_type``'s."""
    parts = []
    for model in record_models():
        into = model.spec.search_into
        if into is not None and references(model.record_type)[into].record_type == root_type:
            parts.append((model.record_type, into))
    return tuple(parts)


@registry_cache
def search_root_of(record_type: str) -> tuple[str, str | None] | None:
    """Where a type's text is indexed: (root type, reference field or None), or None if nowhere."""
    spec = spec_of(record_type)
    if spec.search_into is not None:
        return references(record_type)[spec.search_into].record_type, spec.search_into
    if search_fields(record_type):
        return record_type, None
    return None


@dataclass(frozen=True)
class ConfidentialityPath:
    """How a record of one type reaches the confidentiality level that applies to it: through
    ``steps`` (reference fields, followed in order) to a record of ``holder``, whose ``column``
    holds the level. A type declaring the column itself has no steps."""

    steps: tuple[str, ...]
    holder: str
    column: str


@registry_cache
def confidentiality_path(record_type: str) -> ConfidentialityPath | None:
    """Where a type's confidentiality comes from, or None for a type that has none (reference
    data, people under their codes, training): its own declared column, else the path of the
    one record its required references lead to that has a level (an incident's visit, a
    follow-up recommendation's follow-up and so its visit)."""
    model = MODEL_BY_TYPE[record_type]
    if model.spec.confidentiality is not None:
        return ConfidentialityPath((), record_type, model.spec.confidentiality)
    found: list[tuple[str, ConfidentialityPath]] = []
    for name, target in references(record_type).items():
        if target is model or model.__table__.columns[name].nullable:
            continue  # an optional reference cannot decide who may see the record
        through = confidentiality_path(target.record_type)
        if through is not None:
            found.append((name, through))
    if len(found) > 1:
        raise RuntimeError(
            f"{record_type} reaches a confidentiality level through several references "
            f"({', '.join(n for n, _p in found)}); declare one with RecordSpec.confidentiality"
        )
    if not found:
        return None
    name, through = found[0]
    return ConfidentialityPath((name, *through.steps), through.holder, through.column)


def mergeable_types() -> tuple[str, ...]:
    return tuple(m.record_type for m in record_models() if m.spec.merge is not None)


def type_label(record_type: str, translate: Callable[[str], str] | None = None) -> str:
    """What a person calls a record type, in the language ``translate`` (a gettext) speaks."""
    model = MODEL_BY_TYPE.get(record_type)
    if model is None:
        return record_type
    return (translate or _)(model.spec.label)


def field_label(record_type: str, name: str, translate: Callable[[str], str] | None = None) -> str:
    """What a person calls a field; an undeclared one shows its stored name, readable enough."""
    model = MODEL_BY_TYPE.get(record_type)
    label = field_meta(model, name).label if model is not None else None
    if name == "deleted":
        label = N_("Deleted or edited")
    return (translate or _)(label) if label else name.replace("_", " ")
