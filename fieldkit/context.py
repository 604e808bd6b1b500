"""``Context``: an open store plus who is working in it.

Services are plain functions taking a ``Context`` and ids or plain values and
returning plain objects; the GUI and the CLI call the same ones. Each is wrapped in
``fieldkit.access.requires``, and the context's store opens sessions only inside such a call.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import InitVar, dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.access import Principal, guard_store_access, local_principal, unchecked
from fieldkit.clock import local_date
from fieldkit.errors import NotInitialised
from fieldkit.i18n import _
from fieldkit.search import reindex_touched
from fieldkit.store.changes import Writer, utcnow
from fieldkit.store.engine import Store
from fieldkit.store.system import Office


def default_user() -> str:
    try:
        return os.environ.get("FIELDKIT_USER") or getpass.getuser()
    except Exception:  # no login name on some kiosks and containers
        return "user"


@dataclass
class Context:
    store: Store
    user: str = field(default_factory=default_user)
    office_code: str | None = None
    #: the time as naive UTC, like every stored time; tests pass a fixed clock
    now: Callable[[], dt.datetime] = utcnow
    rng: random.Random | None = None
    backup: Path | None = None
    #: the signed-in account; without one (a store with no accounts) the local user administers it
    acting_as: InitVar[Principal | None] = None
    #: who passes the permission door; ``user`` stays the name written in change logs
    principal: Principal = field(init=False)

    def __post_init__(self, acting_as: Principal | None) -> None:
        self.principal = acting_as if acting_as is not None else local_principal(self.user)
        self.store.session_guard = guard_store_access

    @property
    def office(self) -> str:
        if self.office_code is None:
            raise NotInitialised(
                _("This store has no office yet. Run '{command}' or the first-run setup.").format(
                    command="fieldkit init"
                )
            )
        return self.office_code

    def today(self) -> dt.date:
        """The computer's calendar date at ``now()``: what "this month" and "overdue" count from."""
        return local_date(self.now())

    @contextmanager
    def write(self) -> Iterator[tuple[Session, Writer]]:
        """A write transaction and a writer acting as this office and user."""
        office = self.office
        with self.store.write() as session:
            writer = Writer(session, office, self.user, now=self.now, rng=self.rng)
            yield session, writer
            session.flush()
            reindex_touched(session, writer.search_touched, new=writer.search_new)

    def require_office(self) -> str:
        """This office's code; raises ``NotInitialised`` on a store that has none yet."""
        return self.office

    def refresh_office(self) -> None:
        # the context's own identity, read while it is being opened, before any service runs
        with unchecked("Context.refresh_office"), self.store.read() as session:
            self.office_code = session.execute(
                select(Office.code).where(Office.is_local.is_(True))
            ).scalar_one_or_none()

    def close(self) -> None:
        self.store.dispose()
