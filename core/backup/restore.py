"""Restoring a backup: verified against its SHA-256 before pg_restore may commit anything."""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass

from psycopg import sql

from core.backup.errors import BackupCorrupt, BackupError, RestoreRefused
from core.backup.lease import lease
from core.backup.metrics import RESTORE_RUNS
from core.backup.pgtools import PgProcess, database_name, start_restore
from core.backup.storage import BackupInfo, BackupStore
from core.db import Conn, connect, with_database
from core.errors import ConfigError, NotFound


@dataclass(frozen=True)
class RestoreResult:
    backup: BackupInfo
    database: str
    created_database: bool
    replaced: int
    tables: int
    duration_s: float


def choose_backup(store: BackupStore, *, name: str | None, latest: bool) -> BackupInfo:
    """The named backup, or the newest complete one."""
    if (name is None) == (not latest):
        raise ConfigError("restore needs exactly one of --latest and --name NAME")
    if name is not None:
        return store.stat(name)
    complete = [b for b in store.list() if b.complete]
    if not complete:
        raise NotFound(f"there is no complete backup in {store.url}")
    return max(complete, key=lambda b: b.created)


def restore_backup(
    *, store: BackupStore, backup: BackupInfo, target_url: str, force: bool = False
) -> RestoreResult:
    """Restore `backup` into the database at `target_url`, creating that database if missing.

    A target that holds tables is refused unless `force`, which replaces the objects the backup
    holds (`pg_restore --clean --if-exists`). pg_restore runs as one transaction and is fed the
    object as it downloads, but the last chunk is held back until the whole object's SHA-256
    and size match the recorded ones: a changed object is refused and nothing is committed.
    """
    database = database_name(target_url)
    if not backup.complete:
        RESTORE_RUNS.labels("refused").inc()
        raise BackupCorrupt(
            f"backup {backup.url} has no recorded checksum: its upload never finished, or it was "
            "not made by tracelens backup"
        )
    t0 = time.monotonic()
    created = ensure_database(target_url)
    restored = False
    try:
        with lease(target_url, key="tracelens-restore", what=f"a restore into {database}"):
            with connect(target_url) as conn:
                existing = user_relations(conn)
            if existing and not force:
                raise RestoreRefused(
                    f"target database {database!r} is not empty: {len(existing)} relations "
                    f"({', '.join(existing[:5])}{', ...' if len(existing) > 5 else ''}); "
                    "pass --force (spec.force) to replace what the backup holds"
                )
            _stream(store, backup, target_url, database, clean=bool(existing))
            with connect(target_url) as conn:
                tables = len(user_tables(conn))
            restored = True
    except (RestoreRefused, BackupCorrupt):
        RESTORE_RUNS.labels("refused").inc()
        raise
    except Exception:
        RESTORE_RUNS.labels("failed").inc()
        raise
    finally:
        if created and not restored:
            drop_database(target_url)  # leave no empty database behind a failed restore
    RESTORE_RUNS.labels("succeeded").inc()
    return RestoreResult(
        backup=backup,
        database=database,
        created_database=created,
        replaced=len(existing),
        tables=tables,
        duration_s=time.monotonic() - t0,
    )


def _stream(
    store: BackupStore, backup: BackupInfo, target_url: str, database: str, *, clean: bool
) -> None:
    proc = start_restore(target_url, clean=clean)
    digest, size, held = hashlib.sha256(), 0, b""
    alive = True
    try:
        for chunk in store.read(backup):
            if held and alive:
                alive = _feed(proc, held)
            digest.update(chunk)
            size += len(chunk)
            held = chunk
        actual = digest.hexdigest()
        if actual != backup.sha256 or size != backup.size:
            raise BackupCorrupt(
                f"backup {backup.url} does not match its checksum: read {size} bytes with sha256 "
                f"{actual}, recorded {backup.size} bytes with sha256 {backup.sha256}; "
                f"nothing was restored into {database!r}"
            )
        if alive and _feed(proc, held):
            assert proc.proc.stdin is not None
            proc.proc.stdin.close()
        code = proc.wait()
        if code != 0:
            raise BackupError(
                f"pg_restore of {backup.name} into {database!r} exited with {code}: {proc.tail()}"
            )
    except BaseException:
        proc.stop()  # killed before its COMMIT: the single transaction rolls back
        raise
    finally:
        proc.close()


def _feed(proc: PgProcess, data: bytes) -> bool:
    """Write to pg_restore; False once it has exited (its error is read after the checksum)."""
    stdin = proc.proc.stdin
    assert stdin is not None
    try:
        stdin.write(data)
        return True
    except BrokenPipeError:
        return False


def ensure_database(url: str) -> bool:
    """Create the database `url` names on its server when it does not exist; True if created."""
    name = database_name(url)
    with connect(with_database(url, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def drop_database(url: str) -> None:
    with (
        contextlib.suppress(Exception),
        connect(with_database(url, "postgres"), autocommit=True) as conn,
    ):
        name = sql.Identifier(database_name(url))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


_USER_SCHEMAS = """
    n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
    AND NOT EXISTS (  -- objects an extension created (pgvector's) are not the user's
        SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
        AND d.deptype = 'e')
"""


def user_relations(conn: Conn) -> list[str]:
    """Tables, views, sequences and foreign tables outside the system schemas."""
    rows = conn.execute(
        "SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND " + _USER_SCHEMAS + " ORDER BY 1"
    ).fetchall()
    return [r["name"] for r in rows]


def user_tables(conn: Conn) -> list[str]:
    rows = conn.execute(
        "SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p') AND " + _USER_SCHEMAS + " ORDER BY 1"
    ).fetchall()
    return [r["name"] for r in rows]


def fingerprints(conn: Conn) -> dict[str, tuple[int, str]]:
    """Every user table's row count and the MD5 of its rows as text, in byte order.

    Two databases with equal fingerprints hold the same rows; a restore drill compares them.
    """
    out = {}
    for table in user_tables(conn):
        query = sql.SQL(
            "SELECT count(*) AS n, md5(coalesce(string_agg(t::text, E'\\n'"
            " ORDER BY t::text COLLATE \"C\"), '')) AS sum FROM {} AS t"
        ).format(sql.SQL(table))  # already quoted by format('%I.%I')
        row = conn.execute(query).fetchone()
        assert row is not None
        out[table] = (int(row["n"]), str(row["sum"]))
    return out
