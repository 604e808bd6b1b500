"""Where the CLI gets a store's passphrase: ``--passphrase-file``, ``FIELDKIT_PASSPHRASE`` or a prompt.

A file must be readable by its owner alone, as a private key would be. Without a file or the
variable, a terminal is asked (twice for a store being made); a script with neither gets a plain
store when it makes one, and an error naming both when it opens an encrypted one.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable

from fieldkit.cli import secret_file
from fieldkit.errors import FieldKitError
from fieldkit.i18n import _
from fieldkit.store.cipher import PassphraseError
from fieldkit.store.engine import resolve_url, sqlite_path

PASSPHRASE_VARIABLE = "FIELDKIT_PASSPHRASE"
NEW_PASSPHRASE_VARIABLE = "FIELDKIT_NEW_PASSPHRASE"


def read_secret_file(name: str | os.PathLike[str]) -> str:
    """The passphrase in the file ``name``; refused when it is missing or others may read it."""
    return secret_file.read_secret_file(name, PassphraseError)


def _is_new_store(args: argparse.Namespace) -> bool:
    try:
        path = sqlite_path(resolve_url(getattr(args, "db", None)))
    except FieldKitError:
        return False
    return path is not None and (not path.exists() or path.stat().st_size == 0)


def ask_new_passphrase(prompt: str) -> str:
    """Ask a terminal for a new passphrase twice; refuse an empty one or two that differ."""
    first = getpass.getpass(prompt)
    if not first:
        raise PassphraseError(_("The passphrase is empty. Nothing was opened or changed."))
    if getpass.getpass(_("Type it again: ")) != first:
        raise PassphraseError(_("The two passphrases differ. Nothing was changed."))
    return first


def passphrase_source(args: argparse.Namespace) -> Callable[[], str] | None:
    """A function that returns the passphrase when the store asks for one.

    None when there is no file, no variable and no terminal: a new store is then plain.
    """
    file = getattr(args, "passphrase_file", None)
    if file:
        passphrase = read_secret_file(file)  # a file named by mistake is reported even for a plain store
        return lambda: passphrase
    from_env = os.environ.get(PASSPHRASE_VARIABLE)
    if from_env is not None:
        return lambda: from_env
    if not sys.stdin.isatty():
        return None

    def ask() -> str:
        if _is_new_store(args):  # asked only when the store is being made: a typo would lock it for good
            return ask_new_passphrase(_("Passphrase to encrypt the new store: "))
        return getpass.getpass(_("Passphrase of the store: "))

    return ask


def current_passphrase(args: argparse.Namespace) -> str:
    """The passphrase of an encrypted store, for commands that need it whatever happens."""
    source = passphrase_source(args)
    if source is None:
        raise PassphraseError(
            _(
                "This command needs the store's passphrase: give it with {option} FILE or the "
                "{variable} environment variable, or run it in a terminal."
            ).format(option="--passphrase-file", variable=PASSPHRASE_VARIABLE)
        )
    return source()


def new_passphrase(args: argparse.Namespace, *, file: str | None, variable: str, option: str) -> str:
    """A passphrase to encrypt with: from ``file``, the environment ``variable``, or a terminal (twice)."""
    if file:
        passphrase = read_secret_file(file)
    elif os.environ.get(variable) is not None:
        passphrase = os.environ[variable]
    elif sys.stdin.isatty():
        return ask_new_passphrase(_("New passphrase: "))
    else:
        raise PassphraseError(
            _(
                "This command needs a new passphrase: give it with {option} FILE or the {variable} "
                "environment variable, or run it in a terminal."
            ).format(option=option, variable=variable)
        )
    if not passphrase:
        raise PassphraseError(_("The passphrase is empty. Nothing was opened or changed."))
    return passphrase
