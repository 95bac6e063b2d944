"""A re-embed with the real int8 (quantised) backend runs end to end through the gate."""

from __future__ import annotations

from core.db import connect
from core.settings import Settings
from embeddings.active import configured_model
from mlops.reembed import format_outcome, reembed
from mlops.registry import RegisteredModel, register, resolve


def test_int8_reembed_runs_through_the_gate(ml: Settings, champion: RegisteredModel) -> None:
    assert ml.database_dsn is not None
    settings = ml.model_copy(update={"embedding_threads": 2})
    int8 = configured_model(
        settings.model_copy(update={"embedding_backend": "onnx-int8", "embedding_model": None})
    ).embedder
    candidate = register(settings, embedder=int8, text_mode=settings.embedding_text)
    assert candidate.tags["quantisation"].startswith("dynamic int8")

    outcome = reembed(
        settings, ml.database_dsn, model_ref=candidate.uri, shard=None, progress=False
    )
    gate = outcome.gate
    assert gate is not None, outcome.note
    # the real model against hashed bag-of-words: it must win, and be promoted
    assert gate.promoted and gate.candidate_ndcg is not None and gate.champion_ndcg is not None
    assert gate.candidate_ndcg > gate.champion_ndcg
    assert resolve(settings, "champion").backend == "onnx-int8"
    printed = format_outcome(outcome)
    assert "PROMOTED to champion" in printed and "onnx-int8" in printed
    with connect(ml.database_dsn) as conn:
        row = conn.execute(
            "SELECT s.status, (SELECT count(*) FROM comments) AS comments FROM embedding_spaces s"
            " WHERE s.backend = 'onnx-int8'"
        ).fetchone()
    assert row is not None and row["status"] == "active"
    assert outcome.shards[0].embedded == row["comments"]
