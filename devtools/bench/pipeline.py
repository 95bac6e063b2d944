"""End-to-end benchmark: reports/s from HTTP upload to `processed`, with its parse-only baseline.

Everything runs for real in a scratch state directory: the embedded PostgreSQL, the API and
the workers as separate processes (devtools.processes), uploads over loopback HTTP.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from core.db import Conn, connect, start_embedded
from core.db.migrate import migrate
from devtools.corpus.writer import write_corpus
from devtools.processes import Child, free_port
from devtools.stack.supervisor import cli_command
from ingestion.parse import parse_path


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


def run_pipeline_benchmark(*, reports: int, workers: int, seed: int = 23) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="tl-bench-", dir="/tmp"))
    db = start_embedded(root / "pgdata")
    children: list[Child] = []
    try:
        with connect(db.url) as conn:
            migrate(conn)
        files, parse_only = scratch_corpus(root, reports=reports, seed=seed)
        port = free_port()
        env = {
            "TRACELENS_DATABASE_URL": db.url,
            "TRACELENS_STATE_DIR": str(root / "state"),
            "TRACELENS_API_PORT": str(port),
        }
        base = f"http://127.0.0.1:{port}"
        quiet = subprocess.DEVNULL
        children.append(
            Child("the API", cli_command("serve"), url=f"{base}/readyz", env=env, log=quiet)
        )
        children += [
            Child(f"worker {n}", cli_command("worker"), env=env, log=quiet) for n in range(workers)
        ]
        for child in children:
            child.start()
        with httpx.Client(base_url=base, timeout=60) as client:
            time.sleep(2.0)  # let the workers finish starting too
            started = time.perf_counter()
            uploaded = upload_all(client, files)
            with connect(db.url) as conn:
                failed = wait_processed(
                    conn, len(files), alive=lambda: all(c.running() for c in children)
                )
            elapsed = time.perf_counter() - started
        return {
            "reports": len(files),
            "workers": workers,
            "failed": failed,
            "upload_seconds": uploaded,
            "end_to_end_seconds": elapsed,
            "end_to_end_per_s": len(files) / elapsed,
            "parse_only_per_s": parse_only,
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
            f"  upload -> processed : {result['end_to_end_per_s']:8.1f} reports/s "
            f"({result['end_to_end_seconds']:.2f} s; uploads alone "
            f"{result['upload_seconds']:.2f} s)",
            f"  baseline, parse only: {result['parse_only_per_s']:8.1f} reports/s "
            "(same files, one process)",
            f"  end-to-end / parse-only: {ratio:.2f}",
        ]
    )
