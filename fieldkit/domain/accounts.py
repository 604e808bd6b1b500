"""Signing in: who may open a store that has accounts, with which roles and clearance.

A store with no ``user_account`` row is a personal store: its local user administers it and
nothing is asked. Once it has one account, every opening names an account and gives its
password. Passwords are kept only as argon2id hashes (PHC strings, salt included); five
wrong passwords in a row lock the account for fifteen minutes. Sign-ins, failed ones
included, go to the audit log without the password.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldkit.access import CONFIDENTIALITY_LEVELS, Principal, Role, unchecked
from fieldkit.errors import FieldKitError
from fieldkit.i18n import _
from fieldkit.store.audit import ACTION_LOGIN, ACTION_LOGIN_FAILED, append_event
from fieldkit.store.engine import Store
from fieldkit.store.system import UserAccount

#: wrong passwords in a row before an account is locked, and for how long
MAX_FAILED_LOGINS = 5
LOCK_DURATION = dt.timedelta(minutes=15)

_hasher = PasswordHasher()  # argon2-cffi's defaults: argon2id, RFC 9106 low-memory profile


def password_hasher() -> PasswordHasher:
    """The hasher new hashes are made with; hashes made with other parameters are redone at sign-in."""
    return _hasher


def set_password_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Use ``hasher`` from now on (tests choose cheap parameters); returns the one it replaces."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class SignInError(FieldKitError):
    """The store has accounts and this opening did not sign in to one."""


class SignInFailed(SignInError):
    """Unknown user or wrong password: the message does not say which."""

    def __init__(self) -> None:
        super().__init__(_("The user name or password is wrong."))


class AccountLocked(SignInError):
    """Too many wrong passwords: the account waits until ``until``."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(
            _("This account is locked after too many wrong passwords; try again after {time} UTC.").format(
                time=until.strftime("%H:%M")
            )
        )
        self.until = until


class AccountInactive(SignInError):
    def __init__(self) -> None:
        super().__init__(_("This account is deactivated; ask an administrator."))


class UserNameMissing(SignInError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This store requires signing in: give your user name with --user NAME "
                "or the {variable} environment variable."
            ).format(variable="FIELDKIT_USER")
        )


class PasswordMissing(SignInError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This store requires a password: give it with --password-file FILE, "
                "the {variable} environment variable, or type it when asked."
            ).format(variable="FIELDKIT_PASSWORD")
        )


def roles_of(account: UserAccount) -> frozenset[Role]:
    """The account's roles that FieldKit knows (an unknown code grants nothing)."""
    return frozenset(Role(code) for code in account.roles if code in set(Role))


def principal_of(account: UserAccount) -> Principal:
    clearance = (
        account.clearance if account.clearance in CONFIDENTIALITY_LEVELS else CONFIDENTIALITY_LEVELS[0]
    )
    return Principal(account.username, roles_of(account), clearance)


def count_accounts(session: Session) -> int:
    return session.execute(select(func.count()).select_from(UserAccount)).scalar_one()


def lock_state(account: UserAccount, now: dt.datetime) -> SignInError | None:
    """Why ``account`` may not sign in now, if it may not."""
    if not account.active:
        return AccountInactive()
    if account.locked_until is not None and account.locked_until > now:
        return AccountLocked(account.locked_until)
    return None


def record_failure(session: Session, account: UserAccount, now: dt.datetime, action: str) -> None:
    """Count one wrong password; the fifth in a row locks the account."""
    account.failed_logins = (account.failed_logins or 0) + 1
    detail: dict[str, object] = {"failed": account.failed_logins}
    if account.failed_logins >= MAX_FAILED_LOGINS:
        account.locked_until = now + LOCK_DURATION
        account.failed_logins = 0
        detail["locked"] = True
    append_event(session, at=now, actor=account.username, action=action, detail=detail)


def sign_in(
    store: Store, username: str | None, ask_password: Callable[[], str] | None, now: dt.datetime
) -> Principal | None:
    """The principal of the account ``username``, once its password is checked.

    None for a store with no accounts yet: its local user administers it. Raises a
    ``SignInError`` (one line for the user) otherwise.
    """
    with unchecked("sign_in"):
        with store.read() as session:
            if count_accounts(session) == 0:
                return None
        if not username:
            raise UserNameMissing()
        if ask_password is None:
            raise PasswordMissing()
        password = ask_password()
        if store.read_only:  # nothing can be counted or audited: check only
            with store.read() as session:
                account = session.get(UserAccount, username)
                if account is None or not password_matches(account.password_hash, password):
                    raise SignInFailed()
                refused = lock_state(account, now)
                if refused is not None:
                    raise refused
                return principal_of(account)
        failure: SignInError | None = None
        with store.write() as session:
            account = session.get(UserAccount, username)
            if account is None:
                password_matches(_dummy_hash(), password)  # same time as a real check
                append_event(
                    session, at=now, actor=username[:80], action=ACTION_LOGIN_FAILED, detail={"unknown": True}
                )
                failure = SignInFailed()
            elif (refused := lock_state(account, now)) is not None:
                append_event(
                    session, at=now, actor=username, action=ACTION_LOGIN_FAILED, detail={"refused": True}
                )
                failure = refused
            elif not password_matches(account.password_hash, password):
                record_failure(session, account, now, ACTION_LOGIN_FAILED)
                failure = SignInFailed()
            else:
                if _hasher.check_needs_rehash(account.password_hash):
                    account.password_hash = hash_password(password)
                account.failed_logins = 0
                account.locked_until = None
                account.last_login_at = now
                append_event(session, at=now, actor=username, action=ACTION_LOGIN)
                principal = principal_of(account)
        # the failure is raised after the commit, so the count and the audit line are kept
        if failure is not None:
            raise failure
        return principal


_dummy: dict[str, str] = {}


def _dummy_hash() -> str:
    key = str(_hasher.time_cost) + ":" + str(_hasher.memory_cost)
    if key not in _dummy:
        _dummy[key] = _hasher.hash("not a password")
    return _dummy[key]
