"""Where the CLI gets an account's password: ``--password-file``, ``FIELDKIT_PASSWORD`` or a prompt.

A password file must exist and be readable by its owner alone, as for the passphrase file:
a file others can read gives the password away. The source is only asked when the store
has accounts, so none of this is needed on a personal store.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from fieldkit.cli import secret_file
from fieldkit.errors import FieldKitError
from fieldkit.i18n import _


class PasswordSourceError(FieldKitError):
    """The password cannot be read from where the user said it is."""


def read_secret_file(path: Path) -> str:
    """The password in ``path``; refused when the file is missing or others may read it."""
    return secret_file.read_secret_file(path, PasswordSourceError)


def _prompt(label: str) -> str:
    if not sys.stdin.isatty():
        raise PasswordSourceError(
            _(
                "A password is needed and there is no terminal to ask it: give it with "
                "--password-file FILE or the {variable} environment variable."
            ).format(variable="FIELDKIT_PASSWORD")
        )
    return getpass.getpass(label)


def password_source(args: argparse.Namespace) -> Callable[[], str] | None:
    """A function that returns the password when the store asks for one."""
    file = getattr(args, "password_file", None)
    if file:
        return lambda: read_secret_file(Path(file))
    if "FIELDKIT_PASSWORD" in os.environ:
        return lambda: os.environ["FIELDKIT_PASSWORD"]
    return lambda: _prompt(_("Password: "))


def new_password(args: argparse.Namespace) -> str:
    """A new password: from ``--new-password-file``, else typed twice at a prompt."""
    file = getattr(args, "new_password_file", None)
    if file:
        return read_secret_file(Path(file))
    first = _prompt(_("New password: "))
    if _prompt(_("New password again: ")) != first:
        raise PasswordSourceError(_("The two passwords are not the same; nothing was changed."))
    return first
