"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from serving.deps import ServicesDep

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up; touches nothing."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(services: ServicesDep) -> JSONResponse:
    """Ready when the database answers a read of the migrated schema and the blob store
    answers; otherwise 503 naming what is down (never the exception text: it is logged)."""

    def _check() -> list[str]:
        down = []
        try:
            with services.pool.connection(timeout=5) as conn:
                row = conn.execute("SELECT max(version) AS v FROM schema_migrations").fetchone()
                if not (row and row["v"]):
                    down.append("database schema (not migrated)")
        except Exception as exc:
            log.warning("readiness: database unavailable: %s", exc)
            down.append("database")
        try:
            services.blobs.exists("0" * 64)
        except Exception as exc:
            log.warning("readiness: blob store unavailable: %s", exc)
            down.append("blob store")
        return down

    down = await run_in_threadpool(_check)
    if down:
        return JSONResponse(
            status_code=503,
            content={"status": "unavailable", "down": down},
            headers={"Retry-After": "5"},
        )
    return JSONResponse(content={"status": "ready"})
