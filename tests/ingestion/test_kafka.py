"""The Kafka transport end to end: outbox, relay, consumer-group workers, DLQ, against Tansu."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import SecretStr

from cli.wiring import model_in_service
from core.blobs import LocalBlobStore, make_blob_store
from core.db import connect
from core.errors import ConfigError
from core.settings import Settings
from devtools.processes import Child, free_port
from devtools.processes import settings_env as child_settings_env
from devtools.stack.scaleout import gcs_emulator
from devtools.stack.scaleout import tansu as broker
from devtools.stack.supervisor import cli_command
from ingestion.intake import accept_file
from ingestion.queue.kafka import KafkaQueue, decode_job, job_payload, kafka_options
from ingestion.workers.kafka import KafkaWorker
from ingestion.workers.relay import Relay
from tests.conftest import truth_of


@pytest.fixture(scope="module")
def tansu() -> Iterator[str]:
    with broker(port := free_port()):
        yield f"127.0.0.1:{port}"


@pytest.fixture(scope="module")
def corpus200(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """200 generated reports (all three layouts), each describing a section of its own.

    Two reports of one section would share its rows (the later one owns them), and which is
    later depends on the workers' timing; distinct sections keep the ground truth exact.
    """
    from devtools.corpus.writer import write_corpus

    files, seen = [], set()
    for path in write_corpus(tmp_path_factory.mktemp("corpus200"), reports=215, seed=41):
        truth = truth_of(path)
        key = (truth["course"]["code"], truth["course"]["section"], truth["term"]["label"])
        if key not in seen:
            seen.add(key)
            files.append(path)
    assert len(files) >= 200
    return files[:200]


def _kafka(settings: Settings, bootstrap: str, **update: Any) -> Settings:
    """Kafka settings with topics and group of this test's own (the broker is shared)."""
    tag = uuid.uuid4().hex[:8]
    return settings.model_copy(
        update={
            "queue_backend": "kafka",
            "kafka_bootstrap_servers": bootstrap,
            "kafka_topic": f"tl.{tag}.reports.v1",
            "kafka_dlq_topic": f"tl.{tag}.reports.dlq.v1",
            "kafka_group_id": f"tl-{tag}",
            "kafka_partitions": 4,
            **update,
        }
    )


def _accept(settings: Settings, files: list[Path]) -> list[int]:
    assert settings.database_dsn
    blobs, queue = make_blob_store(settings), KafkaQueue(settings)
    with connect(settings.database_dsn, autocommit=True) as conn:
        return [
            int(
                accept_file(
                    conn, blobs=blobs, queue=queue, data=p.read_bytes(), filename=p.name
                ).report["id"]
            )
            for p in files
        ]


def _query(settings: Settings, sql: str) -> list[dict[str, Any]]:
    assert settings.database_dsn
    with connect(settings.database_dsn) as conn:
        return conn.execute(sql.encode()).fetchall()


def _wait_for(what: str, done: Callable[[], bool], timeout_s: float, procs: list[Any]) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        for proc in procs:
            assert proc.running(), f"{proc.name} exited with status {proc.returncode}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _all_processed(settings: Settings, n: int) -> Callable[[], bool]:
    def check() -> bool:
        [row] = _query(settings, "SELECT count(*) AS n FROM reports WHERE status = 'processed'")
        return int(row["n"]) >= n

    return check


@contextmanager
def _children(settings: Settings, logs: Path, *commands: str) -> Iterator[list[Child]]:
    """`tracelens <command>` child processes with these settings; stopped at the end."""
    env = child_settings_env(settings)
    procs = [
        Child(command, cli_command(command), env=env, log=logs / f"{command}-{n}.log", timeout_s=30)
        for n, command in enumerate(commands)
    ]
    try:
        for proc in procs:
            proc.start()
        yield procs
    finally:
        for proc in procs:
            proc.stop()


def _processed_by(log: Path) -> list[int]:
    return [int(m) for m in re.findall(r"report (\d+) processed", log.read_text())]


