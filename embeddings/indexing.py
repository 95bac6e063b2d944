"""Embedding stored comments into a space: what text is embedded, and which comments need it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
from pgvector.psycopg import register_vector
from psycopg import sql

from core.db import Conn
from core.errors import ConfigError
from embeddings.base import Embedder, FakeEmbedder, embed_texts
from embeddings.feeding import feed
from embeddings.models import load_embedder
from embeddings.spaces import Space, live_spaces
from embeddings.spans import embed_with_parts

if TYPE_CHECKING:
    from core.settings import Settings

log = logging.getLogger(__name__)

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


def text_md5(text: str) -> str:
    """The key a text's vector is stored under (and a comment's mapping names)."""
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def comment_rows(
    conn: Conn, *, after_id: int, end_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` comments with ids in (after_id, end_id), in id order, with their context."""
    bound = sql.SQL(" AND m.id < %s") if end_id is not None else sql.SQL("")
    query = sql.SQL("{base} WHERE m.id > %s{bound} ORDER BY m.id LIMIT %s").format(
        base=sql.SQL(_COMMENTS), bound=bound
    )
    params = (after_id, end_id, limit) if end_id is not None else (after_id, limit)
    return conn.execute(query, params).fetchall()


def pending_comments(
    conn: Conn, *, space: Space, section_ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Comments with no vector in the space, or whose embedded text has changed since."""
    where = sql.SQL(" WHERE m.section_id = ANY(%s)") if section_ids is not None else sql.SQL("")
    query = sql.SQL(
        "SELECT * FROM ({base}{where}) m LEFT JOIN {table} v ON v.comment_id = m.id ORDER BY m.id"
    ).format(base=sql.SQL(_COMMENTS), where=where, table=space.mapping)
    rows = conn.execute(query, (list(section_ids),) if section_ids is not None else ()).fetchall()
    out = []
    for row in rows:
        text = embedding_text(row, space.text_mode)
        if row["source_md5"] != text_md5(text):
            out.append({"id": row["id"], "text": text})
    return out


def store_vectors(
    conn: Conn, *, space: Space, ids: Sequence[int], texts: Sequence[str], vectors: np.ndarray
) -> None:
    """Point each comment at its embedded text's vector, storing each distinct text's vector
    once (COPY); a comment that had another text lets go of it (its vector goes with its last
    comment: core/migrations/0011)."""
    if not len(ids):
        return
    digests = [text_md5(t) for t in texts]
    store_texts(conn, space=space, vectors=dict(zip(digests, vectors, strict=True)))
    map_comments(conn, space=space, ids=ids, digests=digests)


def store_texts(conn: Conn, *, space: Space, vectors: Mapping[str, np.ndarray]) -> None:
    """Add the vectors of texts (by md5) the space does not hold yet, through one COPY.

    Rows go in md5 order: two writers adding overlapping texts (re-embed shards, workers) then
    wait on each other's uncommitted rows in one order and cannot deadlock."""
    if not vectors:
        return
    register_vector(conn)
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS incoming_text_vectors (text_md5 text, embedding vector)"
    )
    conn.execute("TRUNCATE incoming_text_vectors")
    copy_sql = "COPY incoming_text_vectors (text_md5, embedding) FROM STDIN WITH (FORMAT BINARY)"
    with conn.cursor() as cur, cur.copy(copy_sql) as copy:
        copy.set_types(["text", "vector"])
        for digest, vector in vectors.items():
            copy.write_row((digest, vector))
    conn.execute(
        sql.SQL(
            "INSERT INTO {} (text_md5, embedding) SELECT text_md5, embedding"
            " FROM incoming_text_vectors ORDER BY text_md5 ON CONFLICT (text_md5) DO NOTHING"
        ).format(space.texts)
    )


