"""What importing packets would bring, told from their signed manifests alone.

A preview used to be a whole import rolled back: every packet decrypted, parsed and
applied twice. The manifest already says who sent the packet, to whom, and how many
changes of each type it carries; with the sender's signature checked, that is what a
user needs to decide. Checks that need the payload (rows, the share of deletions) are
left to the import itself, which refuses the packet just the same.
"""

from __future__ import annotations

from pathlib import Path

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.errors import FieldKitError
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.sync import packet as fmt
from fieldkit.sync.errors import PacketRefused
from fieldkit.sync.importer import (
    AlreadyImported,
    ImportSummary,
    _import_into,
    checked_manifest,
    log_refusal,
    packet_files,
)
from fieldkit.sync.sight import tracks

PREVIEW = "preview"


def _preview(ctx: Context, path: Path, summary: ImportSummary, progress: Progress) -> None:
    """The checks an import makes before reading a member, then the manifest's counts.

    The manifest counts every change, whatever its record's level; for a user not cleared for
    every level the packet is imported and rolled back instead (a dry run), so that what they
    are shown counts only the records they may see."""
    if tracks(ctx.principal):
        _seen_by_dry_run(ctx, path, summary, progress)
        return
    opened = fmt.open_packet(path)
    try:
        manifest = checked_manifest(ctx, opened, summary)
        counts = manifest["counts"]
        if not isinstance(counts, dict) or not all(
            isinstance(k, str) and type(n) is int and n >= 0 for k, n in counts.items()
        ):
            raise PacketRefused(
                _("The manifest is damaged: {reason}").format(reason=_("its counts are not numbers"))
            )
        summary.by_type = dict(counts)
        summary.new = sum(counts.values())
        summary.attachments = len(opened.attachment_names())
    finally:
        opened.close()


def _seen_by_dry_run(ctx: Context, path: Path, summary: ImportSummary, progress: Progress) -> None:
    _import_into(ctx, path, summary, True, None, progress)  # a cancel stops it, rolled back
    summary.status = PREVIEW
    # as the manifest's preview: ``new`` is every change it carries (here, that the user may see)
    summary.new = sum(summary.by_type.values()) + summary.held
    summary.updated = summary.unchanged = summary.conflicting = summary.released = 0


@requires(Permission.IMPORT_PACKETS)
def preview_files(ctx: Context, paths: list[Path], progress: Progress | None = None) -> list[ImportSummary]:
    """One summary per packet (a folder stands for its packets): ``new`` is the number of changes
    it carries, ``by_type`` their types; a refusal is reported and logged as an import's would be."""
    progress = progress or Progress()
    files = packet_files(paths)
    progress.set_total(len(files), _("Checking packets"))
    results = []
    for file in files:
        progress.check()
        summary = ImportSummary(file=file.name, status=PREVIEW)
        try:
            _preview(ctx, file, summary, progress.within_step())
        except AlreadyImported as exc:  # old packets left on a stick are not news, nor a failure
            summary.status, summary.reason = "already-imported", str(exc)
            summary.by_type, summary.new, summary.attachments = {}, 0, 0
        except FieldKitError as exc:
            summary.status, summary.reason, summary.refusal = "refused", str(exc), "packet"
            summary.by_type, summary.new, summary.attachments = {}, 0, 0
            log_refusal(ctx, summary)
        results.append(summary)
        progress.step()
    return results
