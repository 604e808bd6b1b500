"""Sync figures as sentences, the same in the window and on the command line."""

from __future__ import annotations

from fieldkit.formatting import format_number
from fieldkit.i18n import _, ngettext
from fieldkit.sync.importer import ImportSummary


def change_counts_text(s: ImportSummary) -> str:
    """What the changes of a packet did, each figure a count of changes (not of records)."""
    phrases = (
        (ngettext("{count} change made a new record", "{count} changes made new records", s.new), s.new),
        (
            ngettext("{count} change updated a record", "{count} changes updated records", s.updated),
            s.updated,
        ),
        (
            ngettext("{count} change was already here", "{count} changes were already here", s.unchanged),
            s.unchanged,
        ),
        (
            ngettext(
                "{count} change conflicts with an edit here",
                "{count} changes conflict with edits here",
                s.conflicting,
            ),
            s.conflicting,
        ),
        (
            ngettext(
                "{count} change waits for an earlier packet",
                "{count} changes wait for an earlier packet",
                s.held,
            ),
            s.held,
        ),
    )
    shown = [text.format(count=format_number(n)) for text, n in phrases if n]
    return _("; ").join(shown) if shown else _("No changes")


def changes_and_attachments_text(changes: int, attachments: int) -> str:
    """ "12 changes, 1 attachment": what a packet carried."""
    return _("{changes}, {attachments}").format(
        changes=ngettext("{count} change", "{count} changes", changes).format(count=format_number(changes)),
        attachments=ngettext("{count} attachment", "{count} attachments", attachments).format(
            count=format_number(attachments)
        ),
    )
