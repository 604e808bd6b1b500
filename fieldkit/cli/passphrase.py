"""Where the CLI gets a store's passphrase: ``--passphrase-file``, ``FIELDKIT_PASSPHRASE`` or a prompt."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def passphrase_source(args: argparse.Namespace) -> Callable[[], str] | None:
    """A function that returns the passphrase when the store asks for one."""
    return None
