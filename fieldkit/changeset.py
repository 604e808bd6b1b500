"""What a mutation changed, so that a window reloads and redraws only what depends on it.

Saves, deletions, merges, conflict resolutions, office set-up and packet imports return a
``ChangeSet`` (alone, or beside their result in a ``Changed``). It names record types, not
records: enough to know which lists are stale, cheap to build and to combine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

VOCABULARY_TYPE = "vocabulary_term"
AREA_TYPE = "admin_area"


@dataclass(frozen=True)
class ChangeSet:
    #: record types with at least one record created, edited, deleted or restored
    record_types: frozenset[str] = frozenset()
    #: controlled vocabularies (their terms or labels)
    vocab: bool = False
    #: administrative areas, the places visits are filed under
    areas: bool = False
    #: the offices this store knows: its own, its partners, those whose visits it holds
    offices: bool = False
    #: conflicts were recorded or settled
    conflicts: bool = False
    #: sync packets were read (the packet log and each partner's state)
    packets: bool = False

    @classmethod
    def of(
        cls,
        record_types: Iterable[str],
        *,
        offices: bool = False,
        conflicts: bool = False,
        packets: bool = False,
    ) -> ChangeSet:
        """Changes to these record types; vocabulary terms and areas raise their own flags."""
        types = frozenset(record_types)
        return cls(
            types,
            vocab=VOCABULARY_TYPE in types,
            areas=AREA_TYPE in types,
            offices=offices,
            conflicts=conflicts,
            packets=packets,
        )

    def __or__(self, other: ChangeSet) -> ChangeSet:
        return ChangeSet(
            self.record_types | other.record_types,
            vocab=self.vocab or other.vocab,
            areas=self.areas or other.areas,
            offices=self.offices or other.offices,
            conflicts=self.conflicts or other.conflicts,
            packets=self.packets or other.packets,
        )

    def __bool__(self) -> bool:
        return self != NO_CHANGES

    def touches(self, *record_types: str) -> bool:
        """Whether any of these record types changed."""
        return not self.record_types.isdisjoint(record_types)

    def to_json(self) -> dict[str, Any]:
        return {
            "record_types": sorted(self.record_types),
            "vocab": self.vocab,
            "areas": self.areas,
            "offices": self.offices,
            "conflicts": self.conflicts,
            "packets": self.packets,
        }


NO_CHANGES = ChangeSet()


def combined(change_sets: Iterable[ChangeSet]) -> ChangeSet:
    """The union of several, e.g. of the packets of one import."""
    total = NO_CHANGES
    for changes in change_sets:
        total = total | changes
    return total


@dataclass(frozen=True)
class Changed(Generic[T]):
    """A mutation's result together with what it changed."""

    value: T
    changes: ChangeSet
