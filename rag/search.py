"""Hybrid comment search: pgvector neighbours plus full text, fused by RRF, filtered exactly.

A filter never costs results. When the filter leaves few comments, the vector leg scans them
exactly; otherwise it walks the HNSW index with pgvector's iterative scan until it has enough
rows that pass. A filter that matches nothing returns nothing.

Hybrid search may add what the store knows about the query (`QuerySignals`, derived by
rag.searcher): a theme leg (the comments whose stored themes include the query's theme, nearest
first) and an expansion leg (full text over the theme's vocabulary, rag.vocab), each fused with
its own weight. Students rarely use the asker's words ("does the class move too quickly" is
answered by "he goes through slides like he's late for a train"); both legs reach such comments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from psycopg import sql
from pydantic import BaseModel

from core.db import Conn
from embeddings.spaces import Space
from rag.filters import SearchFilters, compile_filters
from rag.fusion import reciprocal_rank_fusion

Mode = Literal["hybrid", "vector", "text"]

EF_SEARCH = 100
"""hnsw.ef_search of the ANN walk: recall@10 0.909 at 40, 0.963 at 100 (250k comments)."""

POOL_LIMIT = 200
"""Comments with all the query's words that join the vector candidates in hybrid search."""

EXACT_SCAN_LIMIT = 5000
"""Filters matching at most this many comments get an exact vector scan (cheap, and complete)."""

_FROM = sql.SQL(
    " FROM comments m JOIN sections s ON s.id = m.section_id"
    " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
)


@dataclass(frozen=True)
class QuerySignals:
    """What is known about a query beyond its words and vector; used by hybrid search only."""

    theme: str | None = None
    """The theme the query asks about (enrichment.detector); None for none in particular."""
    expansion: Sequence[str] = ()
    """Words of that theme's vocabulary, searched as a leg of their own."""
    theme_weight: float = 1.0
    expansion_weight: float = 1.0


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


class Scores(BaseModel):
    vector: float | None
    text: float | None
    fused: float


class Hit(BaseModel):
    text: str
    scores: Scores
    citation: Citation


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
) -> list[Hit]:
    """The k best comments for the query within the filters, each with scores and citation."""
    signals = signals if mode == "hybrid" and signals is not None else QuerySignals()
    filters = filters or SearchFilters()
    where, params = compile_filters(filters)
    depth = max(4 * k, 40)
    with conn.transaction():
        exact = False
        if filters.active():
            matching = _count(conn, where, params, limit=EXACT_SCAN_LIMIT + 1)
            if matching == 0:
                return []
            exact = matching <= EXACT_SCAN_LIMIT
        vector: dict[int, float] = {}
        text: dict[int, float] = {}
        if mode in ("hybrid", "vector"):
            if query_vector is None:
                raise ValueError("a vector or hybrid search needs the query's vector")
            if not filters.active():
                exact = _space_size(conn, space) <= EXACT_SCAN_LIMIT
            # Hybrid search takes more vector candidates: they are the full-text leg's pool too.
            vector_depth = max(depth, EF_SEARCH) if mode == "hybrid" else depth
            vector = _vector_leg(
                conn,
                space,
                query_vector,
                where,
                params,
                vector_depth,
                filtered=filters.active(),
                exact=exact,
            )
        if mode in ("hybrid", "text"):
            text = _text_leg(
                conn,
                query,
                where,
                params,
                depth,
                filtered=filters.active(),
                candidates=list(vector) if mode == "hybrid" else None,
            )
        themed: dict[int, float] = {}
        if signals.theme is not None and query_vector is not None:
            themed = _theme_leg(
                conn, space, query_vector, signals.theme, where, params, depth, exact=exact
            )
        expanded: dict[int, float] = {}
        if signals.expansion:
            # A small scope is ranked whole; a large one like the text leg's pool (bounded).
            expanded = _text_leg(
                conn,
                " or ".join(signals.expansion),
                where,
                params,
                depth,
                filtered=filters.active(),
                candidates=None if exact else [*vector, *themed],
            )
    if mode == "hybrid":
        rankings = [list(vector), list(text), list(themed), list(expanded)]
        weights = [1.0, 1.0, signals.theme_weight, signals.expansion_weight]
    else:
        rankings, weights = [list(vector or text)], [1.0]
    fused = reciprocal_rank_fusion(rankings, weights=weights)[:k]
    details = _hydrate(conn, [cid for cid, _ in fused])
    return [
        Hit(
            text=details[cid]["text"],
            scores=Scores(
                vector=vector.get(cid, themed.get(cid)),
                text=text.get(cid, expanded.get(cid)),
                fused=score,
            ),
            citation=Citation.model_validate(details[cid]),
        )
        for cid, score in fused
        if cid in details
    ]


