"""Where the Sync page's file choosers start: a removable drive if one is in, else the documents
folder, as the platform names them (Qt's standard paths and mounted volumes, on every platform)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QStorageInfo

#: file systems that USB sticks and memory cards come formatted with
REMOVABLE_FILE_SYSTEMS = frozenset({"vfat", "fat", "fat16", "fat32", "msdos", "exfat", "fuseblk"})
#: where desktops mount removable media (Linux, the BSDs, macOS)
REMOVABLE_MOUNT_BASES = (Path("/media"), Path("/run/media"), Path("/Volumes"))
#: kernel and container file systems that are never a drive to carry packets on
_PSEUDO_FILE_SYSTEMS = frozenset(
    {"tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs", "cgroup", "cgroup2", "autofs", "ramfs"}
)


@dataclass(frozen=True)
class Volume:
    """A mounted volume as ``QStorageInfo`` describes it, in plain values."""

    root: Path
    file_system: str
    writable: bool
    ready: bool
    is_system: bool  # the volume the operating system runs from


def mounted_volumes() -> list[Volume]:
    """Every mounted volume (file IO: call from an io-lane Op)."""
    system = QStorageInfo.root()
    return [
        Volume(
            Path(info.rootPath()),
            bytes(info.fileSystemType().data()).decode("utf-8", "replace").lower(),
            info.isValid() and not info.isReadOnly(),
            info.isReady(),
            info == system or info.isRoot(),
        )
        for info in QStorageInfo.mountedVolumes()
    ]


def removable_drives(
    volumes: Iterable[Volume] | None = None, bases: tuple[Path, ...] = REMOVABLE_MOUNT_BASES
) -> list[Path]:
    """Writable removable drives: mounted where desktops mount media, or formatted as USB sticks
    are (a Windows drive letter, a macOS volume), never the system volume."""
    found = []
    for volume in mounted_volumes() if volumes is None else volumes:
        if not volume.ready or not volume.writable or volume.is_system:
            continue
        if volume.file_system in _PSEUDO_FILE_SYSTEMS:
            continue
        under_media = any(base in volume.root.parents for base in bases)
        removable = under_media or volume.file_system in REMOVABLE_FILE_SYSTEMS
        if removable and os.access(volume.root, os.W_OK):
            found.append(volume.root)
    return sorted(found)


def documents_folder() -> Path:
    """The user's documents folder as the platform names it, or the home folder if it has none."""
    for location in (
        QStandardPaths.StandardLocation.DocumentsLocation,
        QStandardPaths.StandardLocation.HomeLocation,
    ):
        found = QStandardPaths.writableLocation(location)
        if found and Path(found).is_dir():
            return Path(found)
    return Path.home()
