"""The one door: who is asking, what they ask to do, and the single check between them.

Every public service and sync function is wrapped in ``@requires(Permission.X)``. The
wrapper asks the policy whether the context's principal holds ``X`` before the body runs,
and marks the call as having passed the door for its duration; a ``Context``'s store refuses
to open a session outside such a call (``guard_store_access``), so a new entry point that
forgets the decorator fails the first time it is used. Only the outermost call is checked:
services calling services run with the permission their caller was granted, so the policy
table never has to repeat what one operation needs internally.

The policy is a table: ``PERMISSIONS_BY_ROLE``, the same as the one in ``docs/security.md``.
On a store without accounts the local user is an administrator and may do everything.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar, cast

from fieldkit.errors import FieldKitError
from fieldkit.i18n import _

P = ParamSpec("P")
R = TypeVar("R")


class Permission(StrEnum):
    VIEW_RECORDS = "view-records"
    EDIT_RECORDS = "edit-records"
    DELETE_RESTORE = "delete-restore"
    MERGE_RECORDS = "merge-records"
    RESOLVE_CONFLICTS = "resolve-conflicts"
    VIEW_SYNC_STATUS = "view-sync-status"
    IMPORT_PACKETS = "import-packets"
    EXPORT_PACKETS = "export-packets"
    EXPORT_DATA = "export-data"
    MANAGE_OFFICE = "manage-office"
    MANAGE_VOCABULARIES = "manage-vocabularies"
    VIEW_AUDIT = "view-audit"
    RUN_DEMO = "run-demo"
    MANAGE_USERS = "manage-users"
    VIEW_RESTRICTED = "view-restricted"
    EXPORT_KEYS = "export-keys"
    PRINT_REPORTS = "print-reports"


class Role(StrEnum):
    FIELD_OFFICER = "field-officer"
    SUPERVISOR = "supervisor"  # also the consolidator of a regional office or headquarters
    TRAINER = "trainer"
    PROJECT_MANAGER = "project-manager"
    ADMINISTRATOR = "administrator"
    READ_ONLY = "read-only"


ALL_PERMISSIONS = frozenset(Permission)

_P = Permission
_READ = frozenset({_P.VIEW_RECORDS, _P.VIEW_SYNC_STATUS})

#: What each role may do: the table "Users and roles" of ``docs/security.md`` (a test keeps the
#: two the same). A role without a row may do nothing (fail closed).
PERMISSIONS_BY_ROLE: Mapping[Role, frozenset[Permission]] = {
    Role.FIELD_OFFICER: _READ
    | {
        _P.EDIT_RECORDS,
        _P.IMPORT_PACKETS,
        _P.EXPORT_PACKETS,
        _P.EXPORT_DATA,
        _P.VIEW_RESTRICTED,
        _P.PRINT_REPORTS,
    },
    Role.SUPERVISOR: _READ
    | {
        _P.EDIT_RECORDS,
        _P.DELETE_RESTORE,
        _P.MERGE_RECORDS,
        _P.RESOLVE_CONFLICTS,
        _P.IMPORT_PACKETS,
        _P.EXPORT_PACKETS,
        _P.EXPORT_DATA,
        _P.MANAGE_VOCABULARIES,
        _P.VIEW_AUDIT,
        _P.VIEW_RESTRICTED,
        _P.PRINT_REPORTS,
    },
    Role.TRAINER: _READ | {_P.PRINT_REPORTS},
    Role.PROJECT_MANAGER: _READ | {_P.EXPORT_DATA, _P.PRINT_REPORTS},
    Role.ADMINISTRATOR: ALL_PERMISSIONS,
    Role.READ_ONLY: _READ,
}

#: the ``sensitivity_level`` codes, least to most restricted; a clearance admits its level and those before it
CONFIDENTIALITY_LEVELS = ("public", "internal", "confidential", "strictly-confidential")

#: the clearance an account gets from its most trusted role unless it is set on the account
DEFAULT_CLEARANCE: Mapping[Role, str] = {
    Role.ADMINISTRATOR: "strictly-confidential",
    Role.SUPERVISOR: "strictly-confidential",
    Role.FIELD_OFFICER: "confidential",
    Role.TRAINER: "internal",
    Role.PROJECT_MANAGER: "internal",
    Role.READ_ONLY: "internal",
}


def default_clearance(roles: frozenset[Role] | set[Role]) -> str:
    """The highest default clearance among ``roles`` (the lowest level for no role)."""
    levels = [CONFIDENTIALITY_LEVELS.index(DEFAULT_CLEARANCE[role]) for role in roles]
    return CONFIDENTIALITY_LEVELS[max(levels, default=0)]


@dataclass(frozen=True)
class Principal:
    """Who is acting: the name written in change logs, their roles and their clearance."""

    name: str
    roles: frozenset[Role] = frozenset()
    clearance: str = CONFIDENTIALITY_LEVELS[0]

    def cleared_for(self, level: str) -> bool:
        """Whether this principal may see records of confidentiality ``level`` (unknown levels: no)."""
        if level not in CONFIDENTIALITY_LEVELS:
            return False
        return CONFIDENTIALITY_LEVELS.index(level) <= CONFIDENTIALITY_LEVELS.index(self.clearance)

    @property
    def sees_restricted_fields(self) -> bool:
        """Whether identifying details of people are shown: a role granting VIEW_RESTRICTED *and*
        a clearance of at least "confidential" (both: a clearance raised on a trainer's account
        alone does not open identity fields, nor does the role on a lowered clearance)."""
        return is_allowed(self, Permission.VIEW_RESTRICTED) and self.cleared_for("confidential")


def role_label(code: str) -> str:
    """A role's name as people read it; a code this version does not know is shown as is."""
    labels = {
        Role.FIELD_OFFICER: _("Field officer"),
        Role.SUPERVISOR: _("Supervisor"),
        Role.TRAINER: _("Trainer"),
        Role.PROJECT_MANAGER: _("Project manager"),
        Role.ADMINISTRATOR: _("Administrator"),
        Role.READ_ONLY: _("Read only"),
    }
    return labels.get(Role(code), code) if code in set(Role) else code


