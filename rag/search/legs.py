"""The legs of hybrid search, each one SQL query: vector (exact or HNSW), theme, full text.

Each returns comment id -> score, best first; rag.search.hybrid fuses them. The benchmark
(`tracelens bench search`) times and explains these same queries."""

from __future__ import annotations

from typing import Any

import numpy as np
from psycopg import sql

from core.auth.access import EVERYTHING, Access
from core.db import Conn
from embeddings.spaces import Space

EF_SEARCH = 160
"""hnsw.ef_search of the ANN walk. At 250k comments with the index of embeddings.spaces
(m 24, ef_construction 100), recall@10 was 0.956/0.973/0.988/0.991 at 64/100/160/250, the same
to the third decimal on three fresh builds; the bare walk took 6-9 ms at 160 on a loaded 2-core
machine."""


POOL_LIMIT = 200
"""Comments with all the query's words that join the vector candidates in hybrid search."""


EXACT_SCAN_LIMIT = 5000
"""Filters matching at most this many comments get an exact vector scan (cheap, and complete)."""


COMMENTS_FROM = sql.SQL(
    " FROM comments m JOIN sections s ON s.id = m.section_id"
    " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
)


def count_matching(conn: Conn, where: sql.Composable, params: list[Any], *, limit: int) -> int:
    """Comments matching the filter, counted up to `limit` (all the caller needs to know)."""
    query = sql.SQL("SELECT count(*) AS n FROM (SELECT 1") + COMMENTS_FROM + sql.SQL(" WHERE ")
    row = conn.execute(query + where + sql.SQL(" LIMIT %s) hit"), [*params, limit])
    found = row.fetchone()
    return int(found["n"]) if found else 0


def space_size(conn: Conn, space: Space) -> int:
    """The space's vector count: the planner's estimate, or a bounded count before any ANALYZE.

    Only compared with EXACT_SCAN_LIMIT, so a stale estimate costs a little speed, never hits.
    """
    row = conn.execute(
        "SELECT reltuples::bigint AS n FROM pg_class WHERE oid = %s::regclass",
        (space.texts.as_string(conn),),
    ).fetchone()
    if row is not None and row["n"] >= 0:
        return int(row["n"])
    found = conn.execute(
        sql.SQL("SELECT count(*) AS n FROM (SELECT 1 FROM {} LIMIT %s) v").format(space.texts),
        (EXACT_SCAN_LIMIT + 1,),
    ).fetchone()
    return int(found["n"]) if found else 0


