"""Hybrid comment search: pgvector neighbours plus full text, fused by RRF, filtered exactly.

A filter never costs results. When the filter leaves few comments, the vector leg scans them
exactly; otherwise it walks the HNSW index with pgvector's iterative scan until it has enough
rows that pass. A filter that matches nothing returns nothing.

Hybrid search may add what the store knows about the query (`QuerySignals`, derived by
rag.search.searcher): a theme leg (the comments whose stored themes include the query's theme,
nearest first) and an expansion leg (full text over the theme's vocabulary,
rag.search.theme_vocabulary), each fused with its own weight. Students rarely use the asker's
words ("does the class move too quickly" is answered by "he goes through slides like he's late
for a train"); both legs reach such comments. A theme read from one word of the query can be
the wrong one: when its nearest tagged comment is much farther than the nearest comment
(`QuerySignals.theme_gap`, rag.search.fusion.theme_fits), both its legs are dropped. The legs'
SQL is rag.search.legs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from psycopg import sql
from pydantic import BaseModel, Field

from core.auth.access import EVERYTHING, Access
from core.db import Conn
from embeddings.spaces import Space
from rag.search.filters import SearchFilters, compile_filters
from rag.search.fusion import reciprocal_rank_fusion, theme_fits
from rag.search.grouping import Group, group_ranked, members, text_keys
from rag.search.legs import (
    EF_SEARCH,
    EXACT_SCAN_LIMIT,
    count_matching,
    hydrate,
    space_size,
    text_leg,
    theme_leg,
    vector_leg,
)

Mode = Literal["hybrid", "vector", "text"]


@dataclass(frozen=True)
class QuerySignals:
    """What is known about a query beyond its words and vector; used by hybrid search only."""

    theme: str | None = None
    """The theme the query asks about (enrichment.detector); None for none in particular."""
    expansion: Sequence[str] = ()
    """Words of that theme's vocabulary, searched as a leg of their own."""
    theme_weight: float = 1.0
    expansion_weight: float = 1.0
    theme_gap: float | None = None
    """Drop the theme and expansion legs when the nearest comment tagged with the theme is this
    much farther (cosine) than the nearest comment (rag.search.fusion.theme_fits); None keeps
    them whatever the gap."""


class Citation(BaseModel):
    report_id: int
    comment_id: int
    course_code: str
    course_title: str
    term: str
    section: str
    instructors: list[str]
    prompt: str
    comment_number: int
    source: Literal["trace", "survey"] = Field(
        default="trace", description="A TRACE report, or an instructor's own survey"
    )
    survey: str | None = Field(default=None, description="The survey's title, for a survey")


class Scores(BaseModel):
    vector: float | None
    text: float | None
    fused: float


class Hit(BaseModel):
    text: str
    scores: Scores
    citation: Citation
    count: int = Field(
        default=1, description="Comments with this same text (grouped searches; 1 otherwise)"
    )
    citations: list[Citation] = Field(
        default_factory=list,
        description="Every comment with this text, in id order (grouped searches; at most 100)",
    )


def search(
    conn: Conn,
    *,
    space: Space,
    query: str,
    query_vector: np.ndarray | None,
    k: int = 10,
    filters: SearchFilters | None = None,
    mode: Mode = "hybrid",
    signals: QuerySignals | None = None,
    access: Access = EVERYTHING,
    group: bool = False,
) -> list[Hit]:
    """The k best comments for the query within the filters and what `access` may read, each
    with scores and citation. `group`: the k best distinct texts instead, each hit with how
    many comments have it and their citations (rag.search.grouping)."""
    found = _fused(conn, space, query, query_vector, k, filters, mode, signals, access)
    if found is None:
        return []
    ranked, fused, scope = found
    if group:
        return _grouped(conn, space, fused, ranked, scope, k=k, access=access)
    fused = fused[:k]
    details = hydrate(conn, [cid for cid, _ in fused], access=access)
    return [_hit(cid, score, details[cid], ranked) for cid, score in fused if cid in details]


@dataclass(frozen=True)
class Legs:
    """Each leg's comment ids, best first, and their fusion, as `search` ranks them (for
    explaining a ranking: devtools.evaluate.search_legs)."""

    vector: list[int]
    text: list[int]
    themed: list[int]
    expanded: list[int]
    fused: list[int]
    theme_dropped: bool = False


def search_legs(
    conn: Conn,
    *,
    space: Space,
    query: str,
    query_vector: np.ndarray,
    k: int = 10,
    filters: SearchFilters | None = None,
    signals: QuerySignals | None = None,
    access: Access = EVERYTHING,
) -> Legs:
    """What each leg of a hybrid `search` for k comments ranked, and the fused order."""
    found = _fused(conn, space, query, query_vector, k, filters, "hybrid", signals, access)
    if found is None:
        return Legs([], [], [], [], [])
    ranked, fused, _ = found
    return Legs(
        vector=list(ranked.vector),
        text=list(ranked.text),
        themed=list(ranked.themed),
        expanded=list(ranked.expanded),
        fused=[cid for cid, _ in fused],
        theme_dropped=ranked.theme_dropped,
    )


