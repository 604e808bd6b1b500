"""The audit trail on the command line: verify its hash chain (for a scheduled check) and list
who did what, when, with the filters the window's audit page offers."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from typing import Any

from fieldkit.cli.common import cli_progress_printer, open_for, option_date
from fieldkit.errors import ValidationError
from fieldkit.formatting import format_number, format_when
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.audit import (
    ACTIONS,
    AuditFilter,
    AuditRow,
    action_label,
    audit_page,
    describe,
    verify_audit,
)
from fieldkit.store.registry import type_label

#: ``audit verify`` found the trail edited, cut or its head changed (2 stays "bad input")
EXIT_TAMPERED = 4
#: rows fetched per query while ``list`` pages through the result
PAGE_SIZE = 1000


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help=_("verify and list the audit trail"))
    commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)

    verify = commands.add_parser(
        "verify",
        help=_("check that no entry of the audit trail was changed or removed"),
        epilog=_(
            "Exit status: 0 when the trail is intact, {tampered} when it is broken (the first broken "
            'entry is named), 2 on bad input. --json prints one object: "ok", "checked" (entries '
            'checked), "predating" (older entries written before the chain), "problem" ("edited", '
            '"missing", "unhashed", "head" or null), "row_id", "at" (ISO, UTC), "missing", "message" '
            'and "head" ("count", "id" and "hash" of the last entry as the store records them: note '
            "them elsewhere to tell a rewritten trail from one that grew)."
        ).format(tampered=EXIT_TAMPERED),
    )
    verify.add_argument("--json", action="store_true", help=_("machine-readable output (see below)"))
    verify.set_defaults(handler=_verify)

    listing = commands.add_parser(
        "list",
        help=_("list the audit trail, newest first"),
        epilog=_(
            '--json prints one object: "total" (entries that pass the filters), "limit" and '
            '"entries" (newest first), each with "id", "at" (ISO, UTC), "user", "action" (code), '
            '"record_type", "record_id", "fields" (names of the fields a change replaced) and '
            '"detail" (an event\'s counts and file names, or null). Action codes: {actions}.'
        ).format(actions=", ".join(ACTIONS)),
    )
    listing.add_argument("--user", dest="audit_user", metavar="USER", help=_("entries of this user"))
    listing.add_argument("--action", metavar="CODE", help=_("entries of this action (codes below)"))
    listing.add_argument("--since", metavar="DATE", help=_("on or after this day (YYYY-MM-DD)"))
    listing.add_argument("--until", metavar="DATE", help=_("on or before this day (YYYY-MM-DD)"))
    listing.add_argument("--limit", type=int, metavar="N", help=_("at most N entries"))
    listing.add_argument("--json", action="store_true", help=_("machine-readable output (see below)"))
    listing.set_defaults(handler=_list)


def _verify(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        verdict = verify_audit(ctx, Progress(cli_progress_printer(not args.json)))
    if args.json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
    else:
        print(verdict.message, file=sys.stdout if verdict.ok else sys.stderr)
    return 0 if verdict.ok else EXIT_TAMPERED


def _filter(args: argparse.Namespace) -> AuditFilter:
    if args.action is not None and args.action not in ACTIONS:
        raise ValidationError(
            _("{option}: unknown action '{code}'; use one of: {choices}").format(
                option="--action", code=args.action, choices=", ".join(ACTIONS)
            )
        )
    if args.limit is not None and args.limit < 0:
        raise ValidationError(_("{option} must be 0 or more").format(option="--limit"))
    since, until = option_date(args.since, "--since"), option_date(args.until, "--until")
    if since is not None and until is not None and until < since:
        raise ValidationError(
            _("{until} is before {since}").format(until=f"--until {until}", since=f"--since {since}")
        )
    return AuditFilter(user=args.audit_user, action=args.action, since=since, until=until)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _list(args: argparse.Namespace) -> int:
    flt = _filter(args)
    out = sys.stdout
    with open_for(args) as ctx:
        first = audit_page(ctx, flt, 0, min(PAGE_SIZE, args.limit if args.limit is not None else PAGE_SIZE))
        total = first.total
        wanted = total if args.limit is None else min(total, args.limit)
        pages = [first.rows]
        offset = len(first.rows)
        shown = 0
        if args.json:
            out.write(f'{{"total": {total}, "limit": {json.dumps(args.limit)}, "entries": [')
        widths: list[int] = []
        while pages:
            rows = pages.pop()
            if args.json:
                for row in rows:
                    out.write((",\n" if shown else "\n") + json.dumps(row.to_json(), ensure_ascii=False))
                    shown += 1
            else:
                table = [_row_cells(row) for row in rows]
                if not widths and table:  # the first page sets the columns
                    header = [_("Time"), _("User"), _("Action"), _("Record type"), _("Record"), _("Details")]
                    widths = [max(_width(r[i]) for r in [header, *table]) for i in range(len(header) - 1)]
                    print(_cells(header, widths), file=out)
                for cells in table:
                    print(_cells(cells, widths), file=out)
                shown += len(rows)
            if offset < wanted:
                more = audit_page(ctx, flt, offset, min(PAGE_SIZE, wanted - offset), total=total)
                if more.rows:
                    pages.append(more.rows)
                    offset += len(more.rows)
    if args.json:
        out.write("\n]}\n" if shown else "]}\n")
        return 0
    summary = ngettext("{count} entry", "{count} entries", total).format(count=format_number(total))
    if shown < total:
        summary = ngettext(
            "{shown} of {count} entry shown", "{shown} of {count} entries shown", total
        ).format(shown=format_number(shown), count=format_number(total))
    print(summary, file=out)
    return 0


def _row_cells(row: AuditRow) -> list[str]:
    return [
        format_when(row.at),
        row.actor,
        action_label(row.action),
        type_label(row.record_type) if row.record_type else "",
        row.record_id,
        describe(row),
    ]


def _cells(cells: list[str], widths: list[int]) -> str:
    padded = [c + " " * max(0, w - _width(c)) for c, w in zip(cells, widths, strict=False)]
    return "  ".join([*padded, cells[-1]]).rstrip()
