"""Schema only by migrations: numbered SQL files applied once each, in order, under a lock."""

from __future__ import annotations

import logging
from importlib import resources

from core.db.connection import Conn

log = logging.getLogger(__name__)

_LOCK_KEY = 7_362_514  # pg_advisory_xact_lock key serialising concurrent migrators


def available() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped in core/migrations, in order."""
    found = []
    for entry in resources.files("core.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(conn: Conn) -> list[str]:
    """Apply pending migrations in one transaction; returns the names applied."""
    applied: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        rows = conn.execute("SELECT version FROM schema_migrations").fetchall()
        done = {row["version"] for row in rows}
        for version, name, sql in available():
            if version in done:
                continue
            conn.execute(sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name)
            )
            applied.append(name)
            log.info("applied migration %s", name)
    return applied
