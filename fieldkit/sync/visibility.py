"""What each partner office may receive.

Consolidating offices (regional, subregional, headquarters) receive everything,
so that they can relay with origins intact. Any other office receives reference
data from everyone and its own records back, never other offices' monitoring or
training rosters. Identifying details of people stay home unless shared on purpose.
Which type is which is declared on its model (``RecordSpec.sharing``).

Offices receive whole types, never parts of records: a restricted field (a participant's
name or phone) travels with its record to every office that receives the type, since an
office holding the record without it would disagree with the others about its values and
could not match it with a duplicate by name. Who may SEE a restricted field, or a record
above their clearance, is decided per user at every office (``fieldkit.store.clearance``),
and a user may only make a packet that carries nothing beyond them (``fieldkit.sync.carried``).
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
