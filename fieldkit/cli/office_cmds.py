"""``fieldkit init``: make this installation an office."""

from __future__ import annotations

import argparse
import json
from typing import Any

from fieldkit.cli.common import open_for
from fieldkit.context import Context
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.services.office import init_office, validate_office_fields


def register(sub: Any) -> None:
    init = sub.add_parser("init", help=_("make this installation an office and generate its keys"))
    init.add_argument("--office-code", required=True, help=_("short code, such as KE-NBO"))
    init.add_argument("--office-name", required=True)
    # a code of the office_type vocabulary, checked by init_office ('fieldkit vocab office_type')
    init.add_argument("--office-type", required=True, metavar="TYPE")
    init.add_argument("--parent", help=_("code of the office this one reports to"))
    init.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    init.set_defaults(handler=_init)


def _seal_new_keys_on_server(ctx: Context, args: argparse.Namespace) -> None:
    """On a database server, given a passphrase (a file, the variable or a terminal, asked twice),
    seal the keys about to be made, so that they are never written plain (as a file is encrypted)."""
    from fieldkit.cli.passphrase import PASSPHRASE_VARIABLE, new_passphrase, passphrase_source
    from fieldkit.domain.keys import seal_office_keys

    if ctx.store.is_sqlite or ctx.office_code is not None or ctx.store.office_keys_key is not None:
        return  # a file is encrypted whole; an office already made is refused by init_office
    if passphrase_source(args) is None:
        return  # a script without a passphrase: plain keys, to seal later with 'store encrypt'
    code, parent = (args.office_code or "").strip().upper(), (args.parent or "").strip().upper() or None
    errors = validate_office_fields(ctx, code, args.office_name, args.office_type, parent)
    if errors:  # refused before anything is written
        raise ValidationError(" ".join(errors.values()), errors)
    passphrase = new_passphrase(
        args, file=args.passphrase_file, variable=PASSPHRASE_VARIABLE, option="--passphrase-file"
    )
    seal_office_keys(ctx, passphrase)


def _init(args: argparse.Namespace) -> int:
    with open_for(args, create=True) as ctx:
        _seal_new_keys_on_server(ctx, args)
        info = init_office(ctx, args.office_code, args.office_name, args.office_type, args.parent).value
    if args.json:
        print(
            json.dumps(
                {
                    "code": info.code,
                    "name": info.name,
                    "type": info.office_type,
                    "parent": info.parent_code,
                    "fingerprint": info.fingerprint,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(_("Office {code} ({name}) created.").format(code=info.code, name=info.name))
        print(_("Key fingerprint: {fingerprint}").format(fingerprint=info.fingerprint))
    return 0