def _count(conn: Conn, where: sql.Composable, params: list[Any], *, limit: int) -> int:
    """Comments matching the filter, counted up to `limit` (all the caller needs to know)."""
    query = sql.SQL("SELECT count(*) AS n FROM (SELECT 1") + _FROM + sql.SQL(" WHERE ")
    row = conn.execute(query + where + sql.SQL(" LIMIT %s) hit"), [*params, limit])
    found = row.fetchone()
    return int(found["n"]) if found else 0


def _space_size(conn: Conn, space: Space) -> int:
    """The space's vector count: the planner's estimate, or a bounded count before any ANALYZE.

    Only compared with EXACT_SCAN_LIMIT, so a stale estimate costs a little speed, never hits.
    """
    row = conn.execute(
        "SELECT reltuples::bigint AS n FROM pg_class WHERE oid = %s::regclass",
        (space.table.as_string(conn),),
    ).fetchone()
    if row is not None and row["n"] >= 0:
        return int(row["n"])
    found = conn.execute(
        sql.SQL("SELECT count(*) AS n FROM (SELECT 1 FROM {} LIMIT %s) v").format(space.table),
        (EXACT_SCAN_LIMIT + 1,),
    ).fetchone()
    return int(found["n"]) if found else 0


def _vector_leg(
    conn: Conn,
    space: Space,
    query_vector: np.ndarray,
    where: sql.Composable,
    params: list[Any],
    depth: int,
    *,
    filtered: bool,
    exact: bool,
) -> dict[int, float]:
    """comment id -> cosine similarity, best first.

    Exact: every (matching) row is scored. Otherwise, unfiltered, the index is walked on the
    vector table alone (no joins to plan or run); filtered, the walk goes on, iteratively,
    until enough rows pass the filter.
    """
    qvec = vector_literal(query_vector)
    distance = sql.SQL("(v.embedding <=> %s::vector)")
    if exact:  # "+ 0" keeps the planner off the index: every row is scored
        order: sql.Composable = distance + sql.SQL(" + 0")
    else:
        order = distance
        conn.execute(
            "SELECT set_config('hnsw.ef_search', %s, true),"
            " set_config('hnsw.iterative_scan', %s, true),"
            " set_config('hnsw.max_scan_tuples', '100000', true)",
            (str(max(depth, EF_SEARCH)), "relaxed_order" if filtered else "off"),
        )
    source: sql.Composable = sql.SQL(" FROM {} v").format(space.table)
    if filtered:
        source = _FROM + sql.SQL(" JOIN {} v ON v.comment_id = m.id WHERE ").format(space.table)
        source += where
    else:
        params = []
    query = (
        sql.SQL("SELECT v.comment_id AS id, ")
        + distance
        + sql.SQL(" AS d")
        + source
        + sql.SQL(" ORDER BY ")
        + order
        + sql.SQL(" LIMIT %s")
    )
    rows = conn.execute(
        sql.SQL("SELECT id, d FROM (") + query + sql.SQL(") ann ORDER BY d, id"),
        [qvec, *params, qvec, depth],
    ).fetchall()
    return {int(r["id"]): 1.0 - float(r["d"]) for r in rows}


def vector_literal(vector: np.ndarray) -> str:
    """pgvector's text form of a query vector: no adapter (and no catalogue lookup) needed."""
    values = np.asarray(vector, dtype=np.float32).ravel().tolist()
    return "[" + ",".join(map(repr, values)) + "]"


