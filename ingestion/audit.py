"""The append-only audit log: uploads, deletions, retries, merges, conflicts, and who did them.

Rows are written in the transaction of the change they record, so the log never claims a
change that did not happen; a trigger refuses every UPDATE and DELETE on the table.
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from core.db import Conn

WORKER = "worker"
"""The principal of changes the worker makes on its own (conflicts found while merging)."""


def record(
    conn: Conn,
    *,
    principal: str,
    action: str,
    report_id: int | None = None,
    section_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event, in the caller's transaction."""
    conn.execute(
        "INSERT INTO audit_log (principal, action, report_id, section_id, details)"
        " VALUES (%s, %s, %s, %s, %s)",
        (principal, action, report_id, section_id, Jsonb(details or {})),
    )


def list_audit(
    conn: Conn,
    *,
    action: str | None = None,
    report_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Events newest first, optionally of one action or one report, and how many match."""
    where: list[str] = []
    params: list[object] = []
    if action is not None:
        where.append("action = %s")
        params.append(action)
    if report_id is not None:
        where.append("report_id = %s")
        params.append(report_id)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    rows = conn.execute(
        "SELECT id, at, principal, action, report_id, section_id, details FROM audit_log"
        + clause
        + " ORDER BY id DESC LIMIT %s OFFSET %s",
        [*params, limit, offset],
    ).fetchall()
    total = conn.execute("SELECT count(*) AS n FROM audit_log" + clause, params).fetchone()
    return [dict(r) for r in rows], int(total["n"]) if total else 0
