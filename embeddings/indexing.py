"""Embedding stored comments into a space: what text is embedded, and which comments need it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from pgvector.psycopg import register_vector
from psycopg import sql

from core.db import Conn
from embeddings.base import Embedder, embed_texts
from embeddings.spaces import Space

_COMMENTS = """
SELECT m.id, m.text, m.prompt, c.code AS course, s.title, t.label AS term
  FROM comments m JOIN sections s ON s.id = m.section_id
  JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id
"""


def embedding_text(row: dict[str, Any], mode: str) -> str:
    """The text embedded for a comment: the comment alone, or with its prompt, or its context."""
    if mode == "prompt":
        return f"{row['prompt']} {row['text']}"
    if mode == "context":
        return f"{row['course']} {row['title']}, {row['term']}. {row['prompt']} {row['text']}"
    return str(row["text"])


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def pending_comments(
    conn: Conn, *, space: Space, section_ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Comments with no vector in the space, or whose embedded text has changed since."""
    where = sql.SQL(" WHERE m.section_id = ANY(%s)") if section_ids is not None else sql.SQL("")
    query = sql.SQL(
        "SELECT * FROM ({base}{where}) m LEFT JOIN {table} v ON v.comment_id = m.id ORDER BY m.id"
    ).format(base=sql.SQL(_COMMENTS), where=where, table=space.table)
    rows = conn.execute(query, (list(section_ids),) if section_ids is not None else ()).fetchall()
    out = []
    for row in rows:
        text = embedding_text(row, space.text_mode)
        if row["source_md5"] != _md5(text):
            out.append({"id": row["id"], "text": text})
    return out


def store_vectors(
    conn: Conn, *, space: Space, ids: Sequence[int], texts: Sequence[str], vectors: np.ndarray
) -> None:
    register_vector(conn)
    with conn.cursor() as cur:
        cur.executemany(
            sql.SQL(
                "INSERT INTO {} (comment_id, source_md5, embedding) VALUES (%s, %s, %s)"
                " ON CONFLICT (comment_id) DO UPDATE SET source_md5 = EXCLUDED.source_md5,"
                " embedding = EXCLUDED.embedding"
            ).format(space.table),
            [(i, _md5(t), v) for i, t, v in zip(ids, texts, vectors, strict=True)],
        )


def embed_sections(
    conn: Conn,
    *,
    space: Space,
    embedder: Embedder,
    section_ids: Sequence[int] | None = None,
    batch_size: int = 64,
) -> int:
    """Embed what is missing or stale in the given sections (all when None); returns the count."""
    pending = pending_comments(conn, space=space, section_ids=section_ids)
    if not pending:
        return 0
    texts = [p["text"] for p in pending]
    vectors = embed_texts(embedder, texts, batch_size=batch_size)
    store_vectors(conn, space=space, ids=[p["id"] for p in pending], texts=texts, vectors=vectors)
    return len(pending)


def count_embedded(conn: Conn, *, space: Space, section_id: int) -> int:
    row = conn.execute(
        sql.SQL(
            "SELECT count(*) AS n FROM {} v JOIN comments m ON m.id = v.comment_id"
            " WHERE m.section_id = %s"
        ).format(space.table),
        (section_id,),
    ).fetchone()
    return int(row["n"]) if row else 0
