"""The job queue behind a small interface; the embedded default is a Postgres table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.db import Conn
from core.settings import Settings

CHANNEL = "tracelens_jobs"


@dataclass(frozen=True)
class Job:
    id: int
    report_id: int


class JobQueue(Protocol):
    """Enqueue inside the caller's transaction; claim, finish or retry from a worker."""

    def enqueue(self, conn: Conn, *, report_id: int) -> None: ...

    def claim(self, conn: Conn) -> Job | None: ...

    def finish(self, conn: Conn, job: Job) -> None: ...

    def retry_later(self, conn: Conn, job: Job, *, delay_s: float, error: str) -> None: ...

    def wait(self, conn: Conn, *, timeout_s: float) -> None: ...


class PostgresQueue:
    """Jobs are rows; a worker holds its job's row lock for as long as it works on it.

    Holding the lock in an open transaction means a worker that dies (even by kill -9) lets
    PostgreSQL drop the lock with its connection, so the job is available again at once.
    """

    def enqueue(self, conn: Conn, *, report_id: int) -> None:
        conn.execute(
            "INSERT INTO jobs (report_id) VALUES (%s) ON CONFLICT (report_id) DO NOTHING",
            (report_id,),
        )
        conn.execute(f"NOTIFY {CHANNEL}")

    def claim(self, conn: Conn) -> Job | None:
        """Lock the oldest available job in `conn`'s open transaction (the caller commits)."""
        row = conn.execute(
            "SELECT id, report_id FROM jobs WHERE available_at <= now()"
            " ORDER BY available_at, id FOR UPDATE SKIP LOCKED LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return Job(id=row["id"], report_id=row["report_id"])

    def finish(self, conn: Conn, job: Job) -> None:
        conn.execute("DELETE FROM jobs WHERE id = %s", (job.id,))

    def retry_later(self, conn: Conn, job: Job, *, delay_s: float, error: str) -> None:
        conn.execute(
            "UPDATE jobs SET available_at = now() + make_interval(secs => %s), last_error = %s"
            " WHERE id = %s",
            (delay_s, error, job.id),
        )

    def wait(self, conn: Conn, *, timeout_s: float) -> None:
        """Sleep until a NOTIFY arrives or the timeout passes (`conn` must be autocommit)."""
        conn.execute(f"LISTEN {CHANNEL}")
        for _ in conn.notifies(timeout=timeout_s, stop_after=1):
            break


def make_queue(settings: Settings) -> JobQueue:
    """The queue the settings name: the Postgres table, or Kafka through the outbox."""
    if settings.queue_backend == "kafka":
        from ingestion.kafka_queue import KafkaQueue

        return KafkaQueue(settings)
    return PostgresQueue()
