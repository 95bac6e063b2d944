"""One backup at a time per (database, destination): a PostgreSQL session advisory lock.

The lock lives on the server being dumped (or restored into), so two operator replicas, a
CronJob and a person at the CLI all see it, and a process that dies releases it with its
connection: no stale lease to expire.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg

from core.backup.errors import BackupBusy
from core.db import connect


@contextlib.contextmanager
def lease(url: str, *, key: str, what: str) -> Iterator[None]:
    """Hold the advisory lock named `key` on the database at `url`, or raise BackupBusy."""
    with connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pg_try_advisory_lock(hashtextextended(%s, 0)) AS got", (key,)
        ).fetchone()
        if row is None or not row["got"]:
            raise BackupBusy(f"{what} is already running (lease {key!r} is held)")
        try:
            yield
        finally:
            with contextlib.suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
