"""The local office's secret keys: packets are signed and opened with them, cards export them."""

from __future__ import annotations

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.crypto.keys import OfficeKeys
from fieldkit.store import office_keys


@requires(Permission.MANAGE_OFFICE)
def local_keys(ctx: Context) -> OfficeKeys:
    with ctx.store.read() as session:
        keys = office_keys.read_keys(session, ctx.store, ctx.office)
        assert keys is not None, "local office without keys"
        return OfficeKeys.from_json(keys)


@requires(Permission.MANAGE_OFFICE)
def seal_office_keys(ctx: Context, passphrase: str) -> int:
    """Seal the plain office keys of a store on a database server under ``passphrase``."""
    with ctx.store.write() as session:
        return office_keys.seal_all(session, ctx.store, passphrase)


@requires(Permission.MANAGE_OFFICE)
def change_office_keys_passphrase(ctx: Context, old: str, new: str) -> int:
    """Seal the office keys of a store on a database server again, under ``new``."""
    with ctx.store.write() as session:
        return office_keys.reseal_all(session, ctx.store, old, new)
