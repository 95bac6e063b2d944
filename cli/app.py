"""The `tracelens` command line: parse, ingest, serve, worker, search, ask, backups, models."""

from __future__ import annotations

from cli import backup, keys, models, queries, reports, services
from cli.plugins import LazyPluginApp

app = LazyPluginApp(no_args_is_help=True, add_completion=False, help=__doc__)

app.command()(reports.parse)
app.command()(reports.migrate)
app.command()(services.serve)
app.command()(services.worker)
app.command()(services.relay)
app.command()(reports.ingest)
app.add_typer(reports.instructors, name="instructors")
app.command()(reports.reparse)
app.command()(queries.search)
app.command()(queries.ask)
app.add_typer(reports.themes, name="themes")
app.add_typer(backup.app, name="backup")
app.command("reembed")(models.reembed)
app.add_typer(models.spaces, name="spaces")
app.add_typer(models.models, name="models")
app.add_typer(keys.app, name="keys")
# the plugins' commands (devtools) are added when the command line names one: LazyPluginApp
