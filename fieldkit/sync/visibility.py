"""What each partner office may receive.

Consolidating offices (regional, subregional, headquarters) receive everything,
so that they can relay with origins intact. Any other office receives reference
data from everyone and its own records back, never other offices' monitoring or
training rosters. Identifying details of people stay home unless shared on purpose.
"""

from __future__ import annotations

CONSOLIDATING_TYPES = frozenset({"regional-office", "subregional-office", "headquarters"})
#: record types every office may see, whoever created them
REFERENCE_TYPES = frozenset(
    {"vocabulary_term", "admin_area", "organisation", "project", "training_event", "record_alias"}
)
#: record types that never leave the office unless it explicitly shares identities
IDENTITY_TYPES = frozenset({"person_identity"})


def sees_everything(office_type: str) -> bool:
    return office_type in CONSOLIDATING_TYPES