def _assigned(log: Path) -> bool:
    return bool(re.search(r"partitions assigned: \S", log.read_text()))


def _assert_matches_truth(settings: Settings, files: list[Path]) -> None:
    [counts] = _query(
        settings,
        "SELECT (SELECT count(*) FROM sections) AS sections,"
        " (SELECT count(*) FROM comments) AS comments,"
        " (SELECT count(*) FROM outbox WHERE sent_at IS NULL) AS unsent",
    )
    assert counts == {
        "sections": len(files),
        "comments": sum(len(truth_of(f)["comments"]) for f in files),
        "unsent": 0,
    }


def test_two_workers_in_one_group_process_each_report_once(
    settings: Settings, tansu: str, corpus200: list[Path], tmp_path: Path
) -> None:
    settings = _kafka(settings, tansu)
    logs = tmp_path / "logs"
    with _children(settings, logs, "relay", "worker", "worker") as procs:
        worker_logs = [logs / "worker-1.log", logs / "worker-2.log"]
        # Both members in the group before the first upload: no rebalance mid-run.
        _wait_for(
            "both workers to get partitions", lambda: all(map(_assigned, worker_logs)), 60, procs
        )
        ids = _accept(settings, corpus200)
        _wait_for("200 reports processed", _all_processed(settings, len(ids)), 120, procs)
    rows = _query(settings, "SELECT id, status, attempts FROM reports ORDER BY id")
    assert [(r["status"], r["attempts"]) for r in rows] == [("processed", 1)] * len(ids)
    _assert_matches_truth(settings, corpus200)
    first, second = (_processed_by(log) for log in worker_logs)
    assert first and second, "both workers should have taken part"
    assert not set(first) & set(second) and sorted(first + second) == sorted(ids)


def test_kill_9_mid_message_is_redelivered_and_processed_once(
    settings: Settings, tansu: str, corpus: Path, tmp_path: Path
) -> None:
    settings = _kafka(settings, tansu)
    files = sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx"))
    _accept(settings, files)
    logs = tmp_path / "logs"
    with _children(settings, logs, "relay", "worker") as procs:
        relay, doomed = procs

        def processing() -> bool:
            return bool(_query(settings, "SELECT 1 FROM reports WHERE status = 'processing'"))

        _wait_for("a report in hand", processing, 60, procs)
        doomed.kill()  # SIGKILL
        [held] = _query(settings, "SELECT id FROM reports WHERE status = 'processing'")
        # Its DB transaction died with it, its offset was never committed: a new member of the
        # group (after the dead one's session times out) gets the message again.
        port = free_port()
        watched = settings.model_copy(update={"metrics_port": port})
        with _children(watched, logs / "second", "worker") as more:
            _wait_for(
                "every report processed", _all_processed(settings, len(files)), 90, [relay, *more]
            )
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert 'tracelens_jobs_total{verdict="processed"}' in metrics
        lag = [line for line in metrics.splitlines() if line.startswith("tracelens_consumer_lag")]
        assert lag and all(float(line.rsplit(" ", 1)[1]) == 0.0 for line in lag)
    rows = {r["id"]: r for r in _query(settings, "SELECT id, status, attempts FROM reports")}
    assert {r["status"] for r in rows.values()} == {"processed"}
    assert rows[held["id"]]["attempts"] == 2
    _assert_matches_truth(settings, files)


