"""Signing in, lockout, account management rules, and passwords kept out of the store and the log."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from accounts_fixtures import _cheap_argon2, cheap_hasher, sign_in_as  # noqa: F401
from argon2 import PasswordHasher
from fixed_clock import FIXED_NOW
from sqlalchemy import select

from fieldkit.access import Role, unchecked
from fieldkit.cli.main import main
from fieldkit.context import Context
from fieldkit.domain import accounts
from fieldkit.domain.accounts import (
    AccountInactive,
    AccountLocked,
    PasswordMissing,
    SignInFailed,
    UserNameMissing,
    sign_in,
)
from fieldkit.errors import ValidationError
from fieldkit.services import users
from fieldkit.store.engine import Store
from fieldkit.store.system import AuditLog, UserAccount

ADMIN_PW = "admin-password-1"
CLERK_PW = "clerk-password-1"


@pytest.fixture
def store(ctx: Context) -> Path:
    """A store with an administrator ``amina`` and a field officer ``omar``."""
    users.add_user(ctx, "amina", display_name="Amina", roles=["administrator"], password=ADMIN_PW)
    users.add_user(ctx, "omar", display_name="Omar", roles=["field-officer"], password=CLERK_PW)
    assert ctx.store.path is not None
    return ctx.store.path


def account(path: Path, username: str) -> UserAccount:
    admin = sign_in_as(path, "amina", ADMIN_PW)
    try:
        with unchecked("test"), admin.store.read() as session:
            found = session.get(UserAccount, username)
            assert found is not None
            return found
    finally:
        admin.close()


def audit_actions(ctx: Context) -> list[tuple[str, str]]:
    with unchecked("test"), ctx.store.read() as session:
        return [
            (a.actor, a.action) for a in session.execute(select(AuditLog).order_by(AuditLog.id)).scalars()
        ]


def try_sign_in(
    path: Path, username: str | None, password: str | None, now: dt.datetime = FIXED_NOW
) -> object:
    store = Store(f"sqlite:///{path}")  # the store as opening finds it, before anyone signed in
    try:
        ask = (lambda: password) if password is not None else None
        return sign_in(store, username, ask, now)
    finally:
        store.dispose()


def test_a_store_without_accounts_signs_nobody_in(bare_ctx: Context) -> None:
    assert sign_in(bare_ctx.store, None, None, FIXED_NOW) is None
    assert bare_ctx.principal.roles == {Role.ADMINISTRATOR}


def test_signing_in_gives_the_accounts_roles_and_clearance(store: Path) -> None:
    omar = sign_in_as(store, "omar", CLERK_PW)
    try:
        assert (omar.principal.name, omar.principal.roles, omar.principal.clearance) == (
            "omar",
            {Role.FIELD_OFFICER},
            "confidential",
        )
        assert ("omar", "login") in audit_actions(omar)
    finally:
        omar.close()
    assert account(store, "omar").last_login_at is not None


@pytest.mark.parametrize(
    ("username", "password", "error"),
    [
        ("omar", "wrong-password", SignInFailed),
        ("nobody", CLERK_PW, SignInFailed),
        (None, CLERK_PW, UserNameMissing),
        ("omar", None, PasswordMissing),
    ],
)
def test_sign_in_errors(store: Path, username: str | None, password: str | None, error: type) -> None:
    with pytest.raises(error):
        try_sign_in(store, username, password)


def test_wrong_user_and_wrong_password_read_the_same(store: Path) -> None:
    with pytest.raises(SignInFailed) as unknown:
        try_sign_in(store, "nobody", "whatever-pw")
    with pytest.raises(SignInFailed) as wrong:
        try_sign_in(store, "omar", "whatever-pw")
    assert str(unknown.value) == str(wrong.value) == "The user name or password is wrong."


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(store: Path) -> None:
    for _ in range(4):
        with pytest.raises(SignInFailed):
            try_sign_in(store, "omar", "wrong-password")
    assert account(store, "omar").failed_logins == 4
    with pytest.raises(SignInFailed):
        try_sign_in(store, "omar", "wrong-password")
    assert account(store, "omar").locked_until == FIXED_NOW + dt.timedelta(minutes=15)
    # locked: even the right password is refused, with its own message
    with pytest.raises(AccountLocked):
        try_sign_in(store, "omar", CLERK_PW, FIXED_NOW + dt.timedelta(minutes=14))
    assert try_sign_in(store, "omar", CLERK_PW, FIXED_NOW + dt.timedelta(minutes=15, seconds=1)) is not None
    assert account(store, "omar").failed_logins == 0


def test_a_success_resets_the_count(store: Path) -> None:
    for _ in range(4):
        with pytest.raises(SignInFailed):
            try_sign_in(store, "omar", "wrong-password")
    try_sign_in(store, "omar", CLERK_PW)
    with pytest.raises(SignInFailed):
        try_sign_in(store, "omar", "wrong-password")
    assert account(store, "omar").locked_until is None


def test_an_administrator_unlocks_and_deactivates(store: Path) -> None:
    for _ in range(5):
        with pytest.raises(SignInFailed):
            try_sign_in(store, "omar", "wrong-password")
    admin = sign_in_as(store, "amina", ADMIN_PW)
    try:
        users.unlock_account(admin, "omar")
        assert try_sign_in(store, "omar", CLERK_PW) is not None
        users.update_user(admin, "omar", active=False)
    finally:
        admin.close()
    with pytest.raises(AccountInactive):
        try_sign_in(store, "omar", CLERK_PW)


def test_the_last_administrator_stays(store: Path) -> None:
    admin = sign_in_as(store, "amina", ADMIN_PW)
    try:
        with pytest.raises(ValidationError) as demoted:
            users.update_user(admin, "amina", roles=["supervisor"])
        assert "roles" in demoted.value.fields
        with pytest.raises(ValidationError):
            users.update_user(admin, "amina", active=False)
        users.add_user(admin, "lena", display_name="Lena", roles=["administrator"], password="lena-password")
        with pytest.raises(ValidationError):  # not one's own account, even with another administrator
            users.update_user(admin, "amina", active=False)
        users.update_user(admin, "lena", roles=["supervisor"])
    finally:
        admin.close()
    assert account(store, "amina").roles == ["administrator"]
    assert account(store, "lena").roles == ["supervisor"]


def test_the_first_account_must_be_an_administrator(bare_ctx: Context) -> None:
    with pytest.raises(ValidationError) as refused:
        users.add_user(bare_ctx, "omar", display_name="Omar", roles=["field-officer"], password=CLERK_PW)
    assert "roles" in refused.value.fields
    assert not users.has_accounts(bare_ctx)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("username", {"username": "Bad Name"}),
        ("password", {"password": "short"}),
        ("roles", {"roles": ["janitor"]}),
        ("clearance", {"clearance": "top-secret"}),
    ],
)
def test_account_fields_are_checked(bare_ctx: Context, field: str, kwargs: dict[str, object]) -> None:
    values: dict[str, object] = {
        "username": "amina",
        "display_name": "Amina",
        "roles": ["administrator"],
        "password": ADMIN_PW,
    } | kwargs
    with pytest.raises(ValidationError) as refused:
        users.add_user(bare_ctx, **values)  # type: ignore[arg-type]
    assert field in refused.value.fields


def test_own_password_and_lock_screen_check(store: Path) -> None:
    omar = sign_in_as(store, "omar", CLERK_PW)
    try:
        assert users.check_password(omar, CLERK_PW)
        assert not users.check_password(omar, "wrong-password")
        with pytest.raises(ValidationError):
            users.change_own_password(omar, "wrong-password", "new-password-2")
        users.change_own_password(omar, CLERK_PW, "new-password-2")
        actions = [action for actor, action in audit_actions(omar) if actor == "omar"]
        assert actions[-4:] == ["unlock", "unlock-fail", "passwd-fail", "password"]
    finally:
        omar.close()
    assert try_sign_in(store, "omar", "new-password-2") is not None


def test_passwords_never_reach_the_store_in_clear(store: Path) -> None:
    with pytest.raises(SignInFailed):
        try_sign_in(store, "omar", "typo-of-the-password")
    raw = b"".join(p.read_bytes() for p in store.parent.glob(store.name + "*"))
    for secret in (ADMIN_PW, CLERK_PW, "typo-of-the-password"):
        assert secret.encode() not in raw
    assert b"$argon2id$" in raw  # the hashes are there instead


def test_a_hash_with_old_parameters_is_redone_at_sign_in(store: Path) -> None:
    old = account(store, "omar").password_hash
    previous = accounts.set_password_hasher(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    try:
        try_sign_in(store, "omar", CLERK_PW)
        new = account(store, "omar").password_hash
    finally:
        accounts.set_password_hasher(previous)
    assert old != new and "m=16,t=2" in new


# -- the command line -----------------------------------------------------------------------


def test_cli_sign_in_errors_are_one_line(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(*argv: str) -> tuple[int, list[str]]:
        status = main(["--db", str(store), *argv, "stats"])
        return status, capsys.readouterr().err.splitlines()

    monkeypatch.delenv("FIELDKIT_USER", raising=False)
    monkeypatch.delenv("FIELDKIT_PASSWORD", raising=False)
    monkeypatch.delenv("FIELDKIT_USER", raising=False)
    monkeypatch.delenv("FIELDKIT_PASSWORD", raising=False)
    assert run() == (2, [f"fieldkit: error: {UserNameMissing()}"])
    assert run("--user", "omar") == (
        2,
        [
            "fieldkit: error: A password is needed and there is no terminal to ask it: give it with "
            "--password-file FILE or the FIELDKIT_PASSWORD environment variable."
        ],
    )
    secret = tmp_path / "pw"
    assert run("--user", "omar", "--password-file", str(secret)) == (
        2,
        [f"fieldkit: error: The file {secret} does not exist."],
    )
    secret.write_text(CLERK_PW + "\n")
    os.chmod(secret, 0o644)
    status, err = run("--user", "omar", "--password-file", str(secret))
    assert status == 2 and len(err) == 1 and "can be read by other users" in err[0]
    os.chmod(secret, 0o600)
    assert run("--user", "omar", "--password-file", str(secret))[0] == 0
    monkeypatch.setenv("FIELDKIT_USER", "omar")
    monkeypatch.setenv("FIELDKIT_PASSWORD", "wrong-password")
    assert run() == (2, ["fieldkit: error: The user name or password is wrong."])


def test_cli_users_add_list_and_deactivate(
    bare_ctx: Context, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(bare_ctx.store.path)
    secret = tmp_path / "new"
    secret.write_text(ADMIN_PW)
    os.chmod(secret, 0o600)
    assert (
        main(
            [
                "--db",
                db,
                "users",
                "add",
                "amina",
                "--role",
                "administrator",
                "--new-password-file",
                str(secret),
            ]
        )
        == 0
    )
    monkeypatch.setenv("FIELDKIT_USER", "amina")
    monkeypatch.setenv("FIELDKIT_PASSWORD", ADMIN_PW)
    secret.write_text(CLERK_PW)
    assert (
        main(["--db", db, "users", "add", "omar", "--role", "read-only", "--new-password-file", str(secret)])
        == 0
    )
    assert main(["--db", db, "users", "deactivate", "omar"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "users", "list", "--json"]) == 0
    listed = capsys.readouterr().out
    assert '"username": "omar"' in listed and '"active": false' in listed and "argon2" not in listed
    assert main(["--db", db, "users", "deactivate", "amina"]) == 2
    assert capsys.readouterr().err.startswith("fieldkit: error: ")
