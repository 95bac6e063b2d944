"""Operations on the running service: put the registry's champion in service without a restart."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from rag.search.searcher import open_searcher
from serving.deps import PrincipalDep, ServicesDep

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class ReloadResponse(BaseModel):
    previous: str = Field(description="The space searched before the reload")
    space: str = Field(description="The space searched now")
    changed: bool
    model: str | None = Field(description="The registry reference resolved (embedding_model)")


@router.post("/reload-model", response_model=ReloadResponse)
async def reload_model(services: ServicesDep, principal: PrincipalDep) -> ReloadResponse:
    """Resolve the active model again (the registry's champion) and switch search to its space.

    The new searcher is built first — the model loaded, its space looked up — while requests
    keep using the old one; the switch itself is a reference swap.
    """

    def _build() -> tuple[str, str]:
        model = services.components.resolve_model()
        with services.pool.connection() as conn:
            searcher = open_searcher(conn, model)
        previous = services.searcher.space.name
        services.use_searcher(searcher)
        return previous, searcher.space.name

    previous, current = await run_in_threadpool(_build)
    log.info("model reload by %s: %s -> %s", principal.subject, previous, current)
    return ReloadResponse(
        previous=previous,
        space=current,
        changed=previous != current,
        model=services.settings.embedding_model,
    )
