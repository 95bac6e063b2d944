"""`tracelens bench reembed`: re-embed throughput with 1..N shard processes, projected to 1M.

A synthetic catalogue and corpus (the search benchmark's generator, composed like real
comments) is loaded into a scratch embedded PostgreSQL with COPY; each configuration plans a
re-embed job with N shards and runs them as N processes through `run_shard`, the code the
command runs, threads split evenly between the processes. The rate is the comments embedded
and stored over the slowest shard's time (model loading excluded, shown apart).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from queue import Empty
from typing import Any

from core.db import connect, scratch_database
from core.errors import TraceLensError
from core.settings import Settings
from devtools.bench.search_corpus import generate_corpus, load_catalogue
from embeddings.base import embed_texts
from embeddings.indexing import embedding_text
from embeddings.models import load_embedder
from embeddings.spaces import drop_space, ensure_space, get_space_by_id
from mlops.reembed import Job, Shard, plan, run_shard
from mlops.registry import RegisteredModel

PROJECT_TO = 1_000_000


def _shard_process(
    url: str, settings: Settings, space_id: int, count: int, index: int, out: Any
) -> None:
    started = time.perf_counter()
    embedder = load_embedder(
        settings.embedding_backend,
        threads=settings.embedding_threads,
        cache_dir=settings.model_cache,
    )
    load_s = time.perf_counter() - started
    with connect(url) as conn:
        space = get_space_by_id(conn, space_id=space_id)
        job = Job(
            space, _bench_model(embedder, space.text_mode, RegisteredModel), count, "running", None
        )
        result = run_shard(
            conn, settings, job=job, shard=Shard(index, count), embedder=embedder, progress=False
        )
    out.put((index, result.embedded, result.seconds, load_s))


def _bench_model(embedder: Any, text_mode: str, cls: Any) -> Any:
    return cls(
        name="bench",
        version="0",
        base_model=embedder.model,
        weights_version=embedder.version,
        backend=embedder.backend,
        dimension=embedder.dimension,
        text_mode=text_mode,
        aliases=(),
        tags={},
    )


def run_reembed_benchmark(
    settings: Settings,
    *,
    comments: int,
    shard_counts: list[int],
    backend: str,
    seed: int = 5,
    on_run: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    cores = len(os.sched_getaffinity(0))
    probe = load_embedder(backend, threads=1, cache_dir=settings.model_cache)
    results: dict[str, Any] = {"comments": comments, "backend": backend, "cores": cores, "runs": []}
    with scratch_database("tl-bench-reembed-") as (_, db):
        with connect(db.url, autocommit=True) as conn, conn.transaction():
            load_catalogue(conn, generate_corpus(comments, seed))
        results["embedder_comments_per_s"] = _embedder_rate(
            db.url, backend=backend, threads=cores, settings=settings
        )
        ctx = multiprocessing.get_context("spawn")
        for count in shard_counts:
            threads = max(1, cores // count)
            child = settings.model_copy(
                update={"embedding_backend": backend, "embedding_threads": threads}
            )
            with connect(db.url) as conn:
                space = ensure_space(
                    conn,
                    embedder=probe,
                    text_mode=settings.embedding_text,
                    status="building",
                    index=False,
                )
                conn.commit()
                model = _bench_model(probe, settings.embedding_text, RegisteredModel)
                plan(conn, model=model, space=space, shard_count=count)
            queue = ctx.Queue()
            started = time.perf_counter()
            procs = [
                ctx.Process(
                    target=_shard_process,
                    args=(db.url, child, space.id, count, i, queue),
                )
                for i in range(count)
            ]
            for p in procs:
                p.start()
            shards = _results(queue, procs)
            wall = time.perf_counter() - started
            embedded = sum(s[1] for s in shards)
            slowest = max(s[2] for s in shards)
            with connect(db.url) as conn:
                stored = conn.execute(
                    f"SELECT count(*) AS n FROM comment_vectors_{space.id}"
                ).fetchone()
                drop_space(conn, name=space.name, force=True)
            rate = embedded / slowest if slowest else 0.0
            results["runs"].append(
                {
                    "processes": count,
                    "threads": threads,
                    "embedded": embedded,
                    "stored": stored["n"] if stored else 0,
                    "seconds": slowest,
                    "wall_s": wall,
                    "load_s": max(s[3] for s in shards),
                    "comments_per_s": rate,
                    "projected_s": PROJECT_TO / rate if rate else float("inf"),
                }
            )
            if on_run is not None:
                on_run(results["runs"][-1])
    return results


def _results(queue: Any, procs: list[Any]) -> list[tuple[int, int, float, float]]:
    """Each shard process's result; a process that died without one fails the run with its
    exit code (its traceback is on stderr) instead of leaving the benchmark waiting."""
    out: list[tuple[int, int, float, float]] = []
    while len(out) < len(procs):
        try:
            out.append(queue.get(timeout=1.0))
        except Empty:
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            if dead:
                for p in procs:
                    p.kill()
                codes = ", ".join(f"{p.name} exited {p.exitcode}" for p in dead)
                raise TraceLensError(
                    f"a re-embed shard process failed ({codes}); see its stderr"
                ) from None
    for p in procs:
        p.join()
    return out


EMBEDDER_SAMPLE = 3000


def _embedder_rate(url: str, *, backend: str, threads: int, settings: Settings) -> float:
    """Comments/s of the model alone on the first stored comments' texts, every core its own
    (the bound the shards are held to), after a warm-up."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT id, text FROM comments ORDER BY id LIMIT %s", (EMBEDDER_SAMPLE,)
        ).fetchall()
    texts = [embedding_text(r, "comment") for r in rows]
    embedder = load_embedder(backend, threads=threads, cache_dir=settings.model_cache)
    embed_texts(embedder, texts[:64], batch_size=settings.embedding_batch_size)
    started = time.perf_counter()
    embed_texts(embedder, texts, batch_size=settings.embedding_batch_size)
    return len(texts) / (time.perf_counter() - started)


def _duration(seconds: float) -> str:
    if seconds == float("inf"):
        return "n/a"
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}h {rest // 60:02d}m" if hours else f"{rest // 60}m {rest % 60:02d}s"


def format_reembed_benchmark(result: dict[str, Any]) -> str:
    lines = [
        f"re-embed benchmark: {result['comments']} synthetic comments, backend "
        f"{result['backend']}, {result['cores']} CPU cores",
        f"  {'processes':>9} {'threads':>7} {'comments/s':>10} {'embed s':>8} {'wall s':>7}"
        f" {'load s':>6}  projected for {PROJECT_TO:,} comments",
    ]
    lines += [format_run(r, result["comments"]) for r in result["runs"]]
    model = result.get("embedder_comments_per_s")
    one = [r for r in result["runs"] if r["processes"] == 1]
    if model:
        lines.append(f"  the embedder alone: {model:.1f} comments/s ({result['cores']} threads)")
    if model and one:
        ratio = one[0]["comments_per_s"] / model
        verdict = "met" if ratio >= 0.8 else "NOT met"
        lines.append(f"  one shard / the embedder alone: {ratio:.2f} (target >= 0.80: {verdict})")
    return "\n".join(lines)


def format_run(r: dict[str, Any], comments: int) -> str:
    return (
        f"  {r['processes']:>9} {r['threads']:>7} {r['comments_per_s']:>10.1f}"
        f" {r['seconds']:>8.1f} {r['wall_s']:>7.1f} {r['load_s']:>6.1f}"
        f"  {_duration(r['projected_s'])}"
        + ("" if r["stored"] == comments else f"  (stored {r['stored']}!)")
    )
