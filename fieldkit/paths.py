"""Where FieldKit finds its resources and keeps the user's store.

A source checkout keeps ``resources/`` and ``translations/`` at the top level; a
wheel carries them inside the package as ``fieldkit/_data/``; a PyInstaller
bundle unpacks them under ``sys._MEIPASS``. One lookup serves all three.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

import platformdirs

APP_NAME = "FieldKit"


def _candidates(name: str) -> list[Path]:
    here = Path(__file__).resolve().parent
    found = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        found.append(Path(bundle) / name)
    found.append(here / "_data" / name)
    found.append(here.parent / name)
    return found


@cache
def data_dir(name: str) -> Path:
    """The ``resources`` or ``translations`` folder, wherever this copy was installed."""
    for path in _candidates(name):
        if path.is_dir():
            return path
    raise FileNotFoundError(f"FieldKit installation is incomplete: no '{name}' folder found")


def resources_dir() -> Path:
    return data_dir("resources")


def translations_dir() -> Path:
    return data_dir("translations")


def user_data_dir() -> Path:
    override = os.environ.get("FIELDKIT_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_user_data_dir() -> Path:
    """The data folder, made readable by its owner only the first time something is kept there."""
    folder = user_data_dir()
    make_private_dir(folder)
    return folder


def default_store_path() -> Path:
    return user_data_dir() / "fieldkit.db"


#: the store holds the office's secret keys and every record: nobody but its owner reads it
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def make_private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents, readable by the owner only; existing ones stay as they are."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Create an empty ``path`` readable by its owner only, or narrow an existing one to its owner."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    os.close(fd)
    os.chmod(path, PRIVATE_FILE_MODE)


def narrow_to_owner(path: Path) -> None:
    """Take group and other permissions off an existing file or folder we own (earlier versions
    left stores readable by everyone); one owned by someone else is left as it is."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except (FileNotFoundError, PermissionError):
        pass


def open_private_append(path: Path) -> int:
    """A descriptor appending to ``path``, which is created readable by its owner only."""
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE)
