"""End-to-end benchmark: reports/s from HTTP upload to `processed`, with its parse-only baseline.

Everything runs for real in a scratch state directory: the embedded PostgreSQL, the API and
the workers as separate processes, uploads over loopback HTTP.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from core.db import connect, start_embedded
from core.db.migrate import migrate
from ingestion.parse import parse_path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_pipeline_benchmark(*, reports: int, workers: int, seed: int = 23) -> dict[str, Any]:
    from devtools.corpus.writer import write_corpus

    root = Path(tempfile.mkdtemp(prefix="tl-bench-", dir="/tmp"))
    db = start_embedded(root / "pgdata")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with connect(db.url) as conn:
            migrate(conn)
        files = write_corpus(root / "corpus", reports=reports, seed=seed)

        started = time.perf_counter()
        for path in files:
            parse_path(path)
        parse_only = len(files) / (time.perf_counter() - started)

        port = _free_port()
        env = {
            **os.environ,
            "TRACELENS_DATABASE_URL": db.url,
            "TRACELENS_STATE_DIR": str(root / "state"),
            "TRACELENS_API_PORT": str(port),
        }
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        cli = [sys.executable, "-m", "core.cli"]
        procs.append(subprocess.Popen([*cli, "serve"], env=env, **quiet))  # type: ignore[call-overload]
        procs += [
            subprocess.Popen([*cli, "worker"], env=env, **quiet)  # type: ignore[call-overload]
            for _ in range(workers)
        ]
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the API did not become ready")
                time.sleep(0.2)
            time.sleep(2.0)  # let the workers finish starting too

            started = time.perf_counter()
            for path in files:
                response = client.post(
                    "/v1/reports", files={"file": (path.name, path.read_bytes())}
                )
                response.raise_for_status()
            uploaded = time.perf_counter() - started
            with connect(db.url) as conn:
                while True:
                    row = conn.execute(
                        "SELECT count(*) FILTER (WHERE status IN ('processed', 'failed')) AS done,"
                        " count(*) FILTER (WHERE status = 'failed') AS failed FROM reports"
                    ).fetchone()
                    assert row is not None
                    if row["done"] >= len(files):
                        break
                    time.sleep(0.05)
            elapsed = time.perf_counter() - started
        return {
            "reports": len(files),
            "workers": workers,
            "failed": int(row["failed"]),
            "upload_seconds": uploaded,
            "end_to_end_seconds": elapsed,
            "end_to_end_per_s": len(files) / elapsed,
            "parse_only_per_s": parse_only,
        }
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
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
