"""The MLOps commands: `reembed`, `spaces`, `models`, `bench reembed`; added to core.cli."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from core.settings import Settings


spaces = typer.Typer(help="Embedding spaces: list them (sizes, status); drop a retired one.")
models = typer.Typer(no_args_is_help=True, help="The MLflow model registry (trace-embedder).")


def _settings() -> Settings:
    from core.cli import _settings as settings

    return settings()


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
    from core.db import database
    from mlops.reembed import format_outcome, parse_shard
    from mlops.reembed import reembed as run

    settings = _settings()
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


def notify_reload(settings: Settings) -> str:
    """Ask the running API to switch to the new champion (it also does so at its next start)."""
    import httpx

    url = f"{settings.api_url}/v1/admin/reload-model"
    try:
        response = httpx.post(url, timeout=60)
    except httpx.HTTPError as exc:
        return f"the API at {settings.api_url} was not reached ({type(exc).__name__}); it takes "
        "the champion at its next start, or POST /v1/admin/reload-model"
    if response.status_code != 200:
        return f"the API answered {response.status_code} to {url}: {response.text[:200]}"
    return f"the API at {settings.api_url} now serves {response.json().get('space')}"


@spaces.callback(invoke_without_command=True)
def spaces_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List embedding spaces with their status, vectors and size."""
    if ctx.invoked_subcommand is not None:
        return
    from core.db import connect, database
    from embeddings.spaces import list_spaces

    settings = _settings()
    with database(settings) as db, connect(db.url) as conn:
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
    from core.db import connect, database
    from embeddings.spaces import drop_space

    settings = _settings()
    with database(settings) as db, connect(db.url) as conn:
        drop_space(conn, name=name, force=force)
    print(f"dropped {name}")


@models.command("register")
def models_register(
    backend: Annotated[str, typer.Option(help="st-fp32, torch-bf16, onnx-int8 (or fake)")],
    text: Annotated[str | None, typer.Option(help="comment, prompt or context")] = None,
    alias: Annotated[str | None, typer.Option(help="e.g. challenger")] = None,
) -> None:
    """Register a version of trace-embedder for a backend (its model card and tags)."""
    from embeddings.active import load_embedder
    from mlops.registry import register

    settings = _settings()
    local = settings.model_copy(update={"embedding_backend": backend, "embedding_model": None})
    embedder = load_embedder(local)
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
    from mlops.registry import resolve

    model = resolve(_settings(), ref)
    print(json.dumps({"uri": model.uri, "aliases": model.aliases, **model.tags}, indent=2))


def bench_reembed(
    comments: Annotated[int, typer.Option(min=1000)] = 100_000,
    shards: Annotated[str, typer.Option(help="Process counts to measure, e.g. 1,2")] = "1,2",
    backend: Annotated[str | None, typer.Option(help="Default: the configured backend")] = None,
    seed: Annotated[int, typer.Option()] = 5,
) -> None:
    """Re-embed comments/s with 1..N shard processes and the projected time for 1M comments."""
    from devtools.bench.reembed import format_reembed_benchmark, format_run, run_reembed_benchmark
    from embeddings.models import resolve_backend

    settings = _settings()
    result = run_reembed_benchmark(
        settings,
        comments=comments,
        shard_counts=[int(s) for s in shards.split(",")],
        backend=resolve_backend(backend or settings.embedding_backend),
        seed=seed,
        on_run=lambda r: print(f"measured:{format_run(r, comments)}", flush=True),
    )
    print(format_reembed_benchmark(result))


def register_commands(app: typer.Typer, bench: typer.Typer) -> None:
    """Add the MLOps commands to the `tracelens` app."""
    app.command("reembed")(reembed)
    app.add_typer(spaces, name="spaces")
    app.add_typer(models, name="models")
    bench.command("reembed")(bench_reembed)
