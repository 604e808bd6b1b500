"""Reading a passphrase or password from a file the user names on the command line.

Such a file must exist and be readable by its owner alone, as a private key would be: a file
others can read gives the secret away. One trailing newline (as editors write) is dropped.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fieldkit.errors import FieldKitError
from fieldkit.i18n import _


def read_secret_file(name: str | os.PathLike[str], error: type[FieldKitError]) -> str:
    """The secret in the file ``name``; ``error`` is raised, with one clear line, when it cannot be used."""
    path = Path(name).expanduser()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise error(_("The file {path} does not exist.").format(path=path)) from exc
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise error(
            _(
                "The file {path} can be read by other users; make it yours alone ('{command}') and try again."
            ).format(path=path, command=f"chmod 600 {path}")
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeError as exc:
        raise error(_("The file {path} is not UTF-8 text.").format(path=path)) from exc
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text
