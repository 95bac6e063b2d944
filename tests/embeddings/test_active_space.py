"""The space in service: an upgrade whose `auto` picks another backend says its space is empty."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from core.db import Conn, connect
from devtools.bench.search_corpus import generate_corpus, load_catalogue
from embeddings.active import ModelInService, active_space
from embeddings.base import FakeEmbedder
from embeddings.indexing import store_vectors
from embeddings.spaces import ensure_space


class OtherBackend(FakeEmbedder):
    """The same model and version under another backend name (onnx-int8 → openvino-int8)."""

    backend = "fake-other"


def _section_with_comment(conn: Conn) -> int:
    load_catalogue(conn, generate_corpus(5, seed=1))
    row = conn.execute("SELECT id FROM comments ORDER BY id LIMIT 1").fetchone()
    assert row is not None
    return int(row["id"])


def test_an_empty_space_beside_a_filled_one_is_named_at_start(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with connect(db_url) as conn:
        comment = _section_with_comment(conn)
        old = ensure_space(conn, embedder=FakeEmbedder(), text_mode="comment")
        vector = np.ones((1, old.dimension), dtype=np.float32) / np.sqrt(old.dimension)
        store_vectors(conn, space=old, ids=[comment], texts=["x"], vectors=vector)
        conn.commit()
        with caplog.at_level(logging.WARNING, logger="embeddings.active"):
            served = active_space(
                conn, model=ModelInService(embedder=OtherBackend(), text_mode="comment")
            )
        assert served.backend == "fake-other"
        warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warned) == 1
        assert old.name in warned[0] and "TRACELENS_EMBEDDING_BACKEND=fake" in warned[0]

        caplog.clear()  # the same embedder as the filled space: nothing to say
        with caplog.at_level(logging.WARNING, logger="embeddings.active"):
            active_space(conn, model=ModelInService(embedder=FakeEmbedder(), text_mode="comment"))
        assert [r for r in caplog.records if r.levelno == logging.WARNING] == []
