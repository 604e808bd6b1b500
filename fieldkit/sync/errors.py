from __future__ import annotations

from fieldkit.errors import FieldKitError


class PacketRefused(FieldKitError):
    """A packet was not imported; the message names the reason. The store is unchanged."""