def test_uploads_are_accepted_while_the_broker_is_down(
    settings: Settings, corpus: Path, tmp_path: Path
) -> None:
    port = free_port()
    settings = _kafka(settings, f"127.0.0.1:{port}")
    files = sorted(corpus.glob("*.pdf"))[:4]
    logs = tmp_path / "logs"
    with _children(settings, logs, "relay", "worker") as procs:

        def both_retrying() -> bool:
            return (
                "retrying in" in (logs / "relay-0.log").read_text()
                and "reconnecting in" in (logs / "worker-1.log").read_text()
            )

        _wait_for("the relay and the worker to find no broker", both_retrying, 60, procs)
        ids = _accept(settings, files)  # no broker: the uploads only touch PostgreSQL
        time.sleep(1.0)
        rows = _query(settings, "SELECT key, sent_at FROM outbox ORDER BY id")
        assert [(r["key"], r["sent_at"]) for r in rows] == [(str(i), None) for i in ids]
        assert {r["status"] for r in _query(settings, "SELECT status FROM reports")} == {"queued"}
        with broker(port):
            try:
                _wait_for("the backlog processed", _all_processed(settings, len(ids)), 90, procs)
            finally:
                for proc in procs:
                    proc.stop()
    _assert_matches_truth(settings, files)


def _partitions(settings: Settings, topic: str) -> int:
    async def describe() -> int:
        admin = AIOKafkaAdminClient(**kafka_options(settings))
        await admin.start()
        try:
            [described] = await admin.describe_topics([topic])
            return len(described["partitions"])
        finally:
            await admin.close()

    return asyncio.run(describe())


def test_a_broker_restarted_empty_mid_ingest_loses_and_repeats_nothing(
    settings: Settings, corpus200: list[Path], tmp_path: Path
) -> None:
    """Tansu keeps topics and offsets in memory: killed and restarted, it comes back empty. The
    relay recreates the topics and republishes the unfinished reports; the worker rejoins."""
    port = free_port()
    settings = _kafka(settings, f"127.0.0.1:{port}", kafka_partitions=3)
    files = corpus200[:30]
    ids = _accept(settings, files)
    logs = tmp_path / "logs"
    kafka = broker(port, log=logs / "tansu.log").start()
    try:
        with _children(settings, logs, "relay", "worker") as procs:
            _wait_for("some reports processed", _all_processed(settings, 8), 60, procs)
            kafka.kill()  # SIGKILL: every topic, message and committed offset is gone
            [row] = _query(settings, "SELECT count(*) AS n FROM reports WHERE status = 'processed'")
            assert row["n"] < len(ids), "the broker went down after the work was done"
            kafka.start()  # same port, empty
            _wait_for("every report processed", _all_processed(settings, len(ids)), 60, procs)
            assert _partitions(settings, settings.kafka_topic) == 3
    finally:
        kafka.stop()
    rows = _query(settings, "SELECT id, status, attempts FROM reports ORDER BY id")
    assert [(r["id"], r["status"], r["attempts"]) for r in rows] == [
        (i, "processed", 1) for i in sorted(ids)
    ]
    assert sorted(_processed_by(logs / "worker-1.log")) == sorted(ids)  # each exactly once
    [again] = _query(settings, "SELECT count(*) AS n FROM outbox WHERE attempts > 1")
    assert again["n"] > 0, "no report was published a second time: the restart changed nothing"
    _assert_matches_truth(settings, files)


class _BrokenBlobs(LocalBlobStore):
    """Every read fails like a storage outage: the report can never be processed."""

    def get(self, key: str) -> bytes:
        raise OSError(f"storage unavailable for {key[:12]}")


@contextmanager
def _in_thread(*running: Any) -> Iterator[None]:
    """Run `Relay`/`KafkaWorker` objects on an event loop in a thread; stop them at the end."""
    loop = asyncio.new_event_loop()

    async def main() -> None:
        await asyncio.gather(*(r.run() for r in running))

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        yield
    finally:
        for r in running:
            loop.call_soon_threadsafe(r.stop.set)
        thread.join(timeout=30)
        loop.close()


