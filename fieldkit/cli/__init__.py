"""The ``fieldkit`` command: no subcommand opens the window; subcommands run headless."""

from fieldkit.cli.main import main

__all__ = ["main"]
