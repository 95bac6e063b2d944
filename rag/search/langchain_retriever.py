"""LangChain retriever over TraceLens search: chains get its hybrid ranking, filters, citations."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from psycopg_pool import ConnectionPool
from pydantic import Field, InstanceOf

from core.db import Conn
from embeddings.active import ModelInService
from rag.search.filters import SearchFilters
from rag.search.hybrid import Hit, Mode
from rag.search.searcher import Searcher, open_searcher

_OVERRIDES = frozenset({"k", "filters", "mode"})


class TraceLensRetriever(BaseRetriever):
    """TraceLens comment search as a `BaseRetriever`; one pooled connection per call.

    `k`, `filters` and `mode` may be overridden per call: `retriever.invoke(q, k=3)`.
    Each document's metadata holds the hit's citation fields and its `scores`.
    """

    searcher: InstanceOf[Searcher]
    pool: InstanceOf[ConnectionPool[Any]]
    k: int = Field(default=10, ge=1)
    filters: SearchFilters | None = None
    mode: Mode | None = None
    """None means the searcher's default mode (hybrid)."""

    @classmethod
    def in_service(
        cls, model: ModelInService, pool: ConnectionPool[Conn], **fields: Any
    ) -> TraceLensRetriever:
        """A retriever over the space of the model in service."""
        with pool.connection() as conn:
            searcher = open_searcher(conn, model)
        return cls(searcher=searcher, pool=pool, **fields)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return self._search(query, **kwargs)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        # psycopg_pool.ConnectionPool is synchronous: keep it off the event loop.
        return await asyncio.to_thread(self._search, query, **kwargs)

    def _search(self, query: str, **overrides: Any) -> list[Document]:
        unknown = set(overrides) - _OVERRIDES
        if unknown:
            raise TypeError(f"unexpected retriever arguments {sorted(unknown)}")
        k = int(overrides.get("k", self.k))
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        filters = overrides.get("filters", self.filters)
        if isinstance(filters, Mapping):
            filters = SearchFilters.model_validate(filters)
        with self.pool.connection() as conn:
            hits = self.searcher.search(
                conn, query=query, k=k, filters=filters, mode=overrides.get("mode", self.mode)
            )
        return [to_document(hit) for hit in hits]


def to_document(hit: Hit) -> Document:
    """A hit as a LangChain document: the comment text, its citation and its scores."""
    citation = hit.citation
    return Document(
        page_content=hit.text,
        metadata={**citation.model_dump(), "scores": hit.scores.model_dump()},
        id=str(citation.comment_id),
    )