def local_principal(name: str) -> Principal:
    """The person at this computer, before there are accounts: administrator of their own store."""
    return Principal(name, frozenset({Role.ADMINISTRATOR}), CONFIDENTIALITY_LEVELS[-1])


#: acts for FieldKit itself: opening and upgrading a store, seeding vocabularies
SYSTEM = Principal("system", frozenset({Role.ADMINISTRATOR}), CONFIDENTIALITY_LEVELS[-1])

Policy = Callable[[Principal, Permission], bool]


def role_policy(principal: Principal, permission: Permission) -> bool:
    """Allowed when one of the principal's roles grants ``permission`` in ``PERMISSIONS_BY_ROLE``."""
    return any(permission in PERMISSIONS_BY_ROLE.get(role, frozenset()) for role in principal.roles)


_policy: Policy = role_policy


def set_policy(policy: Policy) -> Policy:
    """Put ``policy`` in force for every later check; returns the one it replaces."""
    global _policy
    previous, _policy = _policy, policy
    return previous


def is_allowed(principal: Principal, permission: Permission) -> bool:
    return _policy(principal, permission)


def action_label(permission: Permission) -> str:
    """What ``permission`` lets one do, in the current language."""
    labels = {
        Permission.VIEW_RECORDS: _("view records"),
        Permission.EDIT_RECORDS: _("edit records"),
        Permission.DELETE_RESTORE: _("delete or restore records"),
        Permission.MERGE_RECORDS: _("merge duplicate records"),
        Permission.RESOLVE_CONFLICTS: _("resolve conflicts"),
        Permission.VIEW_SYNC_STATUS: _("view the sync status"),
        Permission.IMPORT_PACKETS: _("import sync packets"),
        Permission.EXPORT_PACKETS: _("export sync packets"),
        Permission.EXPORT_DATA: _("export data"),
        Permission.MANAGE_OFFICE: _("manage the office and its keys"),
        Permission.MANAGE_VOCABULARIES: _("manage vocabularies"),
        Permission.VIEW_AUDIT: _("view the audit log"),
        Permission.RUN_DEMO: _("generate demo data"),
        Permission.MANAGE_USERS: _("manage user accounts"),
        Permission.VIEW_RESTRICTED: _("see identifying details of people"),
        Permission.EXPORT_KEYS: _("export the office's secret keys"),
        Permission.PRINT_REPORTS: _("make reports"),
    }
    return labels[permission]


