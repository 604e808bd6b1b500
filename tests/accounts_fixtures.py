"""Stores with accounts, one per role, on cheap argon2 parameters so the suite stays fast."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fixed_clock import SteppingClock

from fieldkit.access import Role
from fieldkit.context import Context
from fieldkit.domain import accounts
from fieldkit.opening import Credentials, open_context
from fieldkit.services.users import add_user

#: each account's password is its user name followed by this
PASSWORD_SUFFIX = "-secret-pw"


def cheap_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_argon2() -> Iterator[None]:
    previous = accounts.set_password_hasher(cheap_hasher())
    yield
    accounts.set_password_hasher(previous)


def username_for(role: Role) -> str:
    return role.value.replace("-", "_")


def add_role_accounts(ctx: Context) -> None:
    """One account per role; the administrator first, as a store requires."""
    for role in sorted(Role, key=lambda r: r is not Role.ADMINISTRATOR):
        name = username_for(role)
        add_user(ctx, name, display_name=name, roles=[role.value], password=name + PASSWORD_SUFFIX)


def sign_in_as(path: Path, username: str, password: str | None = None) -> Context:
    secret = password if password is not None else username + PASSWORD_SUFFIX
    context = open_context(path, user=username, credentials=Credentials(None, lambda: secret))
    context.now = SteppingClock()
    return context
