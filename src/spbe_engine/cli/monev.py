"""CLI commands of the monitoring-and-evaluation cycle (monev): registered by `cli.main.build_parser`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def register(add: Callable[..., Any]) -> None:
    """Add this module's subcommands with `add(name, reads=..., help=..., ...)` (an argparse sub-parser)."""
