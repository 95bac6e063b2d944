"""Embedding spaces: which vectors belong together, where they live, and which one is active."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from core.db import Conn
from core.errors import NotFound
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


def ensure_space(conn: Conn, *, embedder: Embedder, text_mode: str, status: str = "ready") -> Space:
    """The space for this embedder and text mode, created (with its vector table) if new."""
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


def list_spaces(conn: Conn) -> list[dict[str, Any]]:
    """Every space with how many vectors it holds."""
    out = []
    for row in conn.execute("SELECT * FROM embedding_spaces ORDER BY id").fetchall():
        space = _from_row(row)
        count = conn.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(space.table))
        total = count.fetchone()
        out.append({**row, "vectors": total["n"] if total else 0})
    return out


def drop_space(conn: Conn, *, name: str) -> None:
    """Remove a space and its vectors."""
    space = get_space(conn, name=name)
    with conn.transaction():
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(space.table))
        conn.execute("DELETE FROM embedding_spaces WHERE id = %s", (space.id,))
