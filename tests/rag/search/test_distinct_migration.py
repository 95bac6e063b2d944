"""Migration 0011 on a space stored one vector per comment: one vector per distinct text after,
every comment still reads its own vector (through the view), and the HNSW index moves along."""

from __future__ import annotations

import numpy as np
from pgvector.psycopg import register_vector
from psycopg import sql

from core.db import Database, connect, with_database
from core.db.migrate import available
from devtools.bench.search_corpus import generate_corpus, load_catalogue
from embeddings.base import FakeEmbedder


def test_a_per_comment_space_becomes_one_vector_per_distinct_text(pg_server: Database) -> None:
    with connect(pg_server.url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS legacy_0010")
        admin.execute("CREATE DATABASE legacy_0010")
    url = with_database(pg_server.url, "legacy_0010")
    steps = available()
    embedder = FakeEmbedder()
    with connect(url) as conn:
        for version, _, migration in steps:
            if version < 11:
                conn.execute(migration.encode())
        load_catalogue(conn, generate_corpus(400, seed=3))
        space_id = conn.execute(
            "INSERT INTO embedding_spaces (name, model, version, backend, dimension, text_mode,"
            " status) VALUES ('fake@1/fake/comment', 'fake-hashing', '1', 'fake', 384,"
            " 'comment', 'active') RETURNING id"
        ).fetchone()["id"]  # type: ignore[index]
        old = sql.Identifier(f"comment_vectors_{space_id}")
        conn.execute(  # the layout ensure_space created before 0011
            sql.SQL(
                "CREATE TABLE {} (comment_id bigint PRIMARY KEY REFERENCES comments (id)"
                " ON DELETE CASCADE, source_md5 text NOT NULL, embedding vector(384) NOT NULL)"
            ).format(old)
        )
        conn.execute(
            sql.SQL("CREATE INDEX {} ON {} USING hnsw (embedding vector_cosine_ops)").format(
                sql.Identifier(f"comment_vectors_{space_id}_hnsw"), old
            )
        )
        rows = conn.execute("SELECT id, text FROM comments ORDER BY id").fetchall()
        vectors = embedder.embed_batch([r["text"] for r in rows])
        register_vector(conn)
        with conn.cursor() as cur:
            cur.executemany(
                sql.SQL("INSERT INTO {} VALUES (%s, md5(%s), %s)").format(old),
                [(r["id"], r["text"], v) for r, v in zip(rows, vectors, strict=True)],
            )

        for version, _, migration in steps:
            if version == 11:
                conn.execute(migration.encode())

        texts = conn.execute(f"SELECT count(*) AS n FROM text_vectors_{space_id}").fetchone()
        assert texts == {"n": len({r["text"] for r in rows})} and texts["n"] < len(rows)
        mapped = conn.execute(f"SELECT count(*) AS n FROM comment_texts_{space_id}").fetchone()
        assert mapped == {"n": len(rows)}
        read = conn.execute(
            f"SELECT comment_id, embedding::real[] AS embedding FROM comment_vectors_{space_id}"
            " ORDER BY comment_id"
        ).fetchall()
        assert [r["comment_id"] for r in read] == [r["id"] for r in rows]
        assert np.allclose(np.array([r["embedding"] for r in read]), vectors, atol=1e-6)
        index = conn.execute(
            "SELECT tablename FROM pg_indexes WHERE indexname = %s",
            (f"text_vectors_{space_id}_hnsw",),
        ).fetchone()
        assert index == {"tablename": f"text_vectors_{space_id}"}
        conn.rollback()
    with connect(pg_server.url, autocommit=True) as admin:
        admin.execute("DROP DATABASE legacy_0010 WITH (FORCE)")