def _fused(
    conn: Conn,
    space: Space,
    query: str,
    query_vector: np.ndarray | None,
    k: int,
    filters: SearchFilters | None,
    mode: Mode,
    signals: QuerySignals | None,
    access: Access,
) -> tuple[_Ranked, list[tuple[int, float]], _Scope] | None:
    """The legs the mode asks for and their fusion; None when the filter matches nothing."""
    signals = signals if mode == "hybrid" and signals is not None else QuerySignals()
    filters = filters or SearchFilters()
    where, params = compile_filters(filters, access)
    filtered = filters.active() or not access.unrestricted
    scope = _Scope(where=where, params=params, filtered=filtered, depth=max(4 * k, 40))
    with conn.transaction():
        ranked = _rank(conn, space, query, query_vector, scope, mode=mode, signals=signals)
    if ranked is None:
        return None
    if mode == "hybrid":
        rankings = [list(ranked.vector), list(ranked.text), list(ranked.themed)]
        rankings.append(list(ranked.expanded))
        weights = [1.0, 1.0, signals.theme_weight, signals.expansion_weight]
    else:
        rankings, weights = [list(ranked.vector or ranked.text)], [1.0]
    return ranked, reciprocal_rank_fusion(rankings, weights=weights), scope


def _hit(cid: int, score: float, detail: dict[str, Any], ranked: _Ranked) -> Hit:
    return Hit(
        text=detail["text"],
        scores=Scores(
            vector=ranked.vector.get(cid, ranked.themed.get(cid)),
            text=ranked.text.get(cid, ranked.expanded.get(cid)),
            fused=score,
        ),
        citation=Citation.model_validate(detail),
    )


def _grouped(
    conn: Conn,
    space: Space,
    fused: list[tuple[int, float]],
    ranked: _Ranked,
    scope: _Scope,
    *,
    k: int,
    access: Access,
) -> list[Hit]:
    """The k best distinct texts: each the hit of its best-ranked comment, with the count and
    citations of every comment within the scope that has the same text."""
    keys: dict[int, str] = {}
    groups: list[Group] = []
    window = 4 * k  # repeats are a minority: a few windows find k distinct texts
    for start in range(0, len(fused), window):
        keys |= text_keys(conn, space, [cid for cid, _ in fused[start : start + window]])
        groups = group_ranked(fused[: start + window], keys, k)
        if len(groups) == k:
            break
    found = members(
        conn,
        space,
        [g.key for g in groups if not g.key.startswith("comment:")],
        scope.where,
        scope.params,
    )
    ids = {g.best for g in groups} | {i for _, cited in found.values() for i in cited}
    details = hydrate(conn, sorted(ids), access=access)
    hits = []
    for g in groups:
        if g.best not in details:
            continue
        count, cited = found.get(g.key, (1, [g.best]))
        hit = _hit(g.best, g.score, details[g.best], ranked)
        hit.count = count
        hit.citations = [Citation.model_validate(details[i]) for i in cited if i in details]
        hits.append(hit)
    return hits


@dataclass(frozen=True)
class _Scope:
    """The compiled filter, whether there is one, and how deep each leg ranks."""

    where: sql.Composable
    params: list[Any]
    filtered: bool
    depth: int


@dataclass
class _Ranked:
    """Each leg's comment id -> score, best first."""

    vector: dict[int, float] = field(default_factory=dict)
    text: dict[int, float] = field(default_factory=dict)
    themed: dict[int, float] = field(default_factory=dict)
    expanded: dict[int, float] = field(default_factory=dict)
    theme_dropped: bool = False
    """The query's theme was taken as misread (QuerySignals.theme_gap): no theme legs ran."""


def _rank(
    conn: Conn,
    space: Space,
    query: str,
    query_vector: np.ndarray | None,
    scope: _Scope,
    *,
    mode: Mode,
    signals: QuerySignals,
) -> _Ranked | None:
    """Run the legs the mode and signals ask for; None when the filter matches nothing."""
    where, params, depth, filtered = scope.where, scope.params, scope.depth, scope.filtered
    exact = False
    if filtered:
        matching = count_matching(conn, where, params, limit=EXACT_SCAN_LIMIT + 1)
        if matching == 0:
            return None
        exact = matching <= EXACT_SCAN_LIMIT
    ranked = _Ranked()
    if mode in ("hybrid", "vector"):
        if query_vector is None:
            raise ValueError("a vector or hybrid search needs the query's vector")
        if not filtered:
            exact = space_size(conn, space) <= EXACT_SCAN_LIMIT
        # Hybrid search takes more vector candidates: they are the full-text leg's pool too.
        vector_depth = max(depth, EF_SEARCH) if mode == "hybrid" else depth
        ranked.vector = vector_leg(
            conn, space, query_vector, where, params, vector_depth, filtered=filtered, exact=exact
        )
    if mode in ("hybrid", "text"):
        pool = list(ranked.vector) if mode == "hybrid" else None
        ranked.text = text_leg(
            conn, query, where, params, depth, filtered=filtered, candidates=pool
        )
    if signals.theme is not None and query_vector is not None:
        ranked.themed = theme_leg(
            conn, space, query_vector, signals.theme, where, params, depth, exact=exact
        )
        gap = signals.theme_gap
        if gap is not None and not theme_fits(ranked.vector, ranked.themed, max_gap=gap):
            # a misread theme: neither its tagged comments nor its vocabulary answer the query
            ranked.themed, ranked.theme_dropped = {}, True
            return ranked
    if signals.expansion:
        # A small scope is ranked whole; a large one like the text leg's pool (bounded).
        ranked.expanded = text_leg(
            conn,
            " or ".join(signals.expansion),
            where,
            params,
            depth,
            filtered=filtered,
            candidates=None if exact else [*ranked.vector, *ranked.themed],
        )
    return ranked
