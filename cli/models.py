"""The MLOps commands: `reembed`, `spaces`, `models` (the MLflow registry).

Imports inside the commands are for start-up speed: `tracelens --help` loads none of them.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

spaces = typer.Typer(help="Embedding spaces: list them (sizes, status); drop a retired one.")
models = typer.Typer(no_args_is_help=True, help="The MLflow model registry (trace-embedder).")


def reembed(
    model: Annotated[
        str, typer.Option(help="champion, challenger, models:/name/3, models:/name@a")
    ],
    shard: Annotated[
        str | None, typer.Option(help="i/N: this process embeds shard i of N (0-based)")
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
) -> None:
    """Build a registry model's space beside the active one; gate and promote when complete."""
    # start-up speed: MLflow and the embedders load only for this command
    from cli.wiring import load_settings
    from core.db import database
    from mlops.reembed import format_outcome, parse_shard
    from mlops.reembed import reembed as run
    from mlops.service import notify_reload

    settings = load_settings()
    with database(settings, migrate=True) as db:
        outcome = run(
            settings,
            db.url,
            model_ref=model,
            shard=parse_shard(shard) if shard else None,
            progress=progress,
            notify=lambda: notify_reload(settings),
        )
    print(format_outcome(outcome))


@spaces.callback(invoke_without_command=True)
def spaces_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List embedding spaces with their status, vectors and size."""
    if ctx.invoked_subcommand is not None:
        return
    # start-up speed: the database driver loads only for commands that use it
    from cli.wiring import load_settings
    from core.db import database_connection
    from embeddings.spaces import list_spaces

    settings = load_settings()
    with database_connection(settings) as conn:
        rows = list_spaces(conn)
    if as_json:
        print(json.dumps(rows, default=str, indent=2))
        return
    print(f"{'id':>3} {'status':8} {'vectors':>8} {'size':>9}  name")
    for r in rows:
        print(
            f"{r['id']:>3} {r['status']:8} {r['vectors']:>8} {r['bytes'] / 2**20:>7.1f}MB"
            f"  {r['name']}"
        )


@spaces.command("drop")
def spaces_drop(
    name: Annotated[str, typer.Argument(help="The space's name, as `tracelens spaces` shows it")],
    force: Annotated[bool, typer.Option(help="Drop even an active or building space")] = False,
) -> None:
    """Remove a retired (or ready) space and its vectors."""
    # start-up speed: the database driver loads only for commands that use it
    from cli.wiring import load_settings
    from core.db import database_connection
    from embeddings.spaces import drop_space

    settings = load_settings()
    with database_connection(settings) as conn:
        drop_space(conn, name=name, force=force)
    print(f"dropped {name}")


@models.command("register")
def models_register(
    backend: Annotated[
        str, typer.Option(help="st-fp32, torch-bf16, openvino-int8, onnx-int8 (or fake)")
    ],
    text: Annotated[str | None, typer.Option(help="comment, prompt or context")] = None,
    alias: Annotated[str | None, typer.Option(help="e.g. challenger")] = None,
) -> None:
    """Register a version of trace-embedder for a backend (its model card and tags)."""
    # start-up speed: MLflow and the embedders load only for this command
    from cli.wiring import load_settings
    from embeddings.active import configured_model
    from mlops.registry import register

    settings = load_settings()
    local = settings.model_copy(update={"embedding_backend": backend, "embedding_model": None})
    embedder = configured_model(local).embedder
    model = register(
        settings, embedder=embedder, text_mode=text or settings.embedding_text, alias=alias
    )
    print(
        f"{model.uri}: {model.backend} {model.base_model}@{model.weights_version}, "
        f"{model.text_mode} text, aliases {', '.join(model.aliases) or '-'}"
    )


@models.command("show")
def models_show(ref: Annotated[str, typer.Argument()] = "champion") -> None:
    """Show what a version or alias names."""
    # start-up speed: MLflow loads only for this command
    from cli.wiring import load_settings
    from mlops.registry import resolve

    model = resolve(load_settings(), ref)
    print(json.dumps({"uri": model.uri, "aliases": model.aliases, **model.tags}, indent=2))
