"""Alembic environment: run against the connection ``fieldkit.store.migrate`` hands in.

The models' metadata comes in the same way, so that nothing under ``migrations`` imports
application code: a revision must mean the same thing whatever that code says later.
"""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("FieldKit migrations run through fieldkit.store.migrate, not the alembic CLI")


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # the search index is a virtual table made by hand (0002, 0006), and the legacy table only
    # keeps what 0006 moved aside: neither is part of the models
    return not (type_ == "table" and name is not None and name.startswith(_NOT_MODELLED))


_NOT_MODELLED = ("visit_search", "search_index", "search_pending", "legacy_recommendation_refs")


context.configure(
    include_object=_include,
    connection=connection,
    target_metadata=config.attributes.get("target_metadata"),
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
