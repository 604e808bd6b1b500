"""Headless data commands: demo data, counts, exports, vocabularies."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from fieldkit.cli.common import cli_progress_printer
from fieldkit.domain.vocab import vocabularies
from fieldkit.i18n import _
from fieldkit.opening import opened
from fieldkit.progress import Progress
from fieldkit.services import data


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help=_("fill the store with realistic demo data, or simulate office work"))
    group = demo.add_mutually_exclusive_group(required=True)
    group.add_argument("--scale", choices=("small", "large"))
    group.add_argument("--mutate", type=int, metavar="N", help=_("make N edits and deletions as this office"))
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(handler=_demo)

    stats = sub.add_parser("stats", help=_("count records per type"))
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=_stats)

    export = sub.add_parser("export-data", help=_("export every synced record"))
    export.add_argument("--format", required=True, choices=data.FORMATS)
    export.add_argument("--out", required=True, type=Path, metavar="DIR")
    export.add_argument(
        "--include-restricted", action="store_true", help=_("include identifying details of people")
    )
    export.set_defaults(handler=_export)

    vocab = sub.add_parser("vocab", help=_("list controlled vocabularies or the terms of one"))
    vocab.add_argument("name", nargs="?")
    vocab.add_argument("--json", action="store_true")
    vocab.set_defaults(handler=_vocab)


def _demo(args: argparse.Namespace) -> int:
    from fieldkit.demo import generate, mutate

    progress = Progress(cli_progress_printer(True))
    started = time.perf_counter()
    with opened(args.db) as ctx:
        if args.scale:
            counts = generate(ctx, args.scale, seed=args.seed, progress=progress)
        else:
            counts = mutate(ctx, args.mutate, seed=args.seed, progress=progress)
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    print(_("Done in {seconds:.1f} s: {summary}").format(seconds=elapsed, summary=summary))
    return 0


def _stats(args: argparse.Namespace) -> int:
    with opened(args.db) as ctx:
        counts = data.stats(ctx)
    if args.json:
        print(json.dumps(counts, indent=2, sort_keys=True))
    else:
        width = max(len(k) for k in counts)
        for kind, c in counts.items():
            print(
                f"{kind:<{width}}  {c['live']:>9}  " + _("({deleted} deleted)").format(deleted=c["deleted"])
            )
    return 0


def _export(args: argparse.Namespace) -> int:
    with opened(args.db) as ctx:
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


def _vocab(args: argparse.Namespace) -> int:
    with opened(args.db) as ctx:
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
