"""``fieldkit users``: the store's accounts, their roles, clearances and passwords."""

from __future__ import annotations

import argparse
import json
from typing import Any

from fieldkit.access import CONFIDENTIALITY_LEVELS, Permission, PermissionDenied, Role, is_allowed
from fieldkit.cli.common import open_for
from fieldkit.cli.login import new_password, password_source
from fieldkit.context import Context
from fieldkit.i18n import _
from fieldkit.services import users

ROLE_CODES = [role.value for role in Role]


def register(sub: Any) -> None:
    parser = sub.add_parser("users", help=_("list and manage the accounts that may sign in"))
    actions = parser.add_subparsers(dest="users_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help=_("list the accounts"))
    listing.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    listing.set_defaults(handler=_list)

    add = actions.add_parser("add", help=_("add an account (the first one must be an administrator)"))
    add.add_argument("username")
    add.add_argument("--role", action="append", required=True, choices=ROLE_CODES, dest="roles")
    add.add_argument("--name", help=_("the name shown for the account"))
    add.add_argument("--clearance", choices=CONFIDENTIALITY_LEVELS, help=_("default: from the roles"))
    add.add_argument("--new-password-file", metavar="FILE", help=_("read the new password from FILE"))
    add.set_defaults(handler=_add)

    change = actions.add_parser("set", help=_("change an account's name, roles or clearance"))
    change.add_argument("username")
    change.add_argument("--role", action="append", choices=ROLE_CODES, dest="roles")
    change.add_argument("--name")
    change.add_argument("--clearance", choices=CONFIDENTIALITY_LEVELS)
    change.add_argument("--active", choices=["yes", "no"])
    change.set_defaults(handler=_set)

    passwd = actions.add_parser("passwd", help=_("change your password, or another account's"))
    passwd.add_argument("username", nargs="?")
    passwd.add_argument("--new-password-file", metavar="FILE", help=_("read the new password from FILE"))
    passwd.set_defaults(handler=_passwd)

    unlock = actions.add_parser("unlock", help=_("unlock an account locked after wrong passwords"))
    unlock.add_argument("username")
    unlock.set_defaults(handler=_unlock)

    deactivate = actions.add_parser("deactivate", help=_("stop an account from signing in"))
    deactivate.add_argument("username")
    deactivate.set_defaults(handler=_deactivate)


def _may_manage_users(ctx: Context) -> None:
    """Refuse before asking for a new password that the service would refuse anyway."""
    if not is_allowed(ctx.principal, Permission.MANAGE_USERS):
        raise PermissionDenied(ctx.principal, Permission.MANAGE_USERS)


def _list(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        rows = users.list_users(ctx)
    if args.json:
        out = [
            {
                "username": row.username,
                "name": row.display_name,
                "roles": list(row.roles),
                "clearance": row.clearance,
                "active": row.active,
                "locked_until": row.locked_until.isoformat() if row.locked_until else None,
                "last_login_at": row.last_login_at.isoformat() if row.last_login_at else None,
            }
            for row in rows
        ]
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for row in rows:
        state = _("active") if row.active else _("deactivated")
        print(f"{row.username}\t{row.display_name}\t{','.join(row.roles)}\t{row.clearance}\t{state}")
    return 0


def _add(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        _may_manage_users(ctx)
        password = new_password(args)
        row = users.add_user(
            ctx,
            args.username,
            display_name=args.name or args.username,
            roles=args.roles,
            clearance=args.clearance,
            password=password,
        )
    print(_("User {name} added.").format(name=row.username))
    return 0


def _set(args: argparse.Namespace) -> int:
    active = None if args.active is None else args.active == "yes"
    with open_for(args) as ctx:
        users.update_user(
            ctx,
            args.username,
            display_name=args.name,
            roles=args.roles,
            clearance=args.clearance,
            active=active,
        )
    print(_("User {name} changed.").format(name=args.username))
    return 0


def _passwd(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        if args.username and args.username != ctx.principal.name:
            _may_manage_users(ctx)
            users.set_password(ctx, args.username, new_password(args))
        else:
            ask = password_source(args)
            old = ask() if ask is not None else ""
            users.change_own_password(ctx, old, new_password(args))
    print(_("Password changed."))
    return 0


def _unlock(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        users.unlock_account(ctx, args.username)
    print(_("User {name} unlocked.").format(name=args.username))
    return 0


def _deactivate(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        users.update_user(ctx, args.username, active=False)
    print(_("User {name} deactivated.").format(name=args.username))
    return 0