def _read_topic(settings: Settings, topic: str, count: int) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        consumer = AIOKafkaConsumer(
            topic, **kafka_options(settings), group_id=None, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            got: list[dict[str, Any]] = []
            async with asyncio.timeout(30):
                while len(got) < count:
                    batch = await consumer.getmany(timeout_ms=500)
                    got += [json.loads(m.value) for ms in batch.values() for m in ms]
            return got
        finally:
            await consumer.stop()

    return asyncio.run(read())


def _produce(settings: Settings, value: bytes) -> None:
    async def send() -> None:
        producer = AIOKafkaProducer(**kafka_options(settings), acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(settings.kafka_topic, key=b"junk", value=value)
        finally:
            await producer.stop()

    asyncio.run(send())


def test_a_poison_report_is_retried_then_dead_lettered(
    settings: Settings, tansu: str, corpus: Path
) -> None:
    settings = _kafka(settings, tansu, worker_max_attempts=2, worker_backoff_s=0.05)
    [report_id] = _accept(settings, sorted(corpus.glob("*.pdf"))[:1])
    assert settings.database_dsn
    relay = Relay(settings, settings.database_dsn)
    worker = KafkaWorker(
        settings,
        settings.database_dsn,
        _BrokenBlobs(settings.blob_path),
        model_in_service(settings),
    )
    with _in_thread(relay, worker):
        _wait_for(
            "the report to fail",
            lambda: _query(settings, "SELECT status FROM reports")[0]["status"] == "failed",
            60,
            [],
        )
        _produce(settings, b"\x00 not a job")
        letters = _read_topic(settings, settings.kafka_dlq_topic, 2)
    [row] = _query(settings, "SELECT status, attempts, error FROM reports")
    assert row["status"] == "failed" and row["attempts"] == 2
    assert "storage unavailable" in row["error"] and "after 2 attempts" in row["error"]
    poison, junk = letters
    assert poison["report_id"] == report_id and poison["attempts"] == 2
    assert poison["error"] == row["error"] and poison["topic"] == settings.kafka_topic
    assert junk["report_id"] is None and "not JSON" in junk["error"] and junk["key"] == "junk"
    assert worker.dead_lettered == 2


def test_gcs_blobs_through_the_kafka_path(settings: Settings, tansu: str, corpus: Path) -> None:
    """The scale-out pairing: blobs in the GCS emulator, jobs through the outbox and Kafka."""
    emulator = gcs_emulator(port := free_port(), bucket="tl-kafka").start()
    try:
        settings = _kafka(
            settings,
            tansu,
            blob_backend="gcs",
            gcs_bucket="tl-kafka",
            gcs_endpoint=f"http://127.0.0.1:{port}",
        )
        files = sorted(corpus.glob("*.xlsx"))[:2]
        _accept(settings, files)
        assert settings.database_dsn
        relay = Relay(settings, settings.database_dsn)
        worker = KafkaWorker(
            settings, settings.database_dsn, make_blob_store(settings), model_in_service(settings)
        )
        with _in_thread(relay, worker):
            _wait_for("processed", _all_processed(settings, len(files)), 60, [])
        _assert_matches_truth(settings, files)
    finally:
        emulator.stop()


def test_job_messages_round_trip_and_reject_junk() -> None:
    assert decode_job(json.dumps(job_payload(42)).encode()) == 42
    for junk in (None, b"", b"{}", b'{"v": 1, "report_id": "7"}', b'{"v": 2, "report_id": 7}'):
        with pytest.raises(ValueError):
            decode_job(junk)


def test_kafka_options_sasl_ssl(tmp_path: Path) -> None:
    base = Settings(_env_file=None, kafka_bootstrap_servers="a:9093, b:9093")
    assert kafka_options(base)["bootstrap_servers"] == ["a:9093", "b:9093"]
    sasl = base.model_copy(
        update={
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": "scram-sha-512",
            "kafka_sasl_username": "tracelens",
            "kafka_sasl_password": SecretStr("secret"),
        }
    )
    options = kafka_options(sasl)
    assert options["sasl_mechanism"] == "SCRAM-SHA-512" and options["ssl_context"] is not None
    with pytest.raises(ConfigError, match="kafka_sasl_username"):
        kafka_options(sasl.model_copy(update={"kafka_sasl_username": None}))
    with pytest.raises(ConfigError, match="does not exist"):
        kafka_options(sasl.model_copy(update={"kafka_ssl_cafile": tmp_path / "missing.pem"}))
