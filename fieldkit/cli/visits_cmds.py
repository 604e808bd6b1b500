"""Monitoring visits on the command line: list, show, delete and restore them through the
services the window uses, with the same filters and rules, so that an office can script checks.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

from fieldkit.cli.common import open_for, option_date
from fieldkit.context import Context
from fieldkit.domain.vocab import Vocabularies, vocabularies
from fieldkit.errors import ValidationError
from fieldkit.formatting import format_number, format_value, format_visit_date, format_when
from fieldkit.i18n import _, ngettext
from fieldkit.services.monitoring import delete_visit, get_visit, restore_visit, visit_warnings
from fieldkit.services.monitoring_types import VisitData, VisitFilter, VisitRow, visit_to_payload
from fieldkit.services.visit_list import admin_areas, visit_ids, visit_rows
from fieldkit.store.clearance import require_restricted
from fieldkit.store.registry import field_label, restricted_fields

#: visits fetched per query while ``list`` pages through the whole result
PAGE_SIZE = 1000
FOLLOWUP_STATES = ("open", "overdue", "none")


def register(sub: Any) -> None:
    visits = sub.add_parser("visits", help=_("list, show, delete and restore monitoring visits"))
    commands = visits.add_subparsers(dest="visits_command", metavar="COMMAND", required=True)

    listing = commands.add_parser(
        "list",
        help=_("list the visits that pass the filters, newest first"),
        epilog=_(
            '--json prints one object: "total" (visits that pass the filters), "visits" (a list, '
            'newest first; all of them unless --limit) and "limit". Each visit has: "id", "title", '
            '"visit_type" (code), "date_start", "date_end" (ISO dates or null), "date_precision", '
            '"location", "confidentiality" (code), "incidents", "open_followups" (counts), '
            '"origin_office", "updated_at" (ISO, UTC), "version" and "deleted". Visits above the '
            "user's clearance are neither listed nor counted."
        ),
    )
    listing.add_argument("--search", default="", metavar="TEXT", help=_("words the visits contain"))
    listing.add_argument(
        "--from", dest="date_from", metavar="DATE", help=_("on or after this day (YYYY-MM-DD)")
    )
    listing.add_argument("--to", dest="date_to", metavar="DATE", help=_("on or before this day (YYYY-MM-DD)"))
    listing.add_argument(
        "--type", action="append", default=[], metavar="CODE", help=_("visit type code (repeatable)")
    )
    listing.add_argument(
        "--violation",
        metavar="CODE",
        help=_("violation type code; a broader term includes the terms under it"),
    )
    listing.add_argument("--area", metavar="ID|NAME", help=_("this area and the areas within it"))
    listing.add_argument(
        "--confidentiality",
        action="append",
        default=[],
        metavar="CODE",
        help=_("confidentiality code (repeatable)"),
    )
    listing.add_argument("--office", metavar="CODE", help=_("visits recorded by this office"))
    listing.add_argument(
        "--followups", choices=FOLLOWUP_STATES, help=_("visits with open, overdue or no follow-ups")
    )
    listing.add_argument("--deleted", action="store_true", help=_("list deleted visits instead of live ones"))
    listing.add_argument("--limit", type=int, metavar="N", help=_("at most N visits"))
    listing.add_argument("--json", action="store_true", help=_("machine-readable output (see below)"))
    listing.set_defaults(handler=_list)

    show = commands.add_parser(
        "show",
        help=_("show one visit with its incidents, people and follow-ups"),
        epilog=_(
            '--json prints the visit as the editor holds it: its fields ("id", "version", "title", '
            '"visit_type", "date_start", "date_end", "date_precision", "admin_area_id", '
            '"location_text", "latitude", "longitude", "team", "institution_type", "institutions", '
            '"counterparts", "narrative", "confidentiality", "origin_office", "created_at", '
            '"created_by", "updated_at", "updated_by", "deleted"), its children ("incidents", '
            '"people", "follow_ups", "attachments", each a list of objects with their own fields) '
            'and "warnings" (field key -> message, keyed like "people[0].age_group"). Restricted '
            "details of people (names, contact, address, notes) are left out unless "
            "--include-restricted, which needs clearance for confidential records. A visit above "
            "the user's clearance is reported as missing."
        ),
    )
    show.add_argument("id")
    show.add_argument("--json", action="store_true", help=_("machine-readable output (see below)"))
    show.add_argument(
        "--include-restricted", action="store_true", help=_("include identifying details of people")
    )
    show.set_defaults(handler=_show)

    delete = commands.add_parser("delete", help=_("delete a visit with its incidents, people and follow-ups"))
    delete.add_argument("id")
    delete.set_defaults(handler=_delete)

    restore = commands.add_parser("restore", help=_("restore a deleted visit with what was deleted with it"))
    restore.add_argument("id")
    restore.set_defaults(handler=_restore)


# -- list -------------------------------------------------------------------------------


def _code(vocab: Vocabularies, vocabulary: str, code: str, option: str) -> str:
    if not vocab.has(vocabulary, code):
        raise ValidationError(
            _("{option}: unknown code '{code}' (see: fieldkit vocab {vocabulary})").format(
                option=option, code=code, vocabulary=vocabulary
            )
        )
    return code


def _area(ctx: Context, wanted: str) -> str:
    """An area id from an id, a name or a full path; a name several areas share is refused."""
    areas = admin_areas(ctx)
    if any(a.id == wanted for a in areas):
        return wanted
    key = wanted.casefold().strip()
    matches = [a for a in areas if key in (a.name.casefold(), a.path.casefold())]
    if len(matches) == 1:
        return matches[0].id
    if not matches:
        raise ValidationError(
            _("{option}: no area with the id or name '{area}'").format(option="--area", area=wanted)
        )
    listed = "; ".join(f"{a.path} ({a.id})" for a in matches)
    raise ValidationError(
        ngettext(
            "{option}: '{area}' names {count} area; give the id or the full path of one: {areas}",
            "{option}: '{area}' names {count} areas; give the id or the full path of one: {areas}",
            len(matches),
        ).format(option="--area", area=wanted, count=len(matches), areas=listed)
    )


def _filter(ctx: Context, args: argparse.Namespace) -> VisitFilter:
    vocab = vocabularies(ctx)
    date_from, date_to = option_date(args.date_from, "--from"), option_date(args.date_to, "--to")
    if date_from and date_to and date_to < date_from:
        raise ValidationError(_("{later} is before {earlier}").format(later="--to", earlier="--from"))
    if args.limit is not None and args.limit < 0:
        raise ValidationError(_("{option} must be zero or more").format(option="--limit"))
    return VisitFilter(
        text=args.search,
        date_from=date_from,
        date_to=date_to,
        visit_types=tuple(_code(vocab, "visit_type", c, "--type") for c in args.type),
        admin_area_id=_area(ctx, args.area) if args.area else None,
        violation_type=_code(vocab, "violation_type", args.violation, "--violation")
        if args.violation
        else None,
        followups=args.followups,
        confidentiality=tuple(
            _code(vocab, "sensitivity_level", c, "--confidentiality") for c in args.confidentiality
        ),
        origin_office=args.office,
        deleted=args.deleted,
    )


def _row_json(row: VisitRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "visit_type": row.visit_type,
        "date_start": row.date_start.isoformat() if row.date_start else None,
        "date_end": row.date_end.isoformat() if row.date_end else None,
        "date_precision": row.date_precision,
        "location": row.location,
        "confidentiality": row.confidentiality,
        "incidents": row.incident_count,
        "open_followups": row.open_followups,
        "origin_office": row.origin_office,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "version": row.version,
        "deleted": row.deleted,
    }


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: two for each wide (Chinese) character, none for marks."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )


def _cells(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [c + " " * max(w - _width(c), 0) for c, w in zip(cells, widths, strict=False)]
    return "  ".join([*padded, *cells[len(widths) :]]).rstrip()


def _table_cells(vocab: Vocabularies, row: VisitRow) -> list[str]:
    return [
        row.id,
        format_visit_date(row.date_start, row.date_end, row.date_precision),
        vocab.label("visit_type", row.visit_type),
        vocab.label("sensitivity_level", row.confidentiality),
        row.origin_office,
        row.title,
    ]


def _list(args: argparse.Namespace) -> int:
    out = sys.stdout
    with open_for(args) as ctx:
        flt = _filter(ctx, args)
        vocab = vocabularies(ctx)
        ids = visit_ids(ctx, flt)
        total = len(ids)
        wanted = ids if args.limit is None else ids[: args.limit]
        batches = (visit_rows(ctx, wanted[i : i + PAGE_SIZE]) for i in range(0, len(wanted), PAGE_SIZE))
        shown = 0
        if args.json:
            out.write(f'{{"total": {total}, "limit": {json.dumps(args.limit)}, "visits": [')
            for rows in batches:
                for row in rows:
                    out.write((",\n" if shown else "\n") + json.dumps(_row_json(row), ensure_ascii=False))
                    shown += 1
            out.write("\n]}\n" if shown else "]}\n")
            return 0
        widths: list[int] = []
        for rows in batches:
            table = [_table_cells(vocab, row) for row in rows]
            if not widths:  # the first batch sets the columns; a longer value later pushes its line
                header = [_("Id"), _("Date"), _("Type"), _("Confidentiality"), _("Office"), _("Title")]
                widths = [max(_width(r[i]) for r in [header, *table]) for i in range(len(header) - 1)]
                print(_cells(header, widths), file=out)
            for cells in table:
                print(_cells(cells, widths), file=out)
            shown += len(rows)
    summary = ngettext("{count} visit", "{count} visits", total).format(count=format_number(total))
    if shown < total:
        summary = ngettext("{shown} of {count} visit shown", "{shown} of {count} visits shown", total).format(
            shown=format_number(shown), count=format_number(total)
        )
    print(summary, file=out)
    return 0


# -- show -------------------------------------------------------------------------------


def _restricted_people_fields() -> frozenset[str]:
    return (
        restricted_fields("person") | restricted_fields("person_identity") | restricted_fields("involvement")
    )


def _visit_json(data: VisitData, warnings: dict[str, str], include_restricted: bool) -> dict[str, Any]:
    payload = visit_to_payload(data)
    payload.pop("loaded_children", None)
    if not include_restricted:
        hidden = _restricted_people_fields()
        payload["people"] = [{k: v for k, v in p.items() if k not in hidden} for p in payload["people"]]
    payload["warnings"] = warnings
    return payload


def _line(label: str, value: object) -> str:
    return _("{label}: {value}").format(label=label, value=value)


def _show_text(
    ctx: Context, data: VisitData, warnings: dict[str, str], include_restricted: bool
) -> list[str]:
    vocab = vocabularies(ctx)
    area = next((a.path for a in admin_areas(ctx) if a.id == data.admin_area_id), "")

    def labels(vocabulary: str, codes: Sequence[str]) -> str:
        return ", ".join(vocab.label(vocabulary, c) for c in codes)

    lines = [data.title, ""]
    if data.deleted:
        lines.append(
            _("This visit is deleted; `fieldkit visits restore {id}` brings it back.").format(id=data.id)
        )
    lines += [
        _line(_("Id"), data.id),
        _line(field_label("monitoring_visit", "visit_type"), vocab.label("visit_type", data.visit_type)),
        _line(_("Date"), format_visit_date(data.date_start, data.date_end, data.date_precision)),
        _line(field_label("monitoring_visit", "admin_area_id"), area or "-"),
        _line(field_label("monitoring_visit", "location_text"), data.location_text or "-"),
        _line(
            field_label("monitoring_visit", "confidentiality"),
            vocab.label("sensitivity_level", data.confidentiality),
        ),
        _line(_("Office"), data.origin_office),
        _line(_("Last changed"), f"{format_when(data.updated_at)} ({data.updated_by})"),
    ]
    if data.narrative:
        lines += ["", data.narrative]
    lines += ["", ngettext("{count} incident", "{count} incidents", len(data.incidents)).format(
        count=format_number(len(data.incidents)))]  # fmt: skip
    for n, inc in enumerate(data.incidents, 1):
        lines.append(f"  {format_number(n)}. {inc.summary} — {labels('violation_type', inc.violation_types)}")
    lines += ["", ngettext("{count} person", "{count} people", len(data.people)).format(
        count=format_number(len(data.people)))]  # fmt: skip
    for person in data.people:
        cells = [person.code, vocab.label("person_role", person.role), vocab.label("sex", person.sex),
                 vocab.label("age_group", person.age_group)]  # fmt: skip
        if person.birth_year:
            cells.append(str(person.birth_year))
        if include_restricted and person.full_name:
            cells.append(person.full_name)
        lines.append("  " + ", ".join(cells))
    lines += ["", ngettext("{count} follow-up", "{count} follow-ups", len(data.follow_ups)).format(
        count=format_number(len(data.follow_ups)))]  # fmt: skip
    for fu in data.follow_ups:
        due = format_value(fu.due_date) if fu.due_date else "-"
        lines.append(f"  {due}  {vocab.label('followup_status', fu.status)}  {fu.action}")
    if data.attachments:
        lines += ["", ngettext("{count} attachment", "{count} attachments", len(data.attachments)).format(
            count=format_number(len(data.attachments)))]  # fmt: skip
        lines += [f"  {a.filename}" for a in data.attachments]
    if warnings:
        lines += ["", ngettext("{count} warning", "{count} warnings", len(warnings)).format(
            count=format_number(len(warnings)))]  # fmt: skip
        lines += [f"  {_where(data, key)}: {message}" for key, message in warnings.items()]
    return lines


def _where(data: VisitData, key: str) -> str:
    """Where a warning is, as a person finds it: "Person V-001, Age group"."""
    head, _sep, name = key.partition("].")
    kind, _bracket, index = head.partition("[")
    if not index.isdigit():
        return field_label("monitoring_visit", key)
    i = int(index)
    if kind == "people" and i < len(data.people):
        field = field_label("person", name)
        return _("Person {code}, {field}").format(code=data.people[i].code, field=field)
    if kind == "follow_ups" and i < len(data.follow_ups):
        field = field_label("follow_up", name)
        return _("Follow-up “{action}”, {field}").format(action=data.follow_ups[i].action, field=field)
    return key


def _show(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        if args.include_restricted:
            require_restricted(ctx.principal)  # refused outright, not shown redacted
        data = get_visit(ctx, args.id, include_deleted=True)
        warnings = visit_warnings(ctx, data)
        if args.json:
            payload = _visit_json(data, warnings, args.include_restricted)
            print(json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True))
        else:
            print("\n".join(_show_text(ctx, data, warnings, args.include_restricted)))
    return 0


# -- delete and restore -----------------------------------------------------------------


def _delete(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        delete_visit(ctx, args.id)  # checks the permission before it looks the visit up
    print(_("Deleted the visit {id} with its incidents, people and follow-ups.").format(id=args.id))
    return 0


def _restore(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        restore_visit(ctx, args.id)
    print(_("Restored the visit {id} with what was deleted with it.").format(id=args.id))
    return 0
