"""Identical texts as one hit: a sentence many students wrote takes one place in the results,
with how many comments (within the filter and what the caller may read) have it, and their
citations. The key is the space's text key (md5 of the embedded text, one vector per key), so
grouping and the one-vector-per-distinct-text storage agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from core.db import Conn
from embeddings.spaces import Space
from rag.search.legs import COMMENTS_FROM

CITATIONS_PER_HIT = 100
"""Citations listed per grouped hit (its count is exact): "N/A" may have thousands."""


@dataclass(frozen=True)
class Group:
    key: str
    best: int
    """The best-ranked comment with this text: the hit's citation and scores."""
    score: float


def group_ranked(
    ranked: Sequence[tuple[int, float]], key_of: Mapping[int, str], k: int
) -> list[Group]:
    """The first k distinct keys in rank order (pure); a comment with no key is its own."""
    seen: set[str] = set()
    out: list[Group] = []
    for cid, score in ranked:
        key = key_of.get(cid, f"comment:{cid}")
        if key in seen:
            continue
        seen.add(key)
        out.append(Group(key, cid, score))
        if len(out) == k:
            break
    return out


def text_keys(conn: Conn, space: Space, ids: Sequence[int]) -> dict[int, str]:
    """comment id -> the md5 of its embedded text, for comments embedded in the space."""
    rows = conn.execute(
        sql.SQL("SELECT comment_id, source_md5 FROM {} WHERE comment_id = ANY(%s)").format(
            space.mapping
        ),
        (list(ids),),
    ).fetchall()
    return {int(r["comment_id"]): str(r["source_md5"]) for r in rows}


def members(
    conn: Conn,
    space: Space,
    keys: Sequence[str],
    where: sql.Composable,
    params: list[Any],
    *,
    limit: int = CITATIONS_PER_HIT,
) -> dict[str, tuple[int, list[int]]]:
    """key -> (comments within the filter with that text, the first `limit` of their ids)."""
    if not keys:
        return {}
    inner = (
        sql.SQL(
            "SELECT ct.source_md5 AS key, m.id, count(*) OVER w AS n,"
            " row_number() OVER (w ORDER BY m.id) AS r"
        )
        + COMMENTS_FROM
        + sql.SQL(
            " JOIN {} ct ON ct.comment_id = m.id WHERE ct.source_md5 = ANY(%s)"
            " AND m.redacted_at IS NULL AND "
        ).format(space.mapping)
        + where
        + sql.SQL(" WINDOW w AS (PARTITION BY ct.source_md5)")
    )
    query = sql.SQL("SELECT key, id, n FROM (") + inner + sql.SQL(") g WHERE r <= %s ORDER BY id")
    out: dict[str, tuple[int, list[int]]] = {}
    for row in conn.execute(query, [list(keys), *params, limit]).fetchall():
        count, ids = out.get(row["key"], (int(row["n"]), []))
        ids.append(int(row["id"]))
        out[row["key"]] = (count, ids)
    return out
