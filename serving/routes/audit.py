"""The audit log: who uploaded, deleted, retried, merged, redacted, and which conflicts were
found."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from ingestion.audit import list_audit
from serving.deps import ConnDep, PrincipalDep
from serving.limits import MAX_OFFSET

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("")
def read_audit(
    conn: ConnDep,
    principal: PrincipalDep,
    action: str | None = Query(
        None, max_length=40, description="upload, delete, retry, merge, split, conflict, redact"
    ),
    report_id: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """Events newest first (admins only)."""
    rows, total = list_audit(conn, action=action, report_id=report_id, limit=limit, offset=offset)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}
