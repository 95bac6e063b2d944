"""End-to-end benchmark: reports/s from intake to `processed`, with its parse-only baseline.

Everything runs for real in a scratch state directory: the embedded PostgreSQL and the workers
as separate processes (devtools.processes); files go in through intake (validation, blob store,
report row and job), as an upload does. (The Kafka variant, devtools.bench.kafka, uploads over
loopback HTTP.) The figure
that matters is comments/s end to end against the embedder's own comments/s on the same stored
comments, measured in the same run once the workers have stopped (the model is the bound).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from core.blobs import make_blob_store
from core.db import Conn, connect, start_embedded
from core.db.migrate import migrate
from core.settings import Settings
from devtools.corpus.writer import write_corpus
from devtools.processes import Child
from devtools.stack.supervisor import cli_command
from embeddings.base import embed_texts
from embeddings.models import make_embedder
from ingestion.intake import accept_file
from ingestion.parse import parse_path
from ingestion.queue import PostgresQueue
from ingestion.queue.postgres import CHANNEL


def scratch_corpus(root: Path, *, reports: int, seed: int) -> tuple[list[Path], float]:
    """A generated corpus under root, and the parse-only baseline over it (reports/s)."""
    files = write_corpus(root / "corpus", reports=reports, seed=seed)
    started = time.perf_counter()
    for path in files:
        parse_path(path)
    return files, len(files) / (time.perf_counter() - started)


def upload_all(client: httpx.Client, files: Sequence[Path]) -> float:
    """POST every file to /v1/reports; the seconds it took."""
    started = time.perf_counter()
    for path in files:
        response = client.post("/v1/reports", files={"file": (path.name, path.read_bytes())})
        response.raise_for_status()
    return time.perf_counter() - started


def enqueue_all(conn: Conn, files: Sequence[Path], *, settings: Settings) -> float:
    """Queue every file through intake (validation, blob, row and job, as an upload does); the
    seconds it took. The API's HTTP leg is left out: it is not what bounds the pipeline."""
    blobs, queue = make_blob_store(settings), PostgresQueue()
    started = time.perf_counter()
    for path in files:
        accept_file(conn, blobs=blobs, queue=queue, data=path.read_bytes(), filename=path.name)
    return time.perf_counter() - started


def wait_listening(conn: Conn, workers: int, *, alive: Callable[[], bool]) -> None:
    """Wait until `workers` workers wait on the queue (started, model loaded, nothing to do)."""
    while True:
        row = conn.execute(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE query = %s",
            (f"LISTEN {CHANNEL}",),
        ).fetchone()
        if row is not None and row["n"] >= workers:
            return
        if not alive():
            raise RuntimeError("a worker exited while starting")
        time.sleep(0.1)


def wait_processed(conn: Conn, count: int, *, alive: Callable[[], bool]) -> int:
    """Wait until `count` reports are processed or failed; how many failed."""
    while True:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE status IN ('processed', 'failed')) AS done,"
            " count(*) FILTER (WHERE status = 'failed') AS failed FROM reports"
        ).fetchone()
        assert row is not None
        if row["done"] >= count:
            return int(row["failed"])
        if not alive():
            raise RuntimeError("a service exited before the reports were processed")
        time.sleep(0.05)


EMBEDDER_SAMPLE = 4000
"""Stored comments the embedder's own rate is measured on (all of them when fewer)."""


EMBEDDER_ROUNDS = 3
"""Rounds of the embedder alone; the median is the baseline (one round swings with the load)."""