def vector_leg(
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

    Exact: every (matching) row is scored. Otherwise, unfiltered, the index is walked over the
    space's distinct texts alone (no joins to plan or run) and the `depth` nearest texts are
    expanded to every comment that has them; filtered, the walk goes on, iteratively, until
    enough comments pass the filter.
    """
    if not exact:
        conn.execute(
            "SELECT set_config('hnsw.ef_search', %s, true),"
            " set_config('hnsw.iterative_scan', %s, true),"
            " set_config('hnsw.max_scan_tuples', '100000', true)",
            (str(max(depth, EF_SEARCH)), "relaxed_order" if filtered else "off"),
        )
    statement, args = vector_leg_statement(
        space, query_vector, where, params, depth, filtered=filtered, exact=exact
    )
    rows = conn.execute(statement, args).fetchall()
    return {int(r["id"]): 1.0 - float(r["d"]) for r in rows}


def vector_leg_statement(
    space: Space,
    query_vector: np.ndarray,
    where: sql.Composable,
    params: list[Any],
    depth: int,
    *,
    filtered: bool,
    exact: bool,
) -> tuple[sql.Composed, list[Any]]:
    """The vector leg's query and its arguments (the benchmark times and explains it too)."""
    qvec = vector_literal(query_vector)
    distance = sql.SQL("(v.embedding <=> %s::vector)")
    # "+ 0" keeps the planner off the index: every row is scored
    order: sql.Composable = distance + sql.SQL(" + 0") if exact else distance
    if not filtered:
        # the nearest distinct texts, then every comment with one of them
        texts = (
            sql.SQL("SELECT v.text_md5, ")
            + distance
            + sql.SQL(" AS d FROM {} v ORDER BY ").format(space.texts)
            + order
            + sql.SQL(" LIMIT %s")
        )
        statement = (
            sql.SQL("SELECT ct.comment_id AS id, ann.d FROM (")
            + texts
            + sql.SQL(") ann JOIN {} ct ON ct.source_md5 = ann.text_md5 ORDER BY d, id").format(
                space.mapping
            )
        )
        return statement, [qvec, qvec, depth]
    source = COMMENTS_FROM + sql.SQL(
        " JOIN {} ct ON ct.comment_id = m.id JOIN {} v ON v.text_md5 = ct.source_md5 WHERE "
    ).format(space.mapping, space.texts)
    query = (
        sql.SQL("SELECT ct.comment_id AS id, ")
        + distance
        + sql.SQL(" AS d")
        + source
        + where
        + sql.SQL(" ORDER BY ")
        + order
        + sql.SQL(" LIMIT %s")
    )
    statement = sql.SQL("SELECT id, d FROM (") + query + sql.SQL(") ann ORDER BY d, id")
    return statement, [qvec, *params, qvec, depth]


def vector_literal(vector: np.ndarray) -> str:
    """pgvector's text form of a query vector: no adapter (and no catalogue lookup) needed."""
    values = np.asarray(vector, dtype=np.float32).ravel().tolist()
    return "[" + ",".join(map(repr, values)) + "]"


def theme_leg(
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

    The themes are those the worker stored (enrichment.tagging.tag_comments) for the comment's
    current text, whatever detector version stored them, as the qualitative route counts them.
    """
    tagged = sql.SQL(
        "EXISTS (SELECT 1 FROM comment_themes ct WHERE ct.comment_id = m.id"
        " AND ct.themes @> ARRAY[%s]::text[] AND ct.source_md5 = md5(m.text)) AND "
    )
    return vector_leg(
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


def text_leg(
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
    statement, args = text_leg_statement(
        query, where, params, depth, filtered=filtered, candidates=candidates
    )
    rows = conn.execute(statement, args).fetchall()
    return {int(r["id"]): float(r["r"]) for r in rows}


def text_leg_statement(
    query: str,
    where: sql.Composable,
    params: list[Any],
    depth: int,
    *,
    filtered: bool,
    candidates: list[int] | None,
) -> tuple[sql.Composed, list[Any]]:
    """The text leg's query and its arguments (the benchmark times and explains it too)."""
    source = COMMENTS_FROM if filtered else sql.SQL(" FROM comments m")
    if candidates is None:
        statement = (
            sql.SQL("SELECT m.id, ts_rank(m.tsv, q) AS r")
            + source
            + sql.SQL(", websearch_to_tsquery('english', %s) q WHERE m.tsv @@ q AND ")
            + where
            + sql.SQL(" ORDER BY r DESC, m.id LIMIT %s")
        )
        return statement, [any_word_query(query), *params, depth]
    statement = (
        sql.SQL("WITH pool AS ((SELECT m.id")
        + source
        + sql.SQL(", websearch_to_tsquery('english', %s) q WHERE m.tsv @@ q AND ")
        + where
        + sql.SQL(
            " LIMIT %s) UNION SELECT unnest(%s::bigint[]))"
            " SELECT m.id, ts_rank(m.tsv, q) AS r FROM comments m JOIN pool ON pool.id = m.id,"
            " websearch_to_tsquery('english', %s) q WHERE m.tsv @@ q"
            " ORDER BY r DESC, m.id LIMIT %s"
        )
    )
    return statement, [query, *params, POOL_LIMIT, candidates, any_word_query(query), depth]


def hydrate(
    conn: Conn, ids: list[int], *, access: Access = EVERYTHING
) -> dict[int, dict[str, Any]]:
    """The hits' text and citations: only comments `access` may read, never a redacted one."""
    readable, params = access.comment_condition("m")
    query = sql.SQL(
        "SELECT m.id AS comment_id, m.text, m.prompt, m.number AS comment_number,"
        " s.report_id, c.code AS course_code, s.title AS course_title, t.label AS term,"
        " s.source_type AS source, CASE WHEN s.source_type = 'survey' THEN s.title END AS survey,"
        " s.section, (SELECT coalesce(array_agg(i.last_name || ', ' || i.first_name"
        "   ORDER BY si.position), '{}') FROM section_instructors si"
        "   JOIN instructors i ON i.id = si.instructor_id WHERE si.section_id = s.id)"
        " AS instructors"
        " FROM comments m JOIN sections s ON s.id = m.section_id"
        " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
        " WHERE m.id = ANY(%s) AND m.redacted_at IS NULL AND "
    )
    rows = conn.execute(query + readable, [ids, *params]).fetchall()
    return {int(r["comment_id"]): dict(r) for r in rows}
