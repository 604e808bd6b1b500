"""User accounts: list, add, change, passwords, unlocking; and the lock screen's password check.

Everything but one's own password needs ``MANAGE_USERS``. The first account of a store must
be an administrator; from then on the store asks who signs in. The last active
administrator can be neither removed, deactivated nor demoted, so a store can never be left
without someone who manages it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.access import CONFIDENTIALITY_LEVELS, Permission, Role, default_clearance, requires
from fieldkit.context import Context
from fieldkit.domain.accounts import (
    count_accounts,
    hash_password,
    password_matches,
    record_failure,
)
from fieldkit.errors import NotFound, ValidationError
from fieldkit.i18n import _, ngettext
from fieldkit.store import audit as chain
from fieldkit.store.audit import append_event
from fieldkit.store.system import UserAccount

#: lower-case letters, digits, dot, dash and underscore; starts with a letter
USERNAME_PATTERN = re.compile(r"[a-z][a-z0-9._-]{1,39}")
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class UserRow:
    username: str
    display_name: str
    roles: tuple[str, ...]
    clearance: str
    active: bool
    locked_until: dt.datetime | None
    failed_logins: int
    created_at: dt.datetime
    last_login_at: dt.datetime | None


def _row(account: UserAccount) -> UserRow:
    return UserRow(
        username=account.username,
        display_name=account.display_name,
        roles=tuple(account.roles),
        clearance=account.clearance,
        active=account.active,
        locked_until=account.locked_until,
        failed_logins=account.failed_logins or 0,
        created_at=account.created_at,
        last_login_at=account.last_login_at,
    )


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(message, {field: message})


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _invalid(
            field,
            ngettext(
                "A password needs at least {count} character.",
                "A password needs at least {count} characters.",
                MIN_PASSWORD_LENGTH,
            ).format(count=MIN_PASSWORD_LENGTH),
        )


def _check_roles(roles: list[str] | tuple[str, ...]) -> list[str]:
    known = {role.value for role in Role}
    if not roles:
        raise _invalid("roles", _("Give the account at least one role."))
    for code in roles:
        if code not in known:
            raise _invalid(
                "roles",
                _("Unknown role {role}; the roles are: {roles}.").format(
                    role=code, roles=", ".join(sorted(known))
                ),
            )
    return sorted(set(roles))


def _check_clearance(clearance: str) -> str:
    if clearance not in CONFIDENTIALITY_LEVELS:
        raise _invalid(
            "clearance",
            _("Unknown clearance {level}; the levels are: {levels}.").format(
                level=clearance, levels=", ".join(CONFIDENTIALITY_LEVELS)
            ),
        )
    return clearance


def _account(session: Session, username: str) -> UserAccount:
    account = session.get(UserAccount, username)
    if account is None:
        raise NotFound(_("There is no user {name}.").format(name=username))
    return account


def _is_admin(account: UserAccount) -> bool:
    return account.active and Role.ADMINISTRATOR.value in account.roles


def _other_active_admins(session: Session, username: str) -> int:
    accounts = session.execute(select(UserAccount).where(UserAccount.username != username)).scalars()
    return sum(1 for account in accounts if _is_admin(account))


@requires(Permission.VIEW_RECORDS)
def has_accounts(ctx: Context) -> bool:
    """Whether this store asks who signs in."""
    with ctx.store.read() as session:
        return count_accounts(session) > 0


@requires(Permission.MANAGE_USERS)
def list_users(ctx: Context) -> list[UserRow]:
    with ctx.store.read() as session:
        accounts = session.execute(select(UserAccount).order_by(UserAccount.username)).scalars()
        return [_row(account) for account in accounts]


@requires(Permission.MANAGE_USERS)
def add_user(
    ctx: Context,
    username: str,
    *,
    display_name: str,
    roles: list[str] | tuple[str, ...],
    clearance: str | None = None,
    password: str,
) -> UserRow:
    if not USERNAME_PATTERN.fullmatch(username):
        raise _invalid(
            "username",
            _(
                "A user name is 2 to 40 lower-case letters, digits, dots, dashes or underscores, "
                "starting with a letter."
            ),
        )
    codes = _check_roles(roles)
    level = _check_clearance(clearance) if clearance else default_clearance({Role(code) for code in codes})
    _check_password(password)
    now = ctx.now()
    with ctx.store.write() as session:
        if session.get(UserAccount, username) is not None:
            raise _invalid("username", _("There is already a user {name}.").format(name=username))
        if count_accounts(session) == 0 and Role.ADMINISTRATOR.value not in codes:
            raise _invalid(
                "roles",
                _("The first account must be an administrator: from then on this store asks who signs in."),
            )
        account = UserAccount(
            username=username,
            display_name=display_name.strip() or username,
            roles=codes,
            clearance=level,
            password_hash=hash_password(password),
            active=True,
            failed_logins=0,
            locked_until=None,
            created_at=now,
            last_login_at=None,
        )
        session.add(account)
        append_event(
            session,
            at=now,
            actor=ctx.user,
            action=chain.ACTION_USER_ADD,
            detail={"username": username, "roles": codes, "clearance": level},
        )
        session.flush()
        return _row(account)


@requires(Permission.MANAGE_USERS)
def update_user(
    ctx: Context,
    username: str,
    *,
    display_name: str | None = None,
    roles: list[str] | tuple[str, ...] | None = None,
    clearance: str | None = None,
    active: bool | None = None,
) -> UserRow:
    now = ctx.now()
    with ctx.store.write() as session:
        account = _account(session, username)
        was_admin = _is_admin(account)
        changed: dict[str, object] = {"username": username}
        if display_name is not None:
            account.display_name = display_name.strip() or username
            changed["display_name"] = True
        if roles is not None:
            account.roles = _check_roles(roles)
            changed["roles"] = account.roles
        if clearance is not None:
            account.clearance = _check_clearance(clearance)
            changed["clearance"] = clearance
        if active is not None:
            account.active = active
            changed["active"] = active
        if was_admin and not _is_admin(account) and _other_active_admins(session, username) == 0:
            raise _invalid(
                "roles" if roles is not None else "active",
                _("{name} is the last active administrator; add another one first.").format(name=username),
            )
        if username == ctx.principal.name and active is False:
            raise _invalid("active", _("You cannot deactivate your own account."))
        append_event(session, at=now, actor=ctx.user, action=chain.ACTION_USER_CHANGE, detail=changed)
        session.flush()
        return _row(account)


@requires(Permission.MANAGE_USERS)
def set_password(ctx: Context, username: str, new_password: str) -> None:
    """Give ``username`` a new password (and clear its lock): for a forgotten one."""
    _check_password(new_password, "new_password")
    now = ctx.now()
    with ctx.store.write() as session:
        account = _account(session, username)
        account.password_hash = hash_password(new_password)
        account.failed_logins = 0
        account.locked_until = None
        append_event(
            session, at=now, actor=ctx.user, action=chain.ACTION_PASSWORD, detail={"username": username}
        )


@requires(Permission.VIEW_RECORDS)
def change_own_password(ctx: Context, old_password: str, new_password: str) -> None:
    """The signed-in user changes their own password, giving the current one."""
    _check_password(new_password, "new_password")
    now = ctx.now()
    failed = False
    with ctx.store.write() as session:
        account = _account(session, ctx.principal.name)
        if not password_matches(account.password_hash, old_password):
            record_failure(session, account, now, "passwd-fail")
            failed = True
        else:
            account.password_hash = hash_password(new_password)
            append_event(
                session,
                at=now,
                actor=ctx.user,
                action=chain.ACTION_PASSWORD,
                detail={"username": account.username},
            )
    if failed:
        raise _invalid("old_password", _("The current password is wrong."))


@requires(Permission.MANAGE_USERS)
def unlock_account(ctx: Context, username: str) -> None:
    now = ctx.now()
    with ctx.store.write() as session:
        account = _account(session, username)
        account.failed_logins = 0
        account.locked_until = None
        append_event(
            session, at=now, actor=ctx.user, action=chain.ACTION_USER_UNLOCK, detail={"username": username}
        )


@requires(Permission.VIEW_RECORDS)
def check_password(ctx: Context, password: str) -> bool:
    """Whether ``password`` is the signed-in user's (the window's lock screen); audited.

    A store without accounts has no password to check: False."""
    now = ctx.now()
    with ctx.store.write() as session:
        account = session.get(UserAccount, ctx.principal.name)
        if account is None:
            return False
        ok = account.active and password_matches(account.password_hash, password)
        if ok:
            account.failed_logins = 0
            append_event(session, at=now, actor=ctx.user, action=chain.ACTION_UNLOCK)
        else:
            record_failure(session, account, now, chain.ACTION_UNLOCK_FAILED)
        return ok
