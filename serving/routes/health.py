"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from serving.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up; touches nothing."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(services: ServicesDep) -> JSONResponse:
    """Ready when the database answers a read and the schema is migrated."""

    def _check() -> str | None:
        try:
            with services.pool.connection(timeout=5) as conn:
                row = conn.execute("SELECT max(version) AS v FROM schema_migrations").fetchone()
                return None if row and row["v"] else "the schema is not migrated"
        except Exception as exc:
            return f"database unavailable: {exc}"

    problem = await run_in_threadpool(_check)
    if problem:
        return JSONResponse(status_code=503, content={"status": "unavailable", "reason": problem})
    return JSONResponse(content={"status": "ready"})
