"""Connections to PostgreSQL: dict rows, per-role server timeouts, the pool, SQL helpers."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

Conn = psycopg.Connection[DictRow]
"""A connection whose rows are dicts; every data function takes one."""


@dataclass(frozen=True)
class Timeouts:
    """Server-side limits for one role of connection (0 = none)."""

    statement_s: float
    lock_s: float
    idle_in_transaction_s: float

    def options(self) -> str:
        def ms(seconds: float) -> int:
            return int(seconds * 1000)

        return (
            f"-c statement_timeout={ms(self.statement_s)} -c lock_timeout={ms(self.lock_s)}"
            f" -c idle_in_transaction_session_timeout={ms(self.idle_in_transaction_s)}"
        )


ROLES = {
    "api": Timeouts(statement_s=15, lock_s=5, idle_in_transaction_s=60),
    "worker": Timeouts(statement_s=600, lock_s=30, idle_in_transaction_s=1800),
    "batch": Timeouts(statement_s=0, lock_s=0, idle_in_transaction_s=0),
}
"""An API request never waits long on a lock or a query and never leaves a transaction open;
a worker holds its job's transaction through a parse and an embedding, so it gets more; batch
commands (migrations, re-embedding, evaluations, benchmarks) run unbounded."""


def connect(url: str, *, autocommit: bool = False, role: str = "batch") -> Conn:
    return psycopg.connect(
        url, autocommit=autocommit, row_factory=dict_row, options=ROLES[role].options()
    )


def make_pool(url: str, *, max_size: int = 8, role: str = "api") -> ConnectionPool[Conn]:
    """A pool whose connections return rows as dicts, checked before each use (a restarted
    server leaves dead connections behind) and bounded by the role's timeouts."""
    pool: ConnectionPool[Conn] = ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={"row_factory": dict_row, "options": ROLES[role].options()},
        open=False,
        name="tracelens",
        check=ConnectionPool.check_connection,
        timeout=10,
    )
    pool.open(wait=True, timeout=30)
    return pool


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def like_escape(text: str) -> str:
    """Text matched literally by LIKE/ILIKE (`%`, `_` and `\\` are not wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
