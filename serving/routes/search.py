"""Semantic search over comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from rag.search.filters import SearchFilters
from rag.search.hybrid import Hit, Mode
from serving.deps import ConnDep, PrincipalDep, ServicesDep, reader_searcher
from serving.limits import rate_limited

router = APIRouter(prefix="/v1/search", tags=["search"])


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=1000, examples=["is the homework load heavy"])
    k: int = Field(default=10, ge=1, le=100)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    mode: Mode | None = Field(default=None, description="hybrid (default), vector or text")


class SearchResponse(BaseModel):
    query: str
    k: int
    mode: Mode
    space: str
    hits: list[Hit]


SEARCH_LIMIT = rate_limited("search", lambda s: s.rate_limit_search)


@router.post("", response_model=SearchResponse, dependencies=[SEARCH_LIMIT])
def search_post(
    body: SearchRequest, conn: ConnDep, services: ServicesDep, principal: PrincipalDep
) -> SearchResponse:
    """The k texts that best match the query within the filters, each with its citation; a text
    several comments share is one hit with their count and citations."""
    searcher = reader_searcher(services, principal)
    mode = body.mode or searcher.default_mode
    hits = searcher.search(
        conn, query=body.query, k=body.k, filters=body.filters, mode=mode, group=True
    )
    return SearchResponse(
        query=body.query, k=body.k, mode=mode, space=searcher.space.name, hits=hits
    )


class SearchQuery(SearchFilters):
    """GET /v1/search's URL parameters: the query and the filters."""

    q: str = Field(min_length=1, max_length=1000)
    k: int = Field(10, ge=1, le=100)
    mode: Mode | None = None


@router.get("", response_model=SearchResponse, dependencies=[SEARCH_LIMIT])
def search_get(
    conn: ConnDep,
    services: ServicesDep,
    principal: PrincipalDep,
    params: Annotated[SearchQuery, Query()],
) -> SearchResponse:
    """The same search with the query and filters as URL parameters."""
    filters = SearchFilters(**params.model_dump(exclude={"q", "k", "mode"}))
    request = SearchRequest(query=params.q, k=params.k, filters=filters, mode=params.mode)
    return search_post(request, conn, services, principal)
