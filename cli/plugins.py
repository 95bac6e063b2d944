"""Commands other packages add to `tracelens`: the entry point group `tracelens.commands`.

Each entry point names a function that takes the app and adds its commands. devtools adds the
tooling commands (demo-corpus, run, eval, bench) this way, so the CLI never imports tooling and
the tooling sits on top of the product (the import contracts in pyproject.toml say so).
"""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

GROUP = "tracelens.commands"


def load_plugins(app: typer.Typer) -> None:
    """Add the commands of every installed plugin."""
    for entry in entry_points(group=GROUP):
        entry.load()(app)
