"""Embedding spaces: which vectors belong together, where they live, and which one is active."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from core.db import Conn
from core.errors import ConfigError, NotFound
from embeddings.base import Embedder


@dataclass(frozen=True)
class Space:
    id: int
    name: str
    model: str
    version: str
    backend: str
    dimension: int
    text_mode: str
    status: str

    @property
    def table(self) -> sql.Identifier:
        """This space's vectors by comment (comment_id, source_md5, embedding): a view over
        `texts` and `mapping`, for readers that look vectors up by comment."""
        return sql.Identifier(f"comment_vectors_{self.id}")

    @property
    def texts(self) -> sql.Identifier:
        """One vector per distinct embedded text (text_md5, embedding); the HNSW index's table."""
        return sql.Identifier(f"text_vectors_{self.id}")

    @property
    def mapping(self) -> sql.Identifier:
        """Which embedded text each comment has (comment_id, source_md5 = its text_md5)."""
        return sql.Identifier(f"comment_texts_{self.id}")


def space_name(model: str, version: str, backend: str, text_mode: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9.\-]+", "-", model).strip("-").lower()
    return f"{slug}@{version}/{backend}/{text_mode}"


def _from_row(row: dict[str, Any]) -> Space:
    return Space(**{k: row[k] for k in Space.__dataclass_fields__})


def ensure_space(
    conn: Conn, *, embedder: Embedder, text_mode: str, status: str = "ready", index: bool = True
) -> Space:
    """The space for this embedder and text mode, created (with its vector table) if new.

    A re-embed creates its space without the HNSW index (`index=False`) and builds it once the
    vectors are in: one build is far faster than inserting into the graph row by row.
    """
    name = space_name(embedder.model, embedder.version, embedder.backend, text_mode)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (name,))
        row = conn.execute("SELECT * FROM embedding_spaces WHERE name = %s", (name,)).fetchone()
        if row is None:
            row = conn.execute(
                "INSERT INTO embedding_spaces (name, model, version, backend, dimension,"
                " text_mode, status) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING *",
                (
                    name,
                    embedder.model,
                    embedder.version,
                    embedder.backend,
                    embedder.dimension,
                    text_mode,
                    status,
                ),
            ).fetchone()
            assert row is not None
            space = _from_row(row)
            _create_vector_table(conn, space)
            if index:
                build_index(conn, space)
            return space
    return _from_row(row)


def _create_vector_table(conn: Conn, space: Space) -> None:
    """The space's text vectors, comment mapping and view (core/migrations/0011 defines them)."""
    conn.execute("SELECT create_space_tables(%s, %s)", (space.id, space.dimension))


def index_name(space: Space) -> sql.Identifier:
    return sql.Identifier(f"text_vectors_{space.id}_hnsw")


HNSW_M = 24
HNSW_EF_CONSTRUCTION = 100
"""The HNSW graph's degree and build-time beam. At 250k comments, recall@10 of three fresh builds
at hnsw.ef_search 160 was 0.974/0.974/0.969 with (16, 64), 0.977/0.976/0.980 with (16, 128),
0.983/0.979/0.980 with (32, 64) and 0.988/0.988/0.988 with (24, 100), which builds in ~1.5x the
time of (16, 64) (one-off runs over the benchmark corpus, 2026-11-29; `tracelens bench search`
prints the figure for the values in force)."""


def index_definition() -> sql.Composed:
    """The USING/WITH clause of every space's vector index (the benchmark builds the same)."""
    return sql.SQL(
        "USING hnsw (embedding vector_cosine_ops) WITH (m = {}, ef_construction = {})"
    ).format(sql.Literal(HNSW_M), sql.Literal(HNSW_EF_CONSTRUCTION))


def build_index(conn: Conn, space: Space) -> None:
    """The space's HNSW cosine index over its distinct texts (a no-op when it exists)."""
    conn.execute(
        sql.SQL("CREATE INDEX IF NOT EXISTS {index} ON {table} {how}").format(
            index=index_name(space), table=space.texts, how=index_definition()
        )
    )


def get_space(conn: Conn, *, name: str) -> Space:
    row = conn.execute("SELECT * FROM embedding_spaces WHERE name = %s", (name,)).fetchone()
    if row is None:
        raise NotFound(f"no embedding space named {name!r}")
    return _from_row(row)


def get_space_by_id(conn: Conn, *, space_id: int) -> Space:
    row = conn.execute("SELECT * FROM embedding_spaces WHERE id = %s", (space_id,)).fetchone()
    if row is None:
        raise NotFound(f"no embedding space with id {space_id}")
    return _from_row(row)


def live_spaces(conn: Conn) -> list[Space]:
    """The spaces new comments must reach: the active one and any being built."""
    rows = conn.execute(
        "SELECT * FROM embedding_spaces WHERE status IN ('active', 'building') ORDER BY id"
    ).fetchall()
    return [_from_row(row) for row in rows]


def set_status(conn: Conn, *, space: Space, status: str) -> Space:
    row = conn.execute(
        "UPDATE embedding_spaces SET status = %s WHERE id = %s RETURNING *", (status, space.id)
    ).fetchone()
    if row is None:
        raise NotFound(f"no embedding space named {space.name!r}")
    return _from_row(row)


def activate(conn: Conn, *, space: Space, previous: str = "retired") -> Space | None:
    """Make `space` the active one; the one it replaces gets `previous`. Returns that one."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('embedding_spaces.active'))")
        row = conn.execute(
            "UPDATE embedding_spaces SET status = %s WHERE status = 'active' AND id <> %s"
            " RETURNING *",
            (previous, space.id),
        ).fetchone()
        conn.execute("UPDATE embedding_spaces SET status = 'active' WHERE id = %s", (space.id,))
    return _from_row(row) if row is not None else None


def list_spaces(conn: Conn) -> list[dict[str, Any]]:
    """Every space with how many comments it covers, how many distinct vectors it holds and
    its size on disk (tables and indexes)."""
    out = []
    for row in conn.execute("SELECT * FROM embedding_spaces ORDER BY id").fetchall():
        space = _from_row(row)
        count = conn.execute(
            sql.SQL(
                "SELECT (SELECT count(*) FROM {m}) AS n, (SELECT count(*) FROM {t}) AS texts,"
                " pg_total_relation_size({tn}::regclass)"
                " + pg_total_relation_size({mn}::regclass) AS bytes"
            ).format(
                m=space.mapping,
                t=space.texts,
                tn=sql.Literal(f"text_vectors_{space.id}"),
                mn=sql.Literal(f"comment_texts_{space.id}"),
            )
        ).fetchone()
        n, texts, size = (count["n"], count["texts"], count["bytes"]) if count else (0, 0, 0)
        out.append({**row, "vectors": n, "distinct_texts": texts, "bytes": size})
    return out


def drop_space(conn: Conn, *, name: str, force: bool = False) -> None:
    """Remove a space and its vectors; the active space and one being built need `force`."""
    space = get_space(conn, name=name)
    if space.status in ("active", "building") and not force:
        raise ConfigError(f"embedding space {name!r} is {space.status}; retire it first (or force)")
    with conn.transaction():
        conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(space.table))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}, {}").format(space.mapping, space.texts))
        conn.execute("DELETE FROM embedding_spaces WHERE id = %s", (space.id,))
