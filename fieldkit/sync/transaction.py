"""What the batches of one import transaction share, kept within bounds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Transaction:
    """What the batches applied in one transaction share.

    Only what the last batches made is kept, and searchable text up to a budget: every batch
    is written to the store when it ends, where the next ones find anything older, so memory
    does not grow with the packet.
    """

    #: ids of the records the batch being applied created, per record type, and those of the
    #: batch before it: a reference to a record made just before needs no query
    created: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    created_before: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: for records whose text belongs to another (an incident's to its visit), the record it
    #: belongs to, for those this batch has looked at or made, to reindex on a change
    text_owners: dict[str, str | None] = field(default_factory=dict)
    #: per indexed record created so far, its searchable text (its own fields, then those of the
    #: records belonging to it) gathered from the changes, so that indexing it needs no query;
    #: past ``TEXT_BUDGET`` characters, the text of further records is read back from the store
    search_texts: dict[str, list[str | None]] = field(default_factory=dict)
    text_chars: int = 0

    def keep_text(self, record_id: str, values: list[str | None]) -> None:
        size = _chars(values)
        if self.text_chars + size <= TEXT_BUDGET:
            self.search_texts[record_id] = values
            self.text_chars += size

    def add_text(self, owner: str, values: list[str | None]) -> None:
        """Add a part's text to its owner's, if the owner's is kept (else it is read back)."""
        text = self.search_texts.get(owner)
        if text is None:
            return
        size = _chars(values)
        if self.text_chars + size <= TEXT_BUDGET:
            text.extend(values)
            self.text_chars += size
        else:
            self.drop_text(owner)

    def drop_text(self, owner: str) -> None:
        self.text_chars -= _chars(self.search_texts.pop(owner, []))

    def next_batch(self) -> None:
        self.created_before, self.created = self.created, defaultdict(set)
        self.text_owners.clear()

    def made(self, record_type: str, ids: set[str]) -> set[str]:
        """Which of these ids the last batches created."""
        return (ids & self.created[record_type]) | (ids & self.created_before[record_type])


#: characters of searchable text a transaction keeps at most (a few tens of MB)
TEXT_BUDGET = 16_000_000


def _chars(values: list[str | None]) -> int:
    return sum(len(v) for v in values if v)
