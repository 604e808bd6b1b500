"""What each partner office may receive.

Consolidating offices (regional, subregional, headquarters) receive everything,
so that they can relay with origins intact. Any other office receives reference
data from everyone and its own records back, never other offices' monitoring or
training rosters. Identifying details of people stay home unless shared on purpose.
Which type is which is declared on its model (``RecordSpec.sharing``).
"""

from __future__ import annotations

from fieldkit.store.registry import registry_cache, spec_of
from fieldkit.store.spec import Sharing

CONSOLIDATING_TYPES = frozenset({"regional-office", "subregional-office", "headquarters"})


def sees_everything(office_type: str) -> bool:
    return office_type in CONSOLIDATING_TYPES


@registry_cache
def shared_with_everyone(record_type: str) -> bool:
    """Reference data: every office may see it, whoever created it."""
    return spec_of(record_type).sharing is Sharing.REFERENCE


@registry_cache
def identifies_people(record_type: str) -> bool:
    """Never leaves the office unless it explicitly shares identities."""
    return spec_of(record_type).sharing is Sharing.IDENTITY
