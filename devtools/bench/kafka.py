"""The pipeline benchmark over the Kafka transport: HTTP upload -> outbox -> relay -> Kafka
-> consumer group -> `processed`, with the same parse-only baseline and result shape as
`devtools.bench.pipeline` (so `format_pipeline_benchmark` prints it).

Everything is real and local: the embedded PostgreSQL, Tansu, the API, the relay and the
workers as separate processes; uploads over loopback HTTP.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import httpx

from core.db import connect, start_embedded
from core.db.migrate import migrate
from core.scaleout import free_port, start_tansu
from ingestion.parse import parse_path


def _wait(what: str, done: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.2)


def run_kafka_pipeline_benchmark(
    *, reports: int, workers: int, seed: int = 23, partitions: int | None = None
) -> dict[str, Any]:
    """Reports/s end to end through Kafka with `workers` consumers on `partitions` partitions."""
    from devtools.corpus.writer import write_corpus

    partitions = partitions or max(4, workers)
    root = Path(tempfile.mkdtemp(prefix="tl-bench-kafka-", dir="/tmp"))
    logs = root / "logs"
    logs.mkdir()
    db = start_embedded(root / "pgdata")
    procs: list[subprocess.Popen[bytes]] = []
    files_open: list[IO[bytes]] = []
    try:
        with connect(db.url) as conn:
            migrate(conn)
        files = write_corpus(root / "corpus", reports=reports, seed=seed)

        started = time.perf_counter()
        for path in files:
            parse_path(path)
        parse_only = len(files) / (time.perf_counter() - started)

        kafka_port, api_port = free_port(), free_port()
        procs.append(start_tansu(kafka_port))
        env = {
            **os.environ,
            "TRACELENS_DATABASE_URL": db.url,
            "TRACELENS_STATE_DIR": str(root / "state"),
            "TRACELENS_API_PORT": str(api_port),
            "TRACELENS_QUEUE_BACKEND": "kafka",
            "TRACELENS_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka_port}",
            "TRACELENS_KAFKA_PARTITIONS": str(partitions),
        }

        def spawn(name: str, command: str) -> Path:
            log = logs / f"{name}.log"
            out = log.open("ab")
            files_open.append(out)
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "core.cli", command], env=env, stdout=out, stderr=out
                )
            )
            return log

        spawn("api", "serve")
        spawn("relay", "relay")
        worker_logs = [spawn(f"worker-{n}", "worker") for n in range(workers)]
        base = f"http://127.0.0.1:{api_port}"
        with httpx.Client(base_url=base, timeout=60) as client:

            def ready() -> bool:
                try:
                    return client.get("/readyz").status_code == 200
                except httpx.HTTPError:
                    return False

            _wait("the API", ready, 60)
            # Every worker in the group before the first upload: no rebalance mid-run.
            _wait(
                f"{workers} worker(s) to get partitions",
                lambda: all(
                    re.search(r"partitions assigned: \S", log.read_text()) for log in worker_logs
                ),
                90,
            )

            started = time.perf_counter()
            for path in files:
                response = client.post(
                    "/v1/reports", files={"file": (path.name, path.read_bytes())}
                )
                response.raise_for_status()
            uploaded = time.perf_counter() - started
            with connect(db.url) as conn:
                outbox = conn.execute("SELECT count(*) AS n FROM outbox").fetchone()
                if outbox is None or outbox["n"] < len(files):
                    raise RuntimeError(
                        "the API did not write the outbox: make_queue must return KafkaQueue "
                        "for queue_backend 'kafka'"
                    )
                while True:
                    row = conn.execute(
                        "SELECT count(*) FILTER (WHERE status IN ('processed', 'failed')) AS done,"
                        " count(*) FILTER (WHERE status = 'failed') AS failed FROM reports"
                    ).fetchone()
                    assert row is not None
                    if row["done"] >= len(files):
                        break
                    if any(p.poll() is not None for p in procs):
                        raise RuntimeError(f"a service exited; see the logs in {logs}")
                    time.sleep(0.05)
            elapsed = time.perf_counter() - started
        return {
            "reports": len(files),
            "workers": workers,
            "queue": "kafka",
            "partitions": partitions,
            "failed": int(row["failed"]),
            "upload_seconds": uploaded,
            "end_to_end_seconds": elapsed,
            "end_to_end_per_s": len(files) / elapsed,
            "parse_only_per_s": parse_only,
        }
    finally:
        # Clients before the broker, so the workers leave the group cleanly.
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for fh in files_open:
            fh.close()
        db.stop()
        shutil.rmtree(root, ignore_errors=True)
