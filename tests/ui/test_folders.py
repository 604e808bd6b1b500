"""Default folders: the platform's documents folder, removable drives on every platform, the
data folder made private when first used."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QStorageInfo

from fieldkit.paths import ensure_user_data_dir, user_data_dir
from ui import prefs
from ui.folders import Volume, documents_folder, mounted_volumes, removable_drives

pytest_plugins = ["qt_fixtures"]


def _volume(root: Path, file_system: str = "ext4", **changes: bool) -> Volume:
    root.mkdir(parents=True, exist_ok=True)
    values = {"writable": True, "ready": True, "is_system": False} | changes
    return Volume(root, file_system, **values)


def test_removable_drives_are_found_by_where_they_are_mounted_or_how_they_are_formatted(
    tmp_path: Path,
) -> None:
    media = tmp_path / "media"
    stick = _volume(media / "amina" / "KINGSTON")  # Linux desktops: ext4 or anything under /media
    card = _volume(tmp_path / "E", "exfat")  # a Windows drive letter or a macOS volume
    fat = _volume(tmp_path / "F", "vfat")
    volumes = [
        stick,
        card,
        fat,
        _volume(tmp_path / "data", "ext4"),  # a fixed disk
        _volume(tmp_path / "C", "vfat", is_system=True),  # the system volume
        _volume(tmp_path / "G", "vfat", writable=False),  # a locked card
        _volume(tmp_path / "H", "exfat", ready=False),  # an empty card reader
        _volume(media / "run", "tmpfs"),
    ]
    assert removable_drives(volumes, bases=(media,)) == sorted([stick.root, card.root, fat.root])
    assert removable_drives([], bases=(media,)) == []


def test_the_mounted_volumes_come_from_qt_on_any_platform() -> None:
    volumes = mounted_volumes()
    assert volumes, "QStorageInfo lists at least the volume the system runs from"
    root = Path(QStorageInfo.root().rootPath())
    assert any(v.root == root and v.is_system for v in volumes)
    assert root not in removable_drives(volumes)


def test_documents_folder_is_the_platforms_or_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = documents_folder()
    assert found.is_dir()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    assert documents_folder() == tmp_path  # no Documents folder yet: never one that does not exist
    (tmp_path / "Documents").mkdir()
    assert documents_folder() == tmp_path / "Documents"


def test_the_data_folder_is_made_private_when_first_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "new" / "FieldKit"
    monkeypatch.setenv("FIELDKIT_HOME", str(home))
    assert user_data_dir() == home and not home.exists()
    assert ensure_user_data_dir() == home
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    prefs.save_language("fr")  # the preferences file goes there too
    assert (home / "ui-settings.ini").is_file() and prefs.saved_language() == "fr"
