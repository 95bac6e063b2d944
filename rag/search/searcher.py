"""The search service: the active space, cached query embeddings, and the search itself.

Hybrid search is told what the store knows about the query: its theme (enrichment.detector, from
the query's words and vector) turns on the theme leg over the stored per-comment themes, and the
theme's vocabulary (rag.search.theme_vocabulary) the expansion leg. `Signals` switches each on or
off, so `tracelens eval retrieval` can measure each one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from core.auth.access import EVERYTHING, Access
from core.db import Conn
from embeddings.active import ModelInService, active_space
from embeddings.base import QueryCache
from embeddings.spaces import Space
from enrichment.detector import detector_for
from enrichment.theme_definitions import GENERAL
from rag.search.filters import SearchFilters
from rag.search.fusion import THEME_GAP
from rag.search.hybrid import Hit, Legs, Mode, QuerySignals, search, search_legs
from rag.search.theme_vocabulary import VOCABULARY


@dataclass(frozen=True)
class Signals:
    """Which of what the store knows hybrid search uses, and how much each leg weighs in RRF."""

    theme_tags: bool = True
    expansion: bool = True
    theme_weight: float = 1.0
    expansion_weight: float = 1.0
    theme_gap: float | None = THEME_GAP
    """A theme whose tagged comments are this much farther than the nearest comment is taken as
    misread and both its legs are dropped (rag.search.fusion.theme_fits); None: never."""


PLAIN = Signals(theme_tags=False, expansion=False)
"""Vector and full text only: hybrid search as it was before the signals."""


@dataclass
class Searcher:
    space: Space
    queries: QueryCache
    default_mode: Mode = "hybrid"
    signals: Signals = field(default_factory=Signals)
    access: Access = EVERYTHING
    """What the caller may read (core.auth.access); every search applies it in its SQL."""

    def for_reader(self, access: Access) -> Searcher:
        """The same searcher (space, query cache) for a caller with this access."""
        return replace(self, access=access)

    def search(
        self,
        conn: Conn,
        *,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: Mode | None = None,
        signals: Signals | None = None,
        group: bool = False,
    ) -> list[Hit]:
        """The k best comments (`group`: the k best distinct texts, each with its count and
        citations; rag.search.grouping)."""
        mode = mode or self.default_mode
        vector = self.queries.embed_query(query) if mode != "text" else None
        query_signals = None
        if mode == "hybrid" and vector is not None:
            query_signals = self.query_signals(query, vector, signals or self.signals)
        return search(
            conn,
            space=self.space,
            query=query,
            query_vector=vector,
            k=k,
            filters=filters,
            mode=mode,
            signals=query_signals,
            access=self.access,
            group=group,
        )

    def legs(
        self,
        conn: Conn,
        *,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        signals: Signals | None = None,
    ) -> tuple[QuerySignals, Legs]:
        """What a hybrid search would know about the query and what each of its legs ranked."""
        vector = self.queries.embed_query(query)
        known = self.query_signals(query, vector, signals or self.signals)
        found = search_legs(
            conn,
            space=self.space,
            query=query,
            query_vector=vector,
            k=k,
            filters=filters,
            signals=known,
            access=self.access,
        )
        return known, found

    def query_signals(self, query: str, vector: np.ndarray, signals: Signals) -> QuerySignals:
        """The query's theme and expansion words, as far as `signals` asks for them."""
        if not (signals.theme_tags or signals.expansion):
            return QuerySignals()
        theme = detector_for(self.queries.embedder).question_theme(query, vector)
        if theme == GENERAL:
            return QuerySignals()
        return QuerySignals(
            theme=theme if signals.theme_tags else None,
            expansion=VOCABULARY[theme] if signals.expansion else (),
            theme_weight=signals.theme_weight,
            expansion_weight=signals.expansion_weight,
            theme_gap=signals.theme_gap,
        )


def open_searcher(conn: Conn, model: ModelInService) -> Searcher:
    """Search over the space of the model in service (made active if it is a registry model)."""
    space = active_space(conn, model=model)
    return Searcher(space=space, queries=QueryCache(model.embedder))
