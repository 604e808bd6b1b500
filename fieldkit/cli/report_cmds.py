"""``fieldkit report``: print a report to PDF (and its tables to XLSX) in any language, signed
in and within the user's clearance, as the window prints it."""

from __future__ import annotations

import argparse
from typing import Any

from fieldkit.cli.common import open_for, option_date
from fieldkit.errors import ValidationError
from fieldkit.i18n import _, ngettext


def register(sub: Any) -> None:
    report = sub.add_parser(
        "report",
        help=_("print a report (situation, regional, visit, briefing) to PDF"),
        epilog=_("Dates are written YYYY-MM-DD. The report is noted in the audit trail."),
    )
    report.add_argument("kind", nargs="?", metavar="KIND", help=_("the kind of report (see --list)"))
    report.add_argument("--list", action="store_true", help=_("list the kinds of report, one a line"))
    report.add_argument("--out", metavar="FILE.pdf", help=_("the PDF file to write"))
    report.add_argument(
        "--lang",
        dest="report_lang",
        metavar="CODE",
        help=_("the report's language (default: the interface language)"),
    )
    report.add_argument("--from", dest="date_from", metavar="DATE", help=_("the period's first day"))
    report.add_argument("--to", dest="date_to", metavar="DATE", help=_("the period's last day"))
    report.add_argument(
        "--office",
        nargs="+",
        action="extend",
        default=[],
        metavar="CODE",
        help=_("offices to cover (default: all)"),
    )
    report.add_argument(
        "--type",
        dest="visit_types",
        action="append",
        default=[],
        metavar="CODE",
        help=_("visit type code (repeatable)"),
    )
    report.add_argument("--max-level", metavar="LEVEL", help=_("the most confidential level included"))
    report.add_argument("--visit", metavar="ID", default="", help=_("the visit of a visit report"))
    report.add_argument(
        "--redact", action="store_true", help=_("withhold the people's identifying details (visit report)")
    )
    report.add_argument("--country", metavar="CODE", default="", help=_("the country of a briefing pack"))
    report.add_argument(
        "--xlsx", metavar="FILE.xlsx", help=_("also save the report's tables to this XLSX file")
    )
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from fieldkit.i18n import current_language
    from fieldkit.reports.builders import KINDS, ReportRequest, check_output, describe_kinds, make_report
    from fieldkit.services.report_filter import ReportFilter, check_language

    if args.list:
        for line in describe_kinds():
            print(line)
        return 0
    if not args.kind:
        raise ValidationError(
            _("Name the kind of report, or use {option} to see them.").format(option="--list")
        )
    if args.kind not in KINDS:
        raise ValidationError(
            _("Unknown report '{kind}': use one of {kinds}.").format(kind=args.kind, kinds=", ".join(KINDS))
        )
    if not args.out:
        raise ValidationError(_("Give the PDF file to write with {option}.").format(option="--out FILE.pdf"))
    lang = args.report_lang or current_language()
    check_language(lang)
    flt = ReportFilter(
        date_from=option_date(args.date_from, "--from"),
        date_to=option_date(args.date_to, "--to"),
        offices=tuple(args.office),
        visit_types=tuple(args.visit_types),
        max_level=args.max_level,
    )
    if args.kind != "visit" and (flt.date_from is None or flt.date_to is None):
        raise ValidationError(_("Give the report's period: its first and its last day."))
    if flt.date_from and flt.date_to and flt.date_to < flt.date_from:
        raise ValidationError(
            _("The period ends ({end}) before it starts ({start}).").format(
                end=flt.date_to.isoformat(), start=flt.date_from.isoformat()
            )
        )
    check_output(args.out, "out")
    if args.xlsx:
        check_output(args.xlsx, "xlsx")
    request = ReportRequest(
        args.kind, lang, flt, visit_id=args.visit, redact=args.redact, country=args.country
    )
    with open_for(args) as ctx:
        _built, pages = make_report(ctx, request, args.out, args.xlsx)
    print(
        ngettext("Wrote {path}: {count} page", "Wrote {path}: {count} pages", pages).format(
            path=args.out, count=pages
        )
    )
    if args.xlsx:
        print(_("Wrote the tables to {path}").format(path=args.xlsx))
    return 0
