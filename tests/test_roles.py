"""Each role is refused what the table does not grant it, through the services and the CLI,
and the table in docs/security.md is the one the code enforces."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from accounts_fixtures import _cheap_argon2, add_role_accounts, sign_in_as, username_for  # noqa: F401
from sqlalchemy import func, select
from sync_offices import visit
from test_access import core_modules, entry_points, store_bytes

from fieldkit.access import (
    PERMISSIONS_BY_ROLE,
    Permission,
    PermissionDenied,
    Principal,
    Role,
    required_permission,
    unchecked,
)
from fieldkit.cli.main import main
from fieldkit.context import Context
from fieldkit.services.monitoring import save_visit
from fieldkit.store.system import ChangeLog

DOCS = Path(__file__).resolve().parents[1] / "docs" / "security.md"

#: permissions no service checks yet: the audit viewer, identity fields (read through
#: ``Principal.sees_restricted_fields``) and key export are built on them separately
# identity fields are a filter on what every service returns, not a door of their own
NO_SERVICE_YET = {Permission.VIEW_RESTRICTED}


def docs_table() -> dict[Role, frozenset[Permission]]:
    """The "Users and roles" table of docs/security.md: rows are roles, "yes" grants a column."""
    section = DOCS.read_text(encoding="utf-8").split("## Users and roles", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header[0] == "Role"
    table = {}
    for line in rows[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), line
        table[Role(cells[0])] = frozenset(
            Permission(code) for code, cell in zip(header[1:], cells[1:], strict=True) if cell == "yes"
        )
    assert set(header[1:]) == {p.value for p in Permission}, "every permission has a column"
    return table


def test_the_docs_table_is_the_enforced_table() -> None:
    assert docs_table() == dict(PERMISSIONS_BY_ROLE)
    assert set(PERMISSIONS_BY_ROLE) == set(Role)


def service_for_each_permission() -> dict[Permission, Callable[..., Any]]:
    """One real checked entry point per permission, found by walking the core."""
    found: dict[Permission, Callable[..., Any]] = {}
    for module in core_modules():
        for fn in entry_points(module).values():
            permission = required_permission(fn)
            if permission is not None:
                found.setdefault(permission, fn)
    return found


def test_every_permission_but_the_listed_ones_guards_a_service() -> None:
    assert set(Permission) - set(service_for_each_permission()) == NO_SERVICE_YET


def _forbidden() -> list[tuple[Role, Permission]]:
    return [
        (role, permission)
        for role in Role
        for permission in Permission
        if permission not in PERMISSIONS_BY_ROLE[role] and permission not in NO_SERVICE_YET
    ]


VISIT_ID: dict[Path, str] = {}


@pytest.fixture
def accounts_store(ctx: Context) -> Path:
    VISIT_ID[ctx.store.path] = save_visit(ctx, visit()).value.id  # type: ignore[index]
    add_role_accounts(ctx)
    assert ctx.store.path is not None
    return ctx.store.path


def test_each_role_is_refused_every_service_it_lacks(accounts_store: Path) -> None:
    services = service_for_each_permission()
    refused = 0
    for role in Role:
        user = sign_in_as(accounts_store, username_for(role))
        try:
            assert user.principal.roles == {role}
            for permission in Permission:
                if permission in PERMISSIONS_BY_ROLE[role] or permission not in services:
                    continue
                before = store_bytes(user)
                # the door refuses before the body reads its arguments
                with pytest.raises(PermissionDenied) as refusal:
                    services[permission](user, *([None] * 3))
                assert refusal.value.permission is permission
                assert store_bytes(user) == before
                refused += 1
        finally:
            user.close()
    assert refused == len(_forbidden()) > 30


@pytest.mark.parametrize(
    ("role", "argv"),
    [
        (Role.READ_ONLY, ["visits", "delete", "VISIT"]),
        (Role.FIELD_OFFICER, ["users", "add", "someone", "--role", "read-only"]),
        (Role.TRAINER, ["export-data", "--format", "jsonl", "--out", "OUT"]),
        (Role.FIELD_OFFICER, ["visits", "delete", "VISIT"]),
        (Role.TRAINER, ["sync", "export", "--to", "ROEA", "--out", "OUT"]),
        (Role.SUPERVISOR, ["users", "list"]),
        (Role.FIELD_OFFICER, ["store", "encrypt"]),
        (Role.TRAINER, ["store", "backup", "--to", "OUT"]),
    ],
)
def test_the_cli_refuses_in_one_line_and_changes_nothing(
    accounts_store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    role: Role,
    argv: list[str],
) -> None:
    name = username_for(role)
    monkeypatch.setenv("FIELDKIT_PASSWORD", name + "-secret-pw")
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", "a passphrase the role may not set")
    replace = {"OUT": str(tmp_path / "out"), "VISIT": VISIT_ID[accounts_store]}
    argv = [replace.get(arg, arg) for arg in argv]
    main(["--db", str(accounts_store), "--user", name, "stats"])  # sign in once: the login is audited
    capsys.readouterr()
    before = changes_logged(accounts_store)
    status = main(["--db", str(accounts_store), "--user", name, *argv])
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert len(err) == 1 and re.fullmatch(rf"fieldkit: error: {name} is not allowed to .+\.", err[0]), err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    # the sign-in is audited; no record changed
    assert changes_logged(accounts_store) == before > 0


def changes_logged(path: Path) -> int:
    user = sign_in_as(path, username_for(Role.ADMINISTRATOR))
    try:
        with unchecked("test"), user.store.read() as session:
            return session.execute(select(func.count()).select_from(ChangeLog)).scalar_one()
    finally:
        user.close()


def test_clearance_and_identity_fields_by_role(accounts_store: Path) -> None:
    expected = {
        Role.ADMINISTRATOR: ("strictly-confidential", True),
        Role.SUPERVISOR: ("strictly-confidential", True),
        Role.FIELD_OFFICER: ("confidential", True),
        Role.TRAINER: ("internal", False),
        Role.PROJECT_MANAGER: ("internal", False),
        Role.READ_ONLY: ("internal", False),
    }
    for role, (clearance, restricted) in expected.items():
        user = sign_in_as(accounts_store, username_for(role))
        try:
            assert (user.principal.clearance, user.principal.sees_restricted_fields) == (
                clearance,
                restricted,
            )
        finally:
            user.close()
    # clearance alone does not open identity fields to a role without VIEW_RESTRICTED
    assert not Principal("t", frozenset({Role.TRAINER}), "strictly-confidential").sees_restricted_fields
    assert not Principal("f", frozenset({Role.FIELD_OFFICER}), "internal").sees_restricted_fields
