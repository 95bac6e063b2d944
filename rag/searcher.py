"""The search service: the active space, cached query embeddings, and the search itself."""

from __future__ import annotations

from dataclasses import dataclass

from core.db import Conn
from core.settings import Settings
from embeddings.active import active_space, load_embedder
from embeddings.base import QueryCache
from embeddings.spaces import Space
from rag.filters import SearchFilters
from rag.search import Hit, Mode, search


@dataclass
class Searcher:
    space: Space
    queries: QueryCache
    default_mode: Mode = "hybrid"

    def search(
        self,
        conn: Conn,
        *,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: Mode | None = None,
    ) -> list[Hit]:
        mode = mode or self.default_mode
        vector = self.queries.embed_query(query) if mode != "text" else None
        return search(
            conn,
            space=self.space,
            query=query,
            query_vector=vector,
            k=k,
            filters=filters,
            mode=mode,
        )


def open_searcher(conn: Conn, settings: Settings) -> Searcher:
    embedder = load_embedder(settings)
    space = active_space(conn, settings=settings, embedder=embedder)
    return Searcher(space=space, queries=QueryCache(embedder))
