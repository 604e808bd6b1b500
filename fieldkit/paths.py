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


def default_store_path() -> Path:
    return user_data_dir() / "fieldkit.db"
