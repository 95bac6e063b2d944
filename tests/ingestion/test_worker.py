"""The queue and worker: retries, caps, and surviving kill -9, against real PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli.wiring import model_in_service
from core.blobs import LocalBlobStore, make_blob_store
from core.db import connect
from core.settings import Settings
from ingestion.intake import accept_file
from ingestion.queue import PostgresQueue
from ingestion.workers.table import Worker
from tests.conftest import settings_env, truth_of, work_queue


def _accept_all(settings: Settings, files: list[Path]) -> list[int]:
    assert settings.database_dsn
    blobs = make_blob_store(settings)
    with connect(settings.database_dsn, autocommit=True) as conn:
        return [
            int(
                accept_file(
                    conn, blobs=blobs, queue=PostgresQueue(), data=p.read_bytes(), filename=p.name
                ).report["id"]
            )
            for p in files
        ]


def _reports(settings: Settings) -> list[dict]:  # type: ignore[type-arg]
    assert settings.database_dsn
    with connect(settings.database_dsn) as conn:
        return conn.execute("SELECT * FROM reports ORDER BY id").fetchall()


class FlakyBlobs(LocalBlobStore):
    """A blob store whose reads fail the first `failures` times (a storage hiccup)."""

    def __init__(self, root: Path, failures: int):
        super().__init__(root)
        self.failures = failures

    def get(self, key: str) -> bytes:
        if self.failures > 0:
            self.failures -= 1
            raise OSError("connection reset by storage")
        return super().get(key)


def _worker(settings: Settings, blobs: LocalBlobStore) -> Worker:
    assert settings.database_dsn
    return Worker(
        settings=settings,
        url=settings.database_dsn,
        blobs=blobs,
        queue=PostgresQueue(),
        model=model_in_service(settings),
    )


def test_transient_failures_back_off_then_succeed(settings: Settings, corpus: Path) -> None:
    [report_id] = _accept_all(settings, sorted(corpus.glob("*.pdf"))[:1])
    worker = _worker(settings, FlakyBlobs(settings.blob_path, failures=2))
    try:
        first = worker.run_once()
        assert first is not None and first.status == "retry"
        [row] = _reports(settings)
        assert row["status"] == "queued" and "retrying" in row["error"]
        assert worker.run_once() is None  # backing off: not available yet
        deadline = time.monotonic() + 10
        outcomes = []
        while time.monotonic() < deadline and (not outcomes or outcomes[-1] != "processed"):
            outcome = worker.run_once()
            if outcome is not None:
                outcomes.append(outcome.status)
            time.sleep(0.02)
        assert outcomes == ["retry", "processed"]
    finally:
        worker.close()
    [row] = _reports(settings)
    assert row["id"] == report_id and row["status"] == "processed" and row["attempts"] == 3
    assert row["error"] is None


def test_last_attempt_marks_failed_with_reason(settings: Settings, corpus: Path) -> None:
    _accept_all(settings, sorted(corpus.glob("*.pdf"))[:1])
    settings = settings.model_copy(update={"worker_max_attempts": 2, "worker_backoff_s": 0.0})
    worker = _worker(settings, FlakyBlobs(settings.blob_path, failures=99))
    try:
        statuses = [o.status for o in iter(worker.run_once, None)]
    finally:
        worker.close()
    assert statuses == ["retry", "failed"]
    [row] = _reports(settings)
    assert row["status"] == "failed"
    assert "connection reset by storage" in row["error"] and "after 2 attempts" in row["error"]


def test_parse_time_cap_fails_the_report(settings: Settings, corpus: Path) -> None:
    _accept_all(settings, sorted(corpus.glob("*.pdf"))[:1])
    work_queue(settings.model_copy(update={"parse_timeout_s": 0.001}))
    [row] = _reports(settings)
    assert row["status"] == "failed" and "longer than the 0.001 s cap" in row["error"]


def test_processing_a_job_twice_changes_nothing(settings: Settings, corpus: Path) -> None:
    files = sorted(corpus.glob("*.pdf"))[:2]
    ids = _accept_all(settings, files)
    work_queue(settings)
    assert settings.database_dsn
    with connect(settings.database_dsn) as conn:
        before = conn.execute("SELECT id, section_id, text FROM comments ORDER BY id").fetchall()
        # Re-queue both (as a redelivery would) and process again.
        for report_id in ids:
            PostgresQueue().enqueue(conn, report_id=report_id)
        conn.commit()
    assert work_queue(settings) == 2
    with connect(settings.database_dsn) as conn:
        after = conn.execute("SELECT id, section_id, text FROM comments ORDER BY id").fetchall()
    assert after == before and len(before) == sum(len(truth_of(f)["comments"]) for f in files)


def test_kill_9_while_a_job_is_held(settings: Settings, corpus: Path) -> None:
    """Kill the worker mid-job, repeatedly; every report still ends processed exactly once."""
    files = sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx"))
    _accept_all(settings, files)
    env = settings_env(settings)
    killed_mid_job = 0
    for _ in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"the worker exited with status {proc.returncode}"
            if any(r["status"] == "processing" for r in _reports(settings)):
                break
            if all(r["status"] == "processed" for r in _reports(settings)):
                break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if any(r["status"] == "processing" for r in _reports(settings)):
            killed_mid_job += 1
        if killed_mid_job >= 2 or all(r["status"] == "processed" for r in _reports(settings)):
            break
    assert killed_mid_job >= 1, "the worker was never caught holding a job"

    work_queue(settings)  # a fresh worker takes what the dead ones held
    rows = _reports(settings)
    assert [r["status"] for r in rows] == ["processed"] * len(files)
    assert any(r["attempts"] >= 2 for r in rows)
    assert settings.database_dsn
    with connect(settings.database_dsn) as conn:
        sections = conn.execute("SELECT count(*) AS n FROM sections").fetchone()
        comments = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
        jobs = conn.execute("SELECT count(*) AS n FROM jobs").fetchone()
    assert sections == {"n": len(files)}
    assert comments == {"n": sum(len(truth_of(f)["comments"]) for f in files)}
    assert jobs == {"n": 0}
