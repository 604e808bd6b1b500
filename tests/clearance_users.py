"""Users of one store with a clearance of their own, for the clearance tests.

They are administrators, so that the clearance alone decides what they see; what each
role may do is tested with the role table.
"""

from __future__ import annotations

from fieldkit.access import Principal, Role
from fieldkit.context import Context


def as_user(ctx: Context, clearance: str, name: str = "reader") -> Context:
    """The same store and office, worked in by ``name``, cleared for ``clearance``."""
    principal = Principal(name, frozenset({Role.ADMINISTRATOR}), clearance)
    return Context(ctx.store, user=name, office_code=ctx.office_code, now=ctx.now, acting_as=principal)
