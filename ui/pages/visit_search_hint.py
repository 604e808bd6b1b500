"""What the visit list says when no visit passes the search and the filters: what to try next."""

from __future__ import annotations

from fieldkit.i18n import _
from fieldkit.services.monitoring_types import VisitFilter


def deleted_only_label() -> str:
    """The filter bar's check box: deleted visits are shown instead of the others, not as well."""
    return _("Deleted visits only")


def filters_set(flt: VisitFilter) -> list[str]:
    """The names of the filters that narrow ``flt``, as the filter bar labels them."""
    named = [
        (_("From"), flt.date_from),
        (_("To"), flt.date_to),
        (_("Type"), flt.visit_types),
        (_("Location"), flt.admin_area_id),
        (_("Violation"), flt.violation_type),
        (_("Follow-ups"), flt.followups),
        (_("Confidentiality"), flt.confidentiality),
        (_("Office"), flt.origin_office),
    ]
    return [name for name, value in named if value]


def empty_list_hint(flt: VisitFilter) -> str:
    """Why the list is empty and what to try, a line each; for a list that found nothing."""
    searched = bool(flt.text.strip())
    narrowed = filters_set(flt)
    if not searched and not narrowed:
        if flt.deleted:
            return _("There are no deleted visits.")
        return _("There are no visits yet. Use “New visit” to record one.")
    lines = [_("No visit matches.")]
    if searched:
        lines.append(
            _(
                "Try fewer words, or check their spelling; a word also finds its other forms "
                "and the words it begins."
            )
        )
    if narrowed:
        lines.append(_("Clear the filters that are set: {filters}.").format(filters=", ".join(narrowed)))
    if flt.deleted:
        lines.append(
            _("Only deleted visits are searched: untick “{deleted_only}” to search the others.").format(
                deleted_only=deleted_only_label()
            )
        )
    else:
        lines.append(
            _("Deleted visits are not searched: tick “{deleted_only}” to search them.").format(
                deleted_only=deleted_only_label()
            )
        )
    return "\n".join(lines)