def embedder_rates(url: str, *, settings: Settings) -> list[float]:
    """Comments/s of the configured embedder alone over the stored comments (its warm-up apart),
    one figure per round."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT text FROM comments ORDER BY id LIMIT %s", (EMBEDDER_SAMPLE,)
        ).fetchall()
    texts = [str(r["text"]) for r in rows]
    if not texts:
        return []
    embedder = make_embedder(settings)
    embed_texts(embedder, texts[:64], batch_size=settings.embedding_batch_size)  # warm-up
    rates = []
    for _ in range(EMBEDDER_ROUNDS):
        started = time.perf_counter()
        embed_texts(embedder, texts, batch_size=settings.embedding_batch_size)
        rates.append(len(texts) / (time.perf_counter() - started))
    return rates


def stored_comments(conn: Conn) -> int:
    row = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
    return int(row["n"]) if row else 0


def run_pipeline_benchmark(*, reports: int, workers: int, seed: int = 23) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="tl-bench-", dir="/tmp"))
    db = start_embedded(root / "pgdata")
    children: list[Child] = []
    try:
        with connect(db.url) as conn:
            migrate(conn)
        files, parse_only = scratch_corpus(root, reports=reports, seed=seed)
        state = Settings(state_dir=root / "state", database_url=db.url)
        env = {"TRACELENS_DATABASE_URL": db.url, "TRACELENS_STATE_DIR": str(root / "state")}
        children += [
            Child(f"worker {n}", cli_command("worker"), env=env, log=subprocess.DEVNULL)
            for n in range(workers)
        ]
        for child in children:
            child.start()
        alive = lambda: all(c.running() for c in children)  # noqa: E731
        with connect(db.url, autocommit=True) as conn:
            wait_listening(conn, workers, alive=alive)  # each worker has loaded its model
            load = [os.getloadavg()[0]]
            started = time.perf_counter()
            uploaded = enqueue_all(conn, files, settings=state)
            failed = wait_processed(conn, len(files), alive=alive)
            elapsed = time.perf_counter() - started
            load.append(os.getloadavg()[0])
        for child in children:
            child.stop()  # the embedder's own rate is measured with the machine to itself
        with connect(db.url) as conn:
            comments = stored_comments(conn)
        rounds = embedder_rates(db.url, settings=Settings(state_dir=root / "state"))
        load.append(os.getloadavg()[0])
        return {
            "reports": len(files),
            "workers": workers,
            "failed": failed,
            "upload_seconds": uploaded,
            "end_to_end_seconds": elapsed,
            "end_to_end_per_s": len(files) / elapsed,
            "parse_only_per_s": parse_only,
            "comments": comments,
            "comments_per_s": comments / elapsed,
            "embedder_comments_per_s": statistics.median(rounds) if rounds else 0.0,
            "embedder_rounds": rounds,
            "load_average": load,
        }
    finally:
        for child in children:
            child.stop()
        db.stop()
        shutil.rmtree(root, ignore_errors=True)


def format_pipeline_benchmark(result: dict[str, Any]) -> str:
    ratio = result["end_to_end_per_s"] / result["parse_only_per_s"]
    return "\n".join(
        [
            f"pipeline: {result['reports']} reports, {result['workers']} worker(s), "
            f"{result['failed']} failed",
            f"  intake -> processed : {result['end_to_end_per_s']:8.1f} reports/s "
            f"({result['end_to_end_seconds']:.2f} s; intake alone "
            f"{result['upload_seconds']:.2f} s)",
            f"  baseline, parse only: {result['parse_only_per_s']:8.1f} reports/s "
            "(same files, one process)",
            f"  end-to-end / parse-only: {ratio:.2f}",
            *_comment_lines(result),
        ]
    )


def _comment_lines(result: dict[str, Any]) -> list[str]:
    """Comments/s end to end against the embedder alone (when the benchmark measured both)."""
    if not result.get("embedder_comments_per_s"):
        return []
    ratio = result["comments_per_s"] / result["embedder_comments_per_s"]
    rounds = ", ".join(f"{r:.1f}" for r in result.get("embedder_rounds", []))
    return [
        f"  comments: {result['comments']}, end to end {result['comments_per_s']:8.1f}/s; "
        f"the embedder alone {result['embedder_comments_per_s']:8.1f}/s (median of {rounds}; "
        "same comments, this process, workers stopped)",
        f"  end-to-end / embedder: {ratio:.2f} "
        f"(target >= 0.80: {'met' if ratio >= 0.8 else 'NOT met'})",
        *_load_line(result.get("load_average", [])),
    ]


def _load_line(load: Sequence[float]) -> list[str]:
    """The 1-minute load average when the pipeline started and ended and after the embedder."""
    if not load:
        return []
    when = ("start", "after pipeline", "after embedder")[: len(load)]
    return [
        "  load average (1 min): "
        + ", ".join(f"{w} {v:.2f}" for w, v in zip(when, load, strict=True))
    ]