def _theme_leg(
    conn: Conn,
    space: Space,
    query_vector: np.ndarray,
    theme: str,
    where: sql.Composable,
    params: list[Any],
    depth: int,
    *,
    exact: bool,
) -> dict[int, float]:
    """comment id -> cosine, best first, over the comments whose stored themes include `theme`.

    The themes are those the worker stored (enrichment.tagging.tag_comments) for the comment's current
    text, whatever detector version stored them, as the qualitative route counts them.
    """
    tagged = sql.SQL(
        "EXISTS (SELECT 1 FROM comment_themes ct WHERE ct.comment_id = m.id"
        " AND ct.themes @> ARRAY[%s]::text[] AND ct.source_md5 = md5(m.text)) AND "
    )
    return _vector_leg(
        conn,
        space,
        query_vector,
        tagged + where,
        [theme, *params],
        depth,
        filtered=True,
        exact=exact,
    )


def any_word_query(query: str) -> str:
    """Natural questions match on any of their words (websearch syntax ANDs them all).

    A query that uses websearch operators itself (quotes, `-word`, `or`) is left as written.
    """
    words = query.split()
    if '"' in query or any(w.startswith("-") or w.lower() == "or" for w in words):
        return query
    return " or ".join(w.strip("?!.,;:()") for w in words if w.strip("?!.,;:()"))


def _text_leg(
    conn: Conn,
    query: str,
    where: sql.Composable,
    params: list[Any],
    depth: int,
    *,
    filtered: bool,
    candidates: list[int] | None,
) -> dict[int, float]:
    """comment id -> ts_rank of the query's words, best first.

    Text-only search ranks every comment with any of the words. In hybrid search the pool is
    bounded: comments with all of the words (as websearch syntax reads them), plus the vector
    leg's candidates; the pool is then ranked by any of the words. An any-word query over the
    whole corpus matches a third of it at 250k comments and costs seconds to rank.
    """
    source = _FROM if filtered else sql.SQL(" FROM comments m")
    if candidates is None:
        rows = conn.execute(
            sql.SQL("SELECT m.id, ts_rank(m.tsv, q) AS r")
            + source
            + sql.SQL(", websearch_to_tsquery('english', %s) q WHERE m.tsv @@ q AND ")
            + where
            + sql.SQL(" ORDER BY r DESC, m.id LIMIT %s"),
            [any_word_query(query), *params, depth],
        ).fetchall()
        return {int(r["id"]): float(r["r"]) for r in rows}
    rows = conn.execute(
        sql.SQL("WITH pool AS ((SELECT m.id")
        + source
        + sql.SQL(", websearch_to_tsquery('english', %s) q WHERE m.tsv @@ q AND ")
        + where
        + sql.SQL(
            " LIMIT %s) UNION SELECT unnest(%s::bigint[]))"
            " SELECT m.id, ts_rank(m.tsv, q) AS r FROM comments m JOIN pool ON pool.id = m.id,"
            " websearch_to_tsquery('english', %s) q WHERE m.tsv @@ q"
            " ORDER BY r DESC, m.id LIMIT %s"
        ),
        [query, *params, POOL_LIMIT, candidates, any_word_query(query), depth],
    ).fetchall()
    return {int(r["id"]): float(r["r"]) for r in rows}


def _hydrate(conn: Conn, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = conn.execute(
        "SELECT m.id AS comment_id, m.text, m.prompt, m.number AS comment_number,"
        " s.report_id, c.code AS course_code, s.title AS course_title, t.label AS term,"
        " s.section, (SELECT coalesce(array_agg(i.last_name || ', ' || i.first_name"
        "   ORDER BY si.position), '{}') FROM section_instructors si"
        "   JOIN instructors i ON i.id = si.instructor_id WHERE si.section_id = s.id)"
        " AS instructors"
        " FROM comments m JOIN sections s ON s.id = m.section_id"
        " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
        " WHERE m.id = ANY(%s)",
        (ids,),
    ).fetchall()
    return {int(r["comment_id"]): dict(r) for r in rows}
