"""The pipeline benchmark over the Kafka transport: HTTP upload -> outbox -> relay -> Kafka
-> consumer group -> `processed`, with the same parse-only baseline and result shape as
`devtools.bench.pipeline` (so `format_pipeline_benchmark` prints it).

Everything is real and local: the embedded PostgreSQL, Tansu, the API, the relay and the
workers as separate processes (devtools.processes); uploads over loopback HTTP.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from core.auth.keys import create_key
from core.db import connect, start_embedded
from core.db.migrate import migrate
from devtools.bench.pipeline import scratch_corpus, upload_all, wait_processed
from devtools.processes import Child, free_port
from devtools.stack.scaleout import tansu
from devtools.stack.supervisor import cli_command


def _wait(what: str, done: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.2)


def run_kafka_pipeline_benchmark(
    *, reports: int, workers: int, seed: int = 23, partitions: int | None = None
) -> dict[str, Any]:
    """Reports/s end to end through Kafka with `workers` consumers on `partitions` partitions."""
    partitions = partitions or max(4, workers)
    root = Path(tempfile.mkdtemp(prefix="tl-bench-kafka-", dir="/tmp"))
    logs = root / "logs"
    db = start_embedded(root / "pgdata")
    children: list[Child] = []
    try:
        with connect(db.url) as conn:
            migrate(conn)
        files, parse_only = scratch_corpus(root, reports=reports, seed=seed)
        kafka_port, api_port = free_port(), free_port()
        children.append(tansu(kafka_port).start())
        env = {
            "TRACELENS_DATABASE_URL": db.url,
            "TRACELENS_STATE_DIR": str(root / "state"),
            "TRACELENS_API_PORT": str(api_port),
            "TRACELENS_QUEUE_BACKEND": "kafka",
            "TRACELENS_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka_port}",
            "TRACELENS_KAFKA_PARTITIONS": str(partitions),
        }
        base = f"http://127.0.0.1:{api_port}"
        readyz = f"{base}/readyz"
        api = Child("the API", cli_command("serve"), url=readyz, env=env, log=logs / "api.log")
        children.append(api.start())
        children.append(
            Child("the relay", cli_command("relay"), env=env, log=logs / "relay.log").start()
        )
        worker_logs = [logs / f"worker-{n}.log" for n in range(workers)]
        children += [
            Child(f"worker {n}", cli_command("worker"), env=env, log=log).start()
            for n, log in enumerate(worker_logs)
        ]
        # Every worker in the group before the first upload: no rebalance mid-run.
        _wait(
            f"{workers} worker(s) to get partitions",
            lambda: all(
                log.exists() and re.search(r"partitions assigned: \S", log.read_text())
                for log in worker_logs
            ),
            90,
        )
        with connect(db.url) as conn:  # the API (migrated on start) wants an uploader's key
            key, _ = create_key(conn, name="bench-kafka", roles=["uploader"])
            conn.commit()
        bearer = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, timeout=60, headers=bearer) as client:
            started = time.perf_counter()
            uploaded = upload_all(client, files)
            with connect(db.url) as conn:
                outbox = conn.execute("SELECT count(*) AS n FROM outbox").fetchone()
                if outbox is None or outbox["n"] < len(files):
                    raise RuntimeError(
                        "the API did not write the outbox: make_queue must return KafkaQueue "
                        "for queue_backend 'kafka'"
                    )
                failed = wait_processed(
                    conn, len(files), alive=lambda: all(c.running() for c in children)
                )
            elapsed = time.perf_counter() - started
        return {
            "reports": len(files),
            "workers": workers,
            "queue": "kafka",
            "partitions": partitions,
            "failed": failed,
            "upload_seconds": uploaded,
            "end_to_end_seconds": elapsed,
            "end_to_end_per_s": len(files) / elapsed,
            "parse_only_per_s": parse_only,
        }
    finally:
        # Clients before the broker, so the workers leave the group cleanly.
        for child in reversed(children):
            child.stop()
        db.stop()
        shutil.rmtree(root, ignore_errors=True)
