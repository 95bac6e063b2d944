"""`tracelens backup`: pg_dump to GCS or a folder, verified restores, retention, comparisons.

The library is core.backup; the Kubernetes operator (operators.backup) calls it too. Imports
inside the commands are for start-up speed: `tracelens --help` loads none of them.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Annotated

import typer

app = typer.Typer(
    no_args_is_help=True, help="Database backups in gs://bucket/prefix or file:///path."
)

Location = Annotated[str, typer.Option(help="gs://bucket/prefix or file:///path")]


def _backup_failed(exc: Exception) -> typer.Exit:
    print(f"error: {exc}", file=sys.stderr)
    return typer.Exit(1)


@app.command("run")
def backup_run(
    to: Location,
    schema: Annotated[list[str] | None, typer.Option(help="Only this schema; repeatable")] = None,
    compression: Annotated[str, typer.Option(help="none, gzip[:LEVEL], lz4, zstd")] = "gzip",
) -> None:
    """pg_dump the database (custom format) into a new object, streamed, with its SHA-256."""
    # start-up speed: backups load the database and storage clients only when they run
    from cli.wiring import load_settings
    from core.backup import open_store, run_backup
    from core.db import database
    from core.errors import TraceLensError

    settings = load_settings()
    try:
        with database(settings) as db:
            store = open_store(to, settings)
            result = run_backup(
                source_url=db.url, store=store, schemas=tuple(schema or ()), compression=compression
            )
    except TraceLensError as exc:
        raise _backup_failed(exc) from exc
    b = result.backup
    print(f"{b.url}: {b.size} bytes, sha256 {b.sha256}, {result.duration_s:.1f}s")


@app.command("list")
def backup_list(
    from_: Annotated[str, typer.Option("--from", help="gs://bucket/prefix or file:///path")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The backups in a location, oldest first; incomplete uploads are marked."""
    # start-up speed: backups load the database and storage clients only when they run
    from cli.wiring import load_settings
    from core.backup import open_store

    backups = sorted(open_store(from_, load_settings()).list(), key=lambda b: b.created)
    if as_json:
        print(json.dumps([b.as_dict() for b in backups], indent=2))
        return
    for b in backups:
        state = f"sha256 {b.sha256[:16]}..." if b.sha256 else "INCOMPLETE"
        print(f"{b.name}  {b.created:%Y-%m-%d %H:%M:%S}Z  {b.size:>12,} bytes  {state}")


@app.command("restore")
def backup_restore(
    from_: Annotated[str, typer.Option("--from", help="gs://bucket/prefix or file:///path")],
    latest: Annotated[bool, typer.Option("--latest", help="The newest complete backup")] = False,
    name: Annotated[str | None, typer.Option(help="A backup's name, as listed")] = None,
    target_url: Annotated[
        str | None, typer.Option(help="postgresql:// URL; default the configured database")
    ] = None,
    target_db: Annotated[
        str | None, typer.Option(help="A database on the configured server (created if missing)")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace what a non-empty target holds")] = False,
) -> None:
    """Restore a backup after checking its SHA-256; a non-empty target needs --force."""
    # start-up speed: backups load the database and storage clients only when they run
    from cli.wiring import load_settings
    from core.backup import choose_backup, open_store, restore_backup
    from core.db import database, with_database
    from core.errors import TraceLensError

    settings = load_settings()
    try:
        store = open_store(from_, settings)
        chosen = choose_backup(store, name=name, latest=latest)
        with database(settings) as db:
            url = target_url or (with_database(db.url, target_db) if target_db else db.url)
            result = restore_backup(store=store, backup=chosen, target_url=url, force=force)
    except TraceLensError as exc:
        raise _backup_failed(exc) from exc
    made = "created, " if result.created_database else ""
    print(
        f"restored {chosen.name} (sha256 verified) into {result.database!r} ({made}"
        f"{result.tables} tables) in {result.duration_s:.1f}s"
    )


@app.command("prune")
def backup_prune(
    from_: Annotated[str, typer.Option("--from", help="gs://bucket/prefix or file:///path")],
    keep: Annotated[int | None, typer.Option(min=1, help="Keep the N newest")] = None,
    max_age: Annotated[float | None, typer.Option(min=0, help="Delete those older (days)")] = None,
    dry_run: Annotated[bool, typer.Option(help="Only say what would go")] = False,
) -> None:
    """Delete backups past the keep count or older than the maximum age (never the newest)."""
    # start-up speed: backups load the database and storage clients only when they run
    from cli.wiring import load_settings
    from core.backup import open_store, prune_backups, utcnow
    from core.errors import TraceLensError

    settings = load_settings()
    age = timedelta(days=max_age) if max_age is not None else None
    try:
        store = open_store(from_, settings)
        gone = prune_backups(store, keep=keep, max_age=age, now=utcnow(), dry_run=dry_run)
    except TraceLensError as exc:
        raise _backup_failed(exc) from exc
    for b in gone:
        print(f"{'would delete' if dry_run else 'deleted'} {b.name}")
    print(f"{len(gone)} {'to prune' if dry_run else 'pruned'}, {len(store.list())} kept")


@app.command("compare")
def backup_compare(
    target_db: Annotated[str, typer.Option(help="A database on the configured server")],
) -> None:
    """Compare every table's row count and content checksum with another database (a drill)."""
    # start-up speed: backups load the database and storage clients only when they run
    from cli.wiring import load_settings
    from core.backup import fingerprints
    from core.db import connect, database, with_database

    settings = load_settings()
    with (
        database(settings) as db,
        connect(db.url) as a,
        connect(with_database(db.url, target_db)) as b,
    ):
        ours, theirs = fingerprints(a), fingerprints(b)
    differ = 0
    for table in sorted(set(ours) | set(theirs)):
        same = ours.get(table) == theirs.get(table)
        differ += not same
        rows = [str(x[0]) if x else "-" for x in (ours.get(table), theirs.get(table))]
        print(f"{'same' if same else 'DIFFERENT':9} {table:40} rows {rows[0]:>8} | {rows[1]:>8}")
    print(f"{len(ours)} tables here, {len(theirs)} in {target_db}; {differ} differ")
    raise typer.Exit(1 if differ else 0)
