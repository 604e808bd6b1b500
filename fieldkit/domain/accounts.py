"""Signing in: who may open a store that has accounts, with which roles and clearance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fieldkit.access import Principal
from fieldkit.store.engine import Store


def sign_in(
    store: Store, username: str | None, ask_password: Callable[[], str] | None, now: dt.datetime
) -> Principal | None:
    """The principal of the account ``username``, once its password is checked.

    None for a store with no accounts yet: its local user administers it.
    """
    return None
