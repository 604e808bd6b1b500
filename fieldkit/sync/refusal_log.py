"""The refusal log beside the store: one JSON line per refused packet.

Refusing never changes the store, so refusals are kept here instead. What a packet can put
into an entry is bounded, and the newest entries are read from the end of the file, so that
neither a hostile packet nor a log grown over years makes the window read megabytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fieldkit.paths import open_private_append

#: an entry names this many bad rows at most, and shortens every text to this many characters
MAX_LOGGED_PROBLEMS = 100
MAX_LOGGED_TEXT = 1_000
#: how much of the log's end is read for its newest entries; entries are a few KB at most
MAX_READ_BYTES = 1 << 20


def shortened(text: str) -> str:
    return text if len(text) <= MAX_LOGGED_TEXT else text[: MAX_LOGGED_TEXT - 1] + "…"


def append_entry(path: Path, entry: dict[str, Any]) -> None:
    """Add one entry, its reason and bad rows bounded whatever the packet held."""
    bounded = {
        **entry,
        "reason": shortened(str(entry.get("reason", ""))),
        "rejected": [shortened(str(p)) for p in list(entry.get("rejected") or [])[:MAX_LOGGED_PROBLEMS]],
    }
    with os.fdopen(open_private_append(path), "a", encoding="utf-8") as fh:  # created owner-only
        fh.write(json.dumps(bounded, ensure_ascii=False) + "\n")


def newest_entries(path: Path, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` of the newest entries, oldest first, read from the last ``MAX_READ_BYTES``;
    lines that are not whole entries (torn by a crash, or cut by where the reading starts) are skipped."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(max(0, size - MAX_READ_BYTES))
            tail = fh.read()
    except (FileNotFoundError, IsADirectoryError):
        return []
    lines = tail.split(b"\n")
    if size > MAX_READ_BYTES:
        lines = lines[1:]  # begins part way through a line
    entries: list[dict[str, Any]] = []
    for line in reversed(lines):
        if len(entries) >= limit:
            break
        try:
            entry = json.loads(line.decode("utf-8", errors="replace"))
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries[::-1]
