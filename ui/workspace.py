"""Everything the window needs from the store before it can show a page, loaded off the GUI thread
at start and again whenever a change makes it stale (see ``outdated_by``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fieldkit.changeset import ChangeSet
from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies, vocabularies
from fieldkit.opening import Credentials, open_context
from fieldkit.progress import Progress
from fieldkit.services.dashboard import StoreLocation, store_location
from fieldkit.services.monitoring_types import AreaRow
from fieldkit.services.office import OfficeInfo, local_office
from fieldkit.services.visit_list import admin_areas, visit_offices
from fieldkit.store.engine import resolve_url, sqlite_path


@dataclass(frozen=True)
class Workspace:
    ctx: Context
    vocab: Vocabularies
    areas: tuple[AreaRow, ...]
    office: OfficeInfo | None
    store: StoreLocation
    #: offices whose visits the store holds; lists offer an office filter when there are several
    offices: tuple[str, ...] = ()

    def with_office(self, office: OfficeInfo) -> Workspace:
        return replace(self, office=office)


def outdated_by(changes: ChangeSet) -> bool:
    """Whether a workspace loaded before these changes shows stale vocabularies, places or offices."""
    return changes.vocab or changes.areas or changes.offices


def load_workspace(ctx: Context) -> Workspace:
    """Store work: call it from an Op (or from a test), never on the GUI thread of a running app."""
    return Workspace(
        ctx,
        vocabularies(ctx),
        tuple(admin_areas(ctx)),
        local_office(ctx),
        store_location(ctx),
        tuple(visit_offices(ctx)),
    )


def open_workspace(
    db: str | None,
    progress: Progress,
    *,
    user: str | None = None,
    credentials: Credentials | None = None,
) -> Workspace:
    """Open (create or upgrade) the store, then load the workspace; for the startup Op.

    ``credentials`` answer an encrypted store or a store with accounts (the unlock screen).
    A new store gets its office from the first-run assistant that follows."""
    progress.check()
    path = sqlite_path(resolve_url(db))
    if credentials is not None and path is not None and not path.exists():
        # a new store starts plain: the unlock screen has nothing to ask of it
        credentials = replace(credentials, passphrase=None)
    ctx = open_context(db, user=user, create=True, credentials=credentials)
    try:
        progress.check()
        return load_workspace(ctx)
    except BaseException:
        ctx.close()
        raise