def map_comments(conn: Conn, *, space: Space, ids: Sequence[int], digests: Sequence[str]) -> None:
    """Which text each comment has (its texts' vectors must be stored already)."""
    conn.execute(
        sql.SQL(
            "INSERT INTO {m} AS old (comment_id, source_md5)"
            " SELECT * FROM unnest(%s::bigint[], %s::text[])"
            " ON CONFLICT (comment_id) DO UPDATE SET source_md5 = EXCLUDED.source_md5"
            " WHERE old.source_md5 <> EXCLUDED.source_md5"
        ).format(m=space.mapping),
        (list(ids), list(digests)),
    )


def stored_texts(conn: Conn, *, space: Space, digests: Sequence[str]) -> set[str]:
    """The md5s among `digests` whose text already has a vector in the space."""
    rows = conn.execute(
        sql.SQL("SELECT text_md5 FROM {} WHERE text_md5 = ANY(%s)").format(space.texts),
        (list(set(digests)),),
    ).fetchall()
    return {str(r["text_md5"]) for r in rows}


WRITE_RANGES = 3
"""New texts are embedded and written in up to this many runs of their md5 order: while the model
embeds one run, a writer thread inserts the one before into the space (the HNSW insert is
Postgres's CPU, about 2 ms a vector), and every writer still adds texts in ascending md5 order
(store_texts: no deadlock)."""

RANGE_MIN = 256
"""Texts a run holds at least: the model sorts a run by length into its batches, and a small
pool pads more (see ingestion.workers.table)."""


def md5_runs(digests: Sequence[str], *, runs: int) -> list[list[int]]:
    """Indexes into `digests` in md5 order, cut into `runs` contiguous runs of nearly equal size
    (each run's md5s all below the next run's)."""
    order = sorted(range(len(digests)), key=lambda i: digests[i])
    bounds = [round(k * len(order) / runs) for k in range(runs + 1)]
    return [order[a:b] for a, b in pairwise(bounds) if b > a]


