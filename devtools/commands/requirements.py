"""What a tooling command needs from the dev extra, and the message when it is missing."""

from __future__ import annotations

import importlib
import sys

import typer

INSTALL = (
    "pip install 'tracelens[dev]' (in a checkout: pip install -e '.[dev]', as `make venv` does)"
)


def require(command: str, *modules: str) -> None:
    """Exit with a clear message when a module of the dev extra is missing."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        print(
            f"`tracelens {command}` is a development tool and needs the dev extra"
            f" ({', '.join(missing)} not installed): {INSTALL}",
            file=sys.stderr,
        )
        raise typer.Exit(2)