class PermissionDenied(FieldKitError):
    """The principal may not do what was asked; nothing was read or written."""

    def __init__(self, principal: Principal, permission: Permission) -> None:
        message = _("{user} is not allowed to {action}.")
        super().__init__(message.format(user=principal.name, action=action_label(permission)))
        self.principal = principal
        self.permission = permission


class StoreOutsideDoor(RuntimeError):
    """A programming error: the store was opened by code that no ``@requires`` check let in."""


@dataclass(frozen=True)
class DoorPass:
    """The permission one checked call was granted, and to whom (``None``: an ``unchecked`` scope)."""

    principal: Principal
    permission: Permission | None
    entry: str


_current_pass: contextvars.ContextVar[DoorPass | None] = contextvars.ContextVar("fieldkit_door", default=None)


def current_pass() -> DoorPass | None:
    """The pass of the checked call running in this thread, if any."""
    return _current_pass.get()


def guard_store_access() -> None:
    """Refuse to open a session unless a checked call (or an ``unchecked`` scope) is running."""
    if _current_pass.get() is None:
        raise StoreOutsideDoor(
            "the store was opened outside any @requires(...) call; decorate the public entry point, "
            "or use access.unchecked() for bootstrapping"
        )


@contextmanager
def unchecked(entry: str = "unchecked") -> Iterator[None]:
    """Let the store be opened without a permission check: for opening and upgrading a store,
    and for tests arranging fixtures. Never for work a user asks for; services called inside
    it are still checked."""
    token = _current_pass.set(DoorPass(SYSTEM, None, entry))
    try:
        yield
    finally:
        _current_pass.reset(token)


def _principal_of(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Principal:
    ctx = args[0] if args else kwargs.get("ctx")
    principal = getattr(ctx, "principal", None)
    if not isinstance(principal, Principal):
        raise TypeError(f"{fn.__qualname__}: the first argument must be a Context with a principal")
    return principal


def admit(principal: Principal, permission: Permission, entry: str) -> DoorPass:
    """The pass for one call, or ``PermissionDenied``.

    A call made by a checked call for the same principal keeps its caller's pass. An
    ``unchecked`` scope lets only the store through: services called inside it are checked.
    """
    inside = _current_pass.get()
    if inside is not None and inside.permission is not None and inside.principal == principal:
        return inside
    if not is_allowed(principal, permission):
        raise PermissionDenied(principal, permission)
    return DoorPass(principal, permission, entry)


def _steps_inside(door_pass: DoorPass, steps: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """Run each step of a generator inside the door: its body runs after the decorated call returned."""
    try:
        while True:
            token = _current_pass.set(door_pass)
            try:
                item = next(steps)
            except StopIteration as stop:
                return stop.value
            finally:
                _current_pass.reset(token)
            yield item
    finally:
        token = _current_pass.set(door_pass)
        try:
            steps.close()
        finally:
            _current_pass.reset(token)


def requires(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Check ``permission`` for the principal of the ``Context`` passed first, before the body runs."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        entry = f"{fn.__module__}.{fn.__qualname__}"
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def generator_door(*args: P.args, **kwargs: P.kwargs) -> R:
                door_pass = admit(_principal_of(fn, args, kwargs), permission, entry)
                steps = cast(Generator[Any, Any, Any], fn(*args, **kwargs))
                return cast(R, _steps_inside(door_pass, steps))

            return _marked(generator_door, permission)

        @functools.wraps(fn)
        def door(*args: P.args, **kwargs: P.kwargs) -> R:
            door_pass = admit(_principal_of(fn, args, kwargs), permission, entry)
            token = _current_pass.set(door_pass)
            try:
                return fn(*args, **kwargs)
            finally:
                _current_pass.reset(token)

        return _marked(door, permission)

    return decorate


def _marked(fn: Callable[P, R], permission: Permission) -> Callable[P, R]:
    fn.__requires__ = permission  # type: ignore[attr-defined]
    return fn


def required_permission(fn: Callable[..., Any]) -> Permission | None:
    """The permission ``fn`` was decorated with, or None for a function that skips the door."""
    permission = getattr(fn, "__requires__", None)
    return permission if isinstance(permission, Permission) else None
