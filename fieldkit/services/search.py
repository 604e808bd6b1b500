"""Search across every searchable record type: one box, every kind of record it finds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.search import find
from fieldkit.store.registry import MODEL_BY_TYPE, search_roots


@dataclass(frozen=True)
class SearchHit:
    record_type: str
    record_id: str
    #: what names the record for a person (its declared title field), or its id
    title: str


@requires(Permission.VIEW_RECORDS)
def search_records(
    ctx: Context, text: str, record_types: tuple[str, ...] = (), *, limit: int = 50
) -> list[SearchHit]:
    """Live records whose searchable text matches every word of ``text``, best match first."""
    unknown = [t for t in record_types if t not in search_roots()]
    if unknown:
        raise ValidationError(
            _("These record types cannot be searched: {types}").format(types=", ".join(unknown))
        )
    with ctx.store.read() as session:
        found = find(session, text, record_types or None, limit)
        hits = []
        for record_type, record_id in found:
            model = MODEL_BY_TYPE[record_type]
            column = getattr(model, model.spec.title or "id")
            title = session.execute(select(column).where(model.id == record_id)).scalar()
            hits.append(SearchHit(record_type, record_id, str(title or record_id)))
        return hits
