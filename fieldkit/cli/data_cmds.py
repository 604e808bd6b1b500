"""Headless data commands: demo data, counts, exports, vocabularies."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from fieldkit.cli.common import cli_progress_printer, open_for
from fieldkit.domain.vocab import vocabularies
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.services import data


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help=_("fill the store with realistic demo data, or simulate office work"))
    group = demo.add_mutually_exclusive_group(required=True)
    group.add_argument("--scale", choices=("small", "large"))
    group.add_argument("--mutate", type=int, metavar="N", help=_("make N edits and deletions as this office"))
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(handler=_demo)

    stats = sub.add_parser("stats", help=_("count records per type, of those within your clearance"))
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=_stats)

    export = sub.add_parser(
        "export-data",
        help=_("export every synced record"),
        epilog=_(
            "Records above the user's clearance are left out. Identifying details of people are "
            "replaced by a marker unless --include-restricted, which needs clearance for "
            "confidential records."
        ),
    )
    export.add_argument("--format", required=True, choices=data.FORMATS)
    export.add_argument("--out", required=True, type=Path, metavar="DIR")
    export.add_argument(
        "--include-restricted", action="store_true", help=_("include identifying details of people")
    )
    export.set_defaults(handler=_export)

    search = sub.add_parser(
        "search",
        help=_("find records of any searchable type by their words"),
        epilog=_("Records above the user's clearance are neither found nor counted."),
    )
    search.add_argument("text")
    search.add_argument(
        "--type", action="append", default=[], metavar="TYPE", help=_("only this record type (repeatable)")
    )
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=_search)

    vocab = sub.add_parser("vocab", help=_("list controlled vocabularies or the terms of one"))
    vocab.add_argument("name", nargs="?")
    vocab.add_argument("--json", action="store_true")
    vocab.set_defaults(handler=_vocab)


def _demo(args: argparse.Namespace) -> int:
    from fieldkit.demo import generate, mutate

    progress = Progress(cli_progress_printer(True))
    started = time.perf_counter()
    # generating demo data builds a whole store; simulating work needs one that exists
    with open_for(args, create=bool(args.scale)) as ctx:
        if args.scale:
            counts = generate(ctx, args.scale, seed=args.seed, progress=progress)
        else:
            counts = mutate(ctx, args.mutate, seed=args.seed, progress=progress)
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    print(_("Done in {seconds:.1f} s: {summary}").format(seconds=elapsed, summary=summary))
    return 0


def _stats(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        counts = data.stats(ctx)
    if args.json:
        print(json.dumps(counts, indent=2, sort_keys=True))
    else:
        width = max(len(k) for k in counts)
        for kind, c in counts.items():
            print(
                f"{kind:<{width}}  {c['live']:>9}  "
                + ngettext("({count} deleted)", "({count} deleted)", c["deleted"]).format(count=c["deleted"])
            )
    return 0


def _export(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        paths = data.export_data(
            ctx,
            args.format,
            args.out,
            include_restricted=args.include_restricted,
            progress=Progress(cli_progress_printer(True)),
        )
    for path in paths:
        print(path)
    return 0


def _search(args: argparse.Namespace) -> int:
    from fieldkit.services.search import search_records
    from fieldkit.store.registry import type_label

    with open_for(args) as ctx:
        hits = search_records(ctx, args.text, tuple(args.type), limit=args.limit)
    if args.json:
        rows = [{"type": h.record_type, "id": h.record_id, "title": h.title} for h in hits]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for hit in hits:
            print(f"{hit.record_id}\t{type_label(hit.record_type)}\t{hit.title}")
    return 0


def _vocab(args: argparse.Namespace) -> int:
    with open_for(args) as ctx:
        vocab = vocabularies(ctx)
    if not args.name:
        names = vocab.names()
        print(json.dumps(names) if args.json else "\n".join(names))
        return 0
    terms = vocab.terms(args.name)
    if not terms:
        from fieldkit.errors import ValidationError

        raise ValidationError(_("No vocabulary named '{name}'").format(name=args.name))
    if args.json:
        print(json.dumps([t.__dict__ for t in terms], ensure_ascii=False, indent=2))
    else:
        for t in terms:
            indent = "  " if t.parent_code else ""
            print(f"{indent}{t.code}\t{t.label()}")
    return 0
