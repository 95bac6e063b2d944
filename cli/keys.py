"""API keys: `tracelens keys create|list|revoke` (a key is printed once; only its hash is kept).

Imports inside the commands are for start-up speed: `tracelens --help` loads none of them.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, help="API keys: create (shown once), list, revoke.")


@app.command()
def create(
    role: Annotated[
        list[str], typer.Option(help="viewer, instructor, analyst, uploader or admin; repeatable")
    ],
    name: Annotated[str, typer.Option(help="Who or what holds the key")],
    instructor: Annotated[
        int | None, typer.Option(help="The instructor id an instructor key reads the sections of")
    ] = None,
) -> None:
    """Create a key and print it once; store it now, it cannot be shown again."""
    # start-up speed: the database driver loads only for commands that use it
    from cli.wiring import load_settings
    from core.auth.keys import create_key
    from core.db import database_connection

    roles = [part for value in role for part in value.replace(",", " ").split()]
    settings = load_settings()
    with database_connection(settings, migrate=True) as conn:
        key, stored = create_key(conn, name=name, roles=roles, instructor_id=instructor)
        conn.commit()
    typer.echo(f"created key {stored.id} ({stored.name}: {', '.join(stored.roles)})", err=True)
    typer.echo("store it now, it is not shown again:", err=True)
    typer.echo(key)


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines")] = False,
) -> None:
    """Every key: id, prefix, name, roles, instructor, created and revoked dates (no secrets)."""
    # start-up speed: the database driver loads only for commands that use it
    from cli.wiring import load_settings
    from core.auth.keys import list_keys
    from core.db import database_connection

    settings = load_settings()
    with database_connection(settings, migrate=True) as conn:
        rows = list_keys(conn)
    for row in rows:
        if as_json:
            typer.echo(json.dumps(row, default=str))
            continue
        state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
        who = f" instructor {row['instructor_id']}" if row["instructor_id"] else ""
        typer.echo(
            f"{row['id']:>4}  tl_{row['prefix']}_…  {row['name']}  [{', '.join(row['roles'])}]"
            f"{who}  {state}"
        )


@app.command()
def revoke(key_id: Annotated[int, typer.Argument(help="The key's id (keys list)")]) -> None:
    """Revoke a key: from now on it answers 401."""
    # start-up speed: the database driver loads only for commands that use it
    from cli.wiring import load_settings
    from core.auth.keys import revoke_key
    from core.db import database_connection

    settings = load_settings()
    with database_connection(settings, migrate=True) as conn:
        row = revoke_key(conn, key_id=key_id)
        conn.commit()
    typer.echo(f"revoked key {row['id']} ({row['name']})")