def embed_and_store(
    conn: Conn,
    *,
    space: Space,
    embedder: Embedder,
    ids: Sequence[int],
    texts: Sequence[str],
    batch_size: int = 64,
    split: Callable[[str], list[str]] | None = None,
) -> dict[str, np.ndarray]:
    """Map the comments to their texts, running the model only on texts the space does not
    hold yet, each once (students repeat themselves: "N/A", "Great class." — about 13% of
    comments repeat another's text exactly); returns the new vectors by text and, with `split`,
    the vectors of their parts by part text, pooled from the same pass (embeddings.spans).

    The new texts go through the model in md5 runs (WRITE_RANGES), each run's vectors written
    by a thread of `feed` while the model embeds the next; `conn` is the writer's until the
    last run is written."""
    digests = [text_md5(t) for t in texts]
    held = stored_texts(conn, space=space, digests=digests)
    new = dict(zip(digests, texts, strict=True))
    for digest in held:
        del new[digest]
    keys = list(new)
    runs = md5_runs(keys, runs=max(1, min(WRITE_RANGES, len(keys) // RANGE_MIN)))
    out: dict[str, np.ndarray] = {}

    def model(run: list[int]) -> dict[str, np.ndarray]:
        unique = [new[keys[i]] for i in run]
        if split is None:
            vectors = embed_texts(embedder, unique, batch_size=batch_size)
            parts = dict(zip(unique, vectors, strict=True))
        else:
            vectors, parts = embed_with_parts(embedder, unique, split, batch_size=batch_size)
        for text, vector in parts.items():
            out.setdefault(text, vector)  # a part in several runs: its first run's vector
        return {keys[i]: v for i, v in zip(run, vectors, strict=True)}

    def write(vectors: dict[str, np.ndarray]) -> None:
        store_texts(conn, space=space, vectors=vectors)

    feed(runs, model, write, depth=1, name="embed")
    map_comments(conn, space=space, ids=ids, digests=digests)
    return out


def embed_sections(
    conn: Conn,
    *,
    space: Space,
    embedder: Embedder,
    section_ids: Sequence[int] | None = None,
    batch_size: int = 64,
    settings: Settings | None = None,
    collect: dict[str, np.ndarray] | None = None,
    split: Callable[[str], list[str]] | None = None,
) -> int:
    """Embed what is missing or stale in the given sections (all when None); returns the count.

    With `settings` (the worker passes them) the sections also go into every other live space —
    the active one and any a re-embed is building — so a model switch loses no upload.
    `collect`, when given, receives `space`'s new vectors by embedded text and, with `split`,
    those of the texts' parts (sentences) pooled from the same model pass: theme tagging reuses
    them instead of running the model again.
    """
    if settings is not None and not space_exists(conn, space=space):
        # a worker started before a switch whose old space was since dropped: skip it
        log.warning("embedding space %s was dropped; embedding into the live ones", space.name)
        done = 0
    else:
        done = _embed_into(conn, space, embedder, section_ids, batch_size, collect, split)
    if settings is not None:
        for other in live_spaces(conn):
            if other.id != space.id:
                other_embedder = space_embedder(other, settings=settings, like=embedder)
                extra = _embed_into(conn, other, other_embedder, section_ids, batch_size)
                log.debug("also embedded %d comments into %s", extra, other.name)
    return done


def _embed_into(
    conn: Conn,
    space: Space,
    embedder: Embedder,
    section_ids: Sequence[int] | None,
    batch_size: int,
    collect: dict[str, np.ndarray] | None = None,
    split: Callable[[str], list[str]] | None = None,
) -> int:
    pending = pending_comments(conn, space=space, section_ids=section_ids)
    if not pending:
        return 0
    by_text = embed_and_store(
        conn,
        space=space,
        embedder=embedder,
        ids=[p["id"] for p in pending],
        texts=[p["text"] for p in pending],
        batch_size=batch_size,
        split=split if collect is not None else None,
    )
    if collect is not None:
        collect.update(by_text)
    return len(pending)


def space_embedder(space: Space, *, settings: Settings, like: Embedder | None = None) -> Embedder:
    """The embedder that fills `space`: `like` when it built the space, else its backend's."""
    if like is not None and _identity(like) == (
        space.model,
        space.version,
        space.backend,
        space.dimension,
    ):
        return like
    embedder: Embedder = (
        FakeEmbedder(space.dimension)
        if space.backend == "fake"
        else load_embedder(
            space.backend, threads=settings.embedding_threads, cache_dir=settings.model_cache
        )
    )
    if _identity(embedder) != (space.model, space.version, space.backend, space.dimension):
        raise ConfigError(
            f"embedding space {space.name!r} was built by {space.backend} {space.model}"
            f"@{space.version}; this installation has {embedder.model}@{embedder.version}"
        )
    return embedder


def _identity(embedder: Embedder) -> tuple[str, str, str, int]:
    return (embedder.model, embedder.version, embedder.backend, embedder.dimension)


def space_exists(conn: Conn, *, space: Space) -> bool:
    row = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL AS ok", (f"comment_vectors_{space.id}",)
    ).fetchone()
    return bool(row and row["ok"])


def count_embedded(conn: Conn, *, space: Space, section_ids: Sequence[int]) -> dict[int, int]:
    """How many comments of each section have a vector in the space (one query for all)."""
    if not space_exists(conn, space=space):
        return dict.fromkeys(section_ids, 0)
    rows = conn.execute(
        sql.SQL(
            "SELECT m.section_id, count(*) AS n FROM {} v JOIN comments m ON m.id = v.comment_id"
            " WHERE m.section_id = ANY(%s) GROUP BY m.section_id"
        ).format(space.mapping),
        (list(section_ids),),
    ).fetchall()
    counts = {int(r["section_id"]): int(r["n"]) for r in rows}
    return {section_id: counts.get(section_id, 0) for section_id in section_ids}
