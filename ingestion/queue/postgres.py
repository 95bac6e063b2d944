"""The embedded default queue: jobs are rows of a Postgres table, taken FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

from collections.abc import Sequence

from core.db import Conn
from ingestion.queue.base import Backlog, Job

CHANNEL = "tracelens_jobs"

_BACKLOG = """
SELECT count(*) FILTER (WHERE available_at <= now()) AS depth,
       count(*) FILTER (WHERE available_at > now()) AS delayed,
       coalesce(extract(epoch FROM now() - min(available_at)
                        FILTER (WHERE available_at <= now())), 0) AS lag_s
  FROM jobs
"""


class PostgresQueue:
    """Jobs are rows; a worker holds its job's row lock for as long as it works on it.

    Holding the lock in an open transaction means a worker that dies (even by kill -9) lets
    PostgreSQL drop the lock with its connection, so the job is available again at once.
    Besides the interface, it has what the table worker takes jobs with: claim, finish,
    retry_later and wait.
    """

    backend = "postgres"

    def enqueue(self, conn: Conn, *, report_id: int) -> None:
        conn.execute(
            "INSERT INTO jobs (report_id) VALUES (%s) ON CONFLICT (report_id) DO NOTHING",
            (report_id,),
        )
        conn.execute(f"NOTIFY {CHANNEL}")

    def backlog(self, conn: Conn) -> Backlog:
        """One count over `jobs`, which holds only the backlog (finished jobs are deleted)."""
        row = conn.execute(_BACKLOG).fetchone()
        if row is None:
            return Backlog(depth=0, delayed=0, lag_s=0.0)
        return Backlog(depth=row["depth"], delayed=row["delayed"], lag_s=float(row["lag_s"]))

    def claim(
        self,
        conn: Conn,
        *,
        exclude: Sequence[int] = (),
        report_ids: Sequence[int] | None = None,
    ) -> Job | None:
        """Lock the oldest available job in `conn`'s open transaction (the caller commits).

        `exclude`: jobs this transaction holds already (SKIP LOCKED does not skip one's own
        locks); `report_ids`: only a job of one of these reports.
        """
        only = " AND report_id = ANY(%s)" if report_ids is not None else ""
        params: list[object] = [list(exclude)]
        if report_ids is not None:
            params.append(list(report_ids))
        row = conn.execute(
            "SELECT id, report_id FROM jobs WHERE available_at <= now()"
            " AND NOT (id = ANY(%s))" + only + " ORDER BY available_at, id"
            " FOR UPDATE SKIP LOCKED LIMIT 1",
            params,
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
