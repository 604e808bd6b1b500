"""Search across every searchable record type: one box, every kind of record it finds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.search import cancellable, find
from fieldkit.store.registry import MODEL_BY_TYPE, search_roots


@dataclass(frozen=True)
class SearchHit:
    record_type: str
    record_id: str
    #: what names the record for a person (its declared title field), or its id
    title: str


@requires(Permission.VIEW_RECORDS)
def search_records(
    ctx: Context,
    text: str,
    record_types: tuple[str, ...] = (),
    *,
    limit: int = 50,
    progress: Progress | None = None,
) -> list[SearchHit]:
    """Live records whose searchable text matches every word of ``text`` (or a stem of it), best
    match first; ``progress.cancel()`` stops the search (``Cancelled``)."""
    unknown = [t for t in record_types if t not in search_roots()]
    if unknown:
        raise ValidationError(
            _("These record types cannot be searched: {types}").format(types=", ".join(unknown))
        )
    with ctx.store.read() as session, cancellable(session, progress):
        found = find(session, text, record_types or None, limit, principal=ctx.principal)
        titles: dict[str, str] = {}
        for record_type in {t for t, _id in found}:  # one query per type found, not per hit
            model = MODEL_BY_TYPE[record_type]
            column = getattr(model, model.spec.title or "id")
            ids = [i for t, i in found if t == record_type]
            titles.update(
                (str(i), str(title or i))
                for i, title in session.execute(select(model.id, column).where(model.id.in_(ids)))
            )
        return [SearchHit(t, i, titles.get(i, i)) for t, i in found]
