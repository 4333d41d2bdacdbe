"""`lumadb conformance ...`: the conformance engine lives in the repository's top-level
`conformance/` package (suites, recordings, reports), so these commands run from a checkout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

_CHECKOUT = Path(__file__).resolve().parent.parent


def _commands() -> Any:
    if not (_CHECKOUT / "conformance" / "commands.py").exists():
        raise SystemExit("lumadb conformance runs from a LumaDB source checkout (conformance/ not found)")
    if str(_CHECKOUT) not in sys.path:
        sys.path.insert(0, str(_CHECKOUT))
    from conformance import commands

    return commands


def register(subparsers: argparse._SubParsersAction) -> None:
    try:
        _commands().register(subparsers)
    except SystemExit:
        parser = subparsers.add_parser("conformance", help="conformance suites (needs a source checkout)")
        parser.set_defaults(run=lambda _args: _commands())
