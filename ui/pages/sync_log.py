"""The Sync page's packet log: packets written and read, refused imports from the refusal log,
and the sentence that sums up a batch of imports. Plain values, no widgets: some of it runs on
a worker."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from fieldkit.formatting import format_number
from fieldkit.i18n import _, ngettext
from fieldkit.sync.importer import ImportSummary
from fieldkit.sync.refusal_log import newest_entries
from fieldkit.sync.state import PacketRow
from fieldkit.sync.wording import changes_and_attachments_text
from ui.pages.sync_dialogs import counts_text

LOG_ROWS = 200


@dataclass(frozen=True)
class RefusedImport:
    at: dt.datetime  # naive UTC, like the store's times
    user: str
    file: str
    sender: str
    reason: str


def read_refusals(path: Path | None, limit: int = LOG_ROWS) -> list[RefusedImport]:
    """The newest entries of the refusal log (file IO: call from an io-lane Op)."""
    if path is None:
        return []
    result = []
    for raw in newest_entries(path, limit):
        try:
            at = dt.datetime.fromisoformat(raw["at"])
        except (ValueError, KeyError, TypeError):
            continue
        if at.tzinfo is not None:
            at = at.astimezone(dt.UTC).replace(tzinfo=None)
        user, file, sender, reason = (str(raw.get(k, "")) for k in ("user", "file", "sender", "reason"))
        result.append(RefusedImport(at, user, file, sender, reason))
    return result


@dataclass(frozen=True)
class LogEntry:
    key: str
    at: dt.datetime
    direction: str
    office: str
    file: str
    result: str
    details: str
    by: str
    refused: bool = False


def _packet_entry(p: PacketRow) -> LogEntry:
    s = p.summary
    if p.direction == "out":
        details = changes_and_attachments_text(int(s.get("changes", 0)), int(s.get("attachments", 0)))
        return LogEntry(p.packet_id + ":out", p.at, _("Out"), ", ".join(p.recipients), p.file_name,
                        _("Exported"), details, p.by)  # fmt: skip
    n = {k: int(s.get(k, 0)) for k in ("new", "updated", "unchanged", "conflicting", "held")}
    summary = ImportSummary(p.file_name, new=n["new"], updated=n["updated"], unchanged=n["unchanged"],
                            conflicting=n["conflicting"], held=n["held"])  # fmt: skip
    details = counts_text(summary)
    return LogEntry(p.packet_id + ":in", p.at, _("In"), p.sender, p.file_name, _("Imported"), details, p.by)


def log_entries(packets: list[PacketRow], refusals: list[RefusedImport]) -> list[LogEntry]:
    entries = [_packet_entry(p) for p in packets]
    entries += [
        LogEntry(f"refused:{i}", r.at, _("In"), r.sender, r.file, _("Refused"), r.reason, r.user, True)
        for i, r in enumerate(refusals)
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:LOG_ROWS]


def import_outcome_text(results: list[ImportSummary]) -> str:
    """One sentence on a batch of imports; packets imported before are done, not failed."""
    total = len(results)
    done = sum(1 for r in results if r.status == "imported")
    before = sum(1 for r in results if r.status == "already-imported")
    if total and before == total:
        return ngettext(
            "The packet was imported before; nothing to do.",
            "All {count} packets were imported before; nothing to do.",
            total,
        ).format(count=format_number(total))
    text = ngettext(
        "{done} of {total} packet imported.", "{done} of {total} packets imported.", total
    ).format(done=format_number(done), total=format_number(total))
    if before:
        text += " " + ngettext(
            "{count} was imported before.", "{count} were imported before.", before
        ).format(count=format_number(before))
    return text
