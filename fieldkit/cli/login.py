"""Where the CLI gets an account's password: ``--password-file``, ``FIELDKIT_PASSWORD`` or a prompt."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def password_source(args: argparse.Namespace) -> Callable[[], str] | None:
    """A function that returns the password when the store asks for one."""
    return None
