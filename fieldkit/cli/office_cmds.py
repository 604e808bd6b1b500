"""``fieldkit init``: make this installation an office."""

from __future__ import annotations

import argparse
import json
from typing import Any

from fieldkit.cli.common import open_for
from fieldkit.i18n import _
from fieldkit.services.office import init_office


def register(sub: Any) -> None:
    init = sub.add_parser("init", help=_("make this installation an office and generate its keys"))
    init.add_argument("--office-code", required=True, help=_("short code, such as KE-NBO"))
    init.add_argument("--office-name", required=True)
    # a code of the office_type vocabulary, checked by init_office ('fieldkit vocab office_type')
    init.add_argument("--office-type", required=True, metavar="TYPE")
    init.add_argument("--parent", help=_("code of the office this one reports to"))
    init.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    init.set_defaults(handler=_init)


def _init(args: argparse.Namespace) -> int:
    with open_for(args, create=True) as ctx:
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
