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
from fieldkit.store.system import Office, SyncPacket
from fieldkit.sync import packet as fmt
from fieldkit.sync.errors import PacketRefused
from fieldkit.sync.importer import AlreadyImported, ImportSummary, log_refusal, packet_files

PREVIEW = "preview"


def _preview(ctx: Context, path: Path, summary: ImportSummary) -> None:
    """The checks an import makes before reading a member, then the manifest's counts."""
    opened = fmt.open_packet(path)
    try:
        summary.packet_id, summary.sender = opened.packet_id, opened.sender
        with ctx.store.read() as session:
            sender = session.get(Office, opened.sender)
            if sender is None or sender.is_local or sender.trusted_at is None:
                raise PacketRefused(
                    _(
                        "The packet comes from office {office}, which this office does not trust. "
                        "Add its office card first."
                    ).format(office=opened.sender)
                )
            public_key = sender.minisign_public_key
            seen = session.get(SyncPacket, (opened.packet_id, "in"))
        opened.verify(public_key)
        manifest = opened.manifest
        recipients = manifest["recipients"]
        if not isinstance(recipients, list) or ctx.office not in recipients:
            raise PacketRefused(
                _("The packet is addressed to {recipients}, not to this office ({office})").format(
                    recipients=", ".join(map(str, recipients if isinstance(recipients, list) else [])),
                    office=ctx.office,
                )
            )
        if seen is not None:
            raise AlreadyImported(
                _("This packet was already imported on {date}").format(date=f"{seen.at:%Y-%m-%d %H:%M}")
            )
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
            _preview(ctx, file, summary)
        except FieldKitError as exc:
            replay = isinstance(exc, AlreadyImported)
            summary.status, summary.reason = "refused", str(exc)
            summary.refusal = "replay" if replay else "packet"
            summary.by_type, summary.new, summary.attachments = {}, 0, 0
            if not replay:  # old packets left on a stick are not news
                log_refusal(ctx, summary)
        results.append(summary)
        progress.step()
    return results
