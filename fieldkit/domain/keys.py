"""The local office's secret keys: packets are signed and opened with them, cards export them."""

from __future__ import annotations

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.crypto.keys import OfficeKeys
from fieldkit.store.system import OfficeSecret


@requires(Permission.MANAGE_OFFICE)
def local_keys(ctx: Context) -> OfficeKeys:
    with ctx.store.read() as session:
        secret = session.get(OfficeSecret, ctx.office)
        assert secret is not None, "local office without keys"
        return OfficeKeys.from_json(secret.keys)
