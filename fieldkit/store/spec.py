"""What FieldKit knows about a record type, declared once beside its columns.

A model says, per column, what a person calls the field, which vocabulary its codes
come from, whether it is required, searchable or identifying (``meta(...)`` in the
column's ``info``), and, per type, who may receive it, what names a record for a
person, whether duplicates may be merged, where its searchable text belongs and which
column holds its confidentiality level (``RecordSpec``). Sync, validation, search,
conflicts, duplicates, exports and the window read these declarations through
``fieldkit.store.registry``; none of them keeps a list of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

INFO_KEY = "fieldkit"


class Sharing(StrEnum):
    """Which partner offices may receive records of a type."""

    #: every office may see them, whoever made them (vocabularies, places, organisations)
    REFERENCE = "reference"
    #: consolidating offices receive them; any other office only gets its own back
    OWNED = "owned"
    #: identifying details of people: they stay home unless the office shares identities
    IDENTITY = "identity"


@dataclass(frozen=True)
class FieldMeta:
    """What a column means to people and to the checks; text is an untranslated msgid."""

    label: str | None = None
    vocabulary: str | None = None
    required: bool = False
    #: part of the record's searchable text
    search: bool = False
    #: identifies a person: redacted in exports unless asked for
    restricted: bool = False


def meta(
    label: str | None = None,
    *,
    vocabulary: str | None = None,
    required: bool = False,
    search: bool = False,
    restricted: bool = False,
) -> dict[str, Any]:
    """A column's ``info=``: ``mapped_column(String(400), info=meta(N_("Title"), search=True))``."""
    return {INFO_KEY: FieldMeta(label, vocabulary, required, search, restricted)}


@dataclass(frozen=True)
class MergeRule:
    """How likely duplicates of a type are found: the fields compared, by name."""

    #: the name compared across scripts and spellings
    name: str
    sex: str | None = None
    birth_year: str | None = None
    #: a field that must agree when both records have it (an organisation, a country)
    group: str | None = None


@dataclass(frozen=True)
class RecordSpec:
    """Per type: its label, who receives it, what names one, how it merges and is found."""

    label: str
    sharing: Sharing = Sharing.OWNED
    #: the field that names a record for a person (lists, conflicts); the id when None
    title: str | None = None
    #: likely duplicates are found and merged by these fields; None: never merged
    merge: MergeRule | None = None
    #: a reference field: the record's searchable text is part of the record it points at
    #: (an incident's summary is found through its visit)
    search_into: str | None = None
    #: a sheet and a file of its own in export-data
    exported: bool = True
    #: the column holding the record's confidentiality level (a ``sensitivity_level`` code); a type
    #: without one that belongs to a type with one (an incident to its visit) takes its parent's,
    #: as ``registry.confidentiality_path`` derives from the required references
    confidentiality: str | None = None
