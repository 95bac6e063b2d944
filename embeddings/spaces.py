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
        """The table holding this space's vectors."""
        return sql.Identifier(f"comment_vectors_{self.id}")


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
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {table} ("
            " comment_id bigint PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,"
            " source_md5 text NOT NULL,"
            " embedding vector({dim}) NOT NULL)"
        ).format(table=space.table, dim=sql.Literal(space.dimension))
    )


def build_index(conn: Conn, space: Space) -> None:
    """The space's HNSW cosine index (a no-op when it exists)."""
    conn.execute(
        sql.SQL(
            "CREATE INDEX IF NOT EXISTS {index} ON {table}"
            " USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        ).format(index=sql.Identifier(f"comment_vectors_{space.id}_hnsw"), table=space.table)
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
    """Every space with how many vectors it holds and its size on disk (table and index)."""
    out = []
    for row in conn.execute("SELECT * FROM embedding_spaces ORDER BY id").fetchall():
        space = _from_row(row)
        count = conn.execute(
            sql.SQL(
                "SELECT count(*) AS n, pg_total_relation_size({name}::regclass) AS bytes FROM {t}"
            ).format(name=sql.Literal(f"comment_vectors_{space.id}"), t=space.table)
        ).fetchone()
        n, size = (count["n"], count["bytes"]) if count else (0, 0)
        out.append({**row, "vectors": n, "bytes": size})
    return out


def drop_space(conn: Conn, *, name: str, force: bool = False) -> None:
    """Remove a space and its vectors; the active space and one being built need `force`."""
    space = get_space(conn, name=name)
    if space.status in ("active", "building") and not force:
        raise ConfigError(f"embedding space {name!r} is {space.status}; retire it first (or force)")
    with conn.transaction():
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(space.table))
        conn.execute("DELETE FROM embedding_spaces WHERE id = %s", (space.id,))
