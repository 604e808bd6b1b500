"""``fieldkit office ...`` and ``fieldkit sync ...``: what a regional office scripts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from fieldkit.cli.common import EXIT_REFUSED, cli_progress_printer, open_for
from fieldkit.cli.keys_cmds import add_recovery_option, backup_command
from fieldkit.errors import ValidationError
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.sync.export import export_packet, parse_size
from fieldkit.sync.importer import DEFAULT_MAX_DELETE_SHARE, import_files
from fieldkit.sync.outbox import outgoing_changes
from fieldkit.sync.state import partner_status
from fieldkit.sync.wording import change_counts_text, changes_and_attachments_text


def register(sub: Any) -> None:
    office = sub.add_parser("office", help=_("office cards and keys"))
    osub = office.add_subparsers(dest="office_command", metavar="ACTION", required=True)
    card = osub.add_parser("card", help=_("write this office's public card"))
    card.add_argument("--out", required=True, type=Path)
    card.set_defaults(handler=_card)
    trust = osub.add_parser("trust", help=_("add a partner office from its card"))
    trust.add_argument("card", type=Path)
    trust.add_argument("--fingerprint", help=_("the fingerprint the partner read to you; must match"))
    trust.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    trust.set_defaults(handler=_trust)
    keys = osub.add_parser(
        "export-keys",
        help=_("back up this office's secret keys under a recovery passphrase (as keys backup)"),
    )
    keys.add_argument("--out", required=True, type=Path, metavar="DIR")
    add_recovery_option(keys)
    keys.set_defaults(handler=backup_command)
    offices = osub.add_parser("list", help=_("list this office and its partners"))
    offices.add_argument("--json", action="store_true")
    offices.set_defaults(handler=_list)

    sync = sub.add_parser("sync", help=_("export and import sync packets"))
    ssub = sync.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    export = ssub.add_parser("export", help=_("write a packet of what a partner has not received"))
    export.add_argument("--to", required=True, metavar="CODE")
    export.add_argument("--out", required=True, type=Path, metavar="PATH")
    export.add_argument("--full", action="store_true", help=_("everything, not just what is unacknowledged"))
    export.add_argument("--no-attachments", action="store_true")
    export.add_argument("--part-size", type=parse_size, metavar="SIZE", help=_("split into parts, e.g. 10M"))
    export.add_argument(
        "--share-identities",
        action="store_true",
        help=_("include identifying details of people (they stay home by default)"),
    )
    export.add_argument("--json", action="store_true")
    export.set_defaults(handler=_export)
    imp = ssub.add_parser("import", help=_("import packets (files or folders)"))
    imp.add_argument("paths", nargs="+", type=Path)
    imp.add_argument("--dry-run", action="store_true", help=_("check and report, change nothing"))
    imp.add_argument("--allow-mass-delete", action="store_true")
    imp.add_argument("--max-delete-share", type=float, default=DEFAULT_MAX_DELETE_SHARE)
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=_import)
    status = ssub.add_parser("status", help=_("per partner: last packets, pending, held"))
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)


def _card(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        card = write_card(ctx, args.out)
    print(_("Card of office {code} written to {path}").format(code=card.code, path=args.out))
    print(_("Fingerprint: {fingerprint}").format(fingerprint=card.fingerprint))
    return 0


def _trust(args: argparse.Namespace) -> int:
    from fieldkit.crypto.keys import normalize_fingerprint

    with open_for(args) as ctx:
        card = read_card(ctx, args.card)
        print(
            _("Office {code}: {name} ({type})").format(code=card.code, name=card.name, type=card.office_type)
        )
        print(_("Fingerprint: {fingerprint}").format(fingerprint=card.fingerprint))
        if args.fingerprint:
            if normalize_fingerprint(args.fingerprint) != normalize_fingerprint(card.fingerprint):
                raise ValidationError(_("The fingerprint does not match the card: do not trust it"))
        elif not args.yes:
            if not sys.stdin.isatty():
                raise ValidationError(
                    _(
                        "Confirm the fingerprint with the other office, "
                        "then run again with {yes} or {fingerprint}"
                    ).format(yes="--yes", fingerprint="--fingerprint")
                )
            answer = input(_("Does the other office read the same fingerprint? [y/N] "))
            if answer.strip().lower() not in ("y", "yes", "o", "oui", "s", "si", "д", "да", "نعم", "是"):
                print(_("Not trusted."))
                return 1
        trust_card(ctx, card)
    print(_("Office {code} is now a trusted partner.").format(code=card.code))
    return 0


def _list(args: argparse.Namespace) -> int:
    from fieldkit.services.office import list_offices

    with open_for(args) as ctx:
        offices = list_offices(ctx)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "code": o.code,
                        "name": o.name,
                        "type": o.office_type,
                        "local": o.is_local,
                        "fingerprint": o.fingerprint,
                    }
                    for o in offices
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for o in offices:
            mark = "*" if o.is_local else " "
            print(f"{mark} {o.code:<12} {o.fingerprint}  {o.name}")
    return 0


def _export(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        result = export_packet(
            ctx,
            args.to,
            args.out,
            full=args.full,
            attachments=not args.no_attachments,
            part_size=args.part_size,
            share_identities=args.share_identities,
            progress=Progress(cli_progress_printer(True)),
        )
    if args.json:
        print(
            json.dumps(
                {
                    "files": [str(p) for p in result.paths],
                    "changes": result.changes,
                    "attachments": result.attachments,
                    "counts": result.counts,
                    "ranges": result.ranges,
                }
            )
        )
    else:
        for path in result.paths:
            print(path)
        print(
            _("{what} for {office}").format(
                what=changes_and_attachments_text(result.changes, result.attachments), office=args.to
            )
        )
    return 0


def _import(args: argparse.Namespace) -> int:
    share = None if args.allow_mass_delete else args.max_delete_share
    with open_for(args) as ctx:
        results = import_files(
            ctx,
            args.paths,
            dry_run=args.dry_run,
            max_delete_share=share,
            progress=Progress(cli_progress_printer(True)),
        )
    if not results:
        raise ValidationError(_("No packets found in {paths}").format(paths=", ".join(map(str, args.paths))))
    if args.json:
        print(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            if r.status == "refused":
                print(_("{file}: refused: {reason}").format(file=r.file, reason=r.reason))
                continue
            if r.status == "already-imported":
                print(_("{file}: nothing to do: {reason}").format(file=r.file, reason=r.reason))
                continue
            label = _("dry run") if r.status == "dry-run" else _("imported")
            print(
                _("{file}: {label} from {sender}: {counts}").format(
                    file=r.file, label=label, sender=r.sender, counts=change_counts_text(r)
                )
            )
    return EXIT_REFUSED if any(r.status == "refused" for r in results) else 0


def _status(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        partners = partner_status(ctx)
        outgoing = outgoing_changes(ctx)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        **p.__dict__,
                        "last_in": p.last_in and p.last_in.isoformat(),
                        "last_out": p.last_out and p.last_out.isoformat(),
                        "not_sent": outgoing[p.code].not_sent,
                        "awaiting_ack": outgoing[p.code].awaiting_ack,
                    }
                    for p in partners
                ],
                indent=2,
            )
        )
        return 0
    if not partners:
        print(_("No partner offices yet: exchange office cards first."))
    for p in partners:
        out = outgoing[p.code]
        print(
            _("{code}: last in {last_in}, last out {last_out}; {not_sent}; {awaiting}; {held}").format(
                code=p.code,
                last_in=p.last_in or "-",
                last_out=p.last_out or "-",
                not_sent=ngettext(
                    "{count} change not yet sent", "{count} changes not yet sent", out.not_sent
                ).format(count=out.not_sent),
                awaiting=ngettext(
                    "{count} change sent, not yet confirmed",
                    "{count} changes sent, not yet confirmed",
                    out.awaiting_ack,
                ).format(count=out.awaiting_ack),
                held=ngettext(
                    "{count} change waits for a packet", "{count} changes wait for a packet", p.held
                ).format(count=p.held),
            )
        )
    return 0
