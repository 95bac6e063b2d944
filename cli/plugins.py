"""Commands other packages add to `tracelens`: the entry point group `tracelens.commands`.

Each entry point names a function that takes the app and adds its commands. devtools adds the
tooling commands (demo-corpus, run, eval, bench) this way, so the CLI never imports tooling and
the tooling sits on top of the product (the import contracts in pyproject.toml say so).

Finding and importing the plugins costs about 60 ms, a tenth of `tracelens parse` on a few
files, so `LazyPluginApp` loads them only when the command line may name one of theirs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer

GROUP = "tracelens.commands"


def load_plugins(app: typer.Typer) -> None:
    """Add the commands of every installed plugin."""
    from importlib.metadata import entry_points  # start-up speed: scanning the installed dists

    for entry in entry_points(group=GROUP):
        entry.load()(app)


def own_command_names(app: typer.Typer) -> set[str]:
    """The names of the commands and command groups the app itself defines."""
    names = {
        info.name or (info.callback.__name__.replace("_", "-") if info.callback else "")
        for info in app.registered_commands
    }
    return names | {group.name for group in app.registered_groups if group.name}


class LazyPluginApp(typer.Typer):
    """A Typer app that adds the plugins' commands only when the command is not its own
    (`tracelens --help` and tooling commands load them; `tracelens parse` does not)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.load_plugins_for(sys.argv[1:])
        return super().__call__(*args, **kwargs)

    def load_plugins_for(self, argv: Sequence[str]) -> None:
        if getattr(self, "_plugins_loaded", False):
            return
        command = next((a for a in argv if not a.startswith("-")), None)
        if command is None or command not in own_command_names(self):
            self._plugins_loaded = True
            load_plugins(self)
