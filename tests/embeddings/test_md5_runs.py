"""New texts go through the model in md5 runs, each written while the next embeds: every text is
written once, in ascending md5 order across runs, and the vectors are those of one pass."""

from __future__ import annotations

import numpy as np
from psycopg import sql

from core.db import connect
from devtools.bench.search_corpus import generate_corpus, load_catalogue
from embeddings.base import FakeEmbedder
from embeddings.indexing import RANGE_MIN, WRITE_RANGES, embed_sections, md5_runs, text_md5
from embeddings.spaces import ensure_space
from enrichment.sentiment import split_sentences


def test_runs_cover_every_text_once_in_md5_order() -> None:
    digests = [text_md5(f"comment {i}") for i in range(1000)]
    runs = md5_runs(digests, runs=3)
    assert [len(r) for r in runs] == [333, 334, 333]
    flat = [i for run in runs for i in run]
    assert sorted(flat) == list(range(1000))
    assert [digests[i] for i in flat] == sorted(digests)  # each run's md5s below the next's
    assert md5_runs(digests[:2], runs=3) == [[i] for i in sorted(range(2), key=digests.__getitem__)]
    assert md5_runs([], runs=1) == []


def test_several_runs_store_each_distinct_text_once_with_its_vector(db_url: str) -> None:
    embedder = FakeEmbedder()
    with connect(db_url) as conn:
        load_catalogue(conn, generate_corpus(WRITE_RANGES * RANGE_MIN * 2, seed=3))
        space = ensure_space(conn, embedder=embedder, text_mode="comment")
        parts: dict[str, np.ndarray] = {}
        done = embed_sections(
            conn, space=space, embedder=embedder, collect=parts, split=split_sentences
        )
        texts = [r["text"] for r in conn.execute("SELECT text FROM comments").fetchall()]
        assert done == len(texts)
        assert len(set(texts)) >= WRITE_RANGES * RANGE_MIN  # so three runs were written
        stored = conn.execute(
            sql.SQL("SELECT text_md5, embedding FROM {}").format(space.texts)
        ).fetchall()
        assert len(stored) == len({text_md5(t) for t in texts})
        by_md5 = {r["text_md5"]: r["embedding"].to_numpy() for r in stored}
        for text in list(dict.fromkeys(texts))[:50]:
            assert np.allclose(by_md5[text_md5(text)], embedder.embed_batch([text])[0], atol=1e-6)
        mapped = conn.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(space.mapping))
        assert mapped.fetchone() == {"n": len(texts)}
        # every sentence theme tagging judges came back from the same pass
        assert all(s in parts for t in texts for s in (split_sentences(t) or [t]))
        conn.rollback()
