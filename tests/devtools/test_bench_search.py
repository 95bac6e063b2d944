"""The search benchmark end to end at a tiny size: its result's shape and its sanity checks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from devtools.bench.search import K, format_search_benchmark, run_search_benchmark
from devtools.bench.text_modes import format_text_mode_benchmark, run_text_mode_benchmark
from devtools.bench.vectors import comment_vectors, context_vectors
from embeddings.base import FakeEmbedder, embed_texts


def test_search_benchmark_runs_small() -> None:
    result = run_search_benchmark(
        comments=3000, queries=20, embedder_backend="fake", text_mode="context"
    )

    assert result["comments"] == 3000
    assert result["embedder"]["backend"] == "fake" and result["embedder"]["fallback"] is None
    assert result["timings"]["index_build_s"] > 0
    for name in ("hybrid", "hybrid_course", "hybrid_subject", "vector", "text", "exact_vector"):
        case = result["cases"][name]
        assert case["n"] >= 20 and 0 < case["p50_ms"] <= case["p95_ms"], name
    for name in ("hybrid", "hybrid_course", "hybrid_subject", "vector", "exact_vector"):
        assert result["cases"][name]["short"] == 0, f"{name} returned fewer than {K} hits"
    assert result["targets"]["full_k"]
    assert 0.8 <= result["recall"]["at_10"] <= 1.0
    assert [row["ef_search"] for row in result["ef_sweep"]] == sorted(
        row["ef_search"] for row in result["ef_sweep"]
    )
    assert 0 < result["text_diagnosis"]["match_share_p50"] < 1
    fit = result["vectors"]["context_fit"]  # comments embedded with their context
    assert result["vectors"]["text_mode"] == "context" and fit["sample"] > 0
    assert -1 <= fit["cosine_min"] <= fit["cosine_mean"] <= 1 and fit["headers"] > 1

    report = format_search_benchmark(result)
    assert "HNSW index build" in report and "recall@10" in report and "targets:" in report


def test_comment_vectors_keep_real_embeddings_and_derive_the_rest() -> None:
    texts = ["exams were fair", "too much homework", "exams were fair", "great lectures"] * 5
    groups = [("exams", "positive"), ("workload", "negative")] * 10
    made = comment_vectors(FakeEmbedder(), texts, groups, np.random.default_rng(1), base_texts=2)

    assert made.embedded == 2 and made.vectors.shape == (20, FakeEmbedder().dimension)
    np.testing.assert_allclose(np.linalg.norm(made.vectors, axis=1), 1.0, rtol=1e-5)
    real = dict(zip(texts, embed_texts(FakeEmbedder(), texts), strict=True))
    for text, vector, own in zip(texts, made.vectors, made.own, strict=True):
        # a comment keeps its own embedding exactly when its text was one of those embedded
        assert own == bool(np.allclose(vector, real[text], atol=1e-6))
    assert 0 < made.own.sum() < len(texts)


def test_context_fit_recovers_a_known_mixture() -> None:
    """With an embedder whose context embedding is exactly a mixture, the fit finds it."""
    parts = FakeEmbedder()

    class Mixing(FakeEmbedder):
        def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
            out = []
            for text in texts:
                if ". " in text:  # a context text: "<course> <title>, <term>. <prompt> <comment>"
                    header, rest = text.split(". ", 1)
                    prompt, comment = rest.split(" | ", 1)
                    h, p, c = parts.embed_batch([header + ".", prompt, comment])
                    out.append(0.6 * c + 0.3 * h + 0.1 * p)
                else:
                    out.append(parts.embed_batch([text])[0])
            return np.asarray(out, dtype=np.float32)

    texts = [f"comment {i % 7}" for i in range(60)]
    made = comment_vectors(Mixing(), texts, [("t", "n")] * 60, np.random.default_rng(2), 7)
    rows = [
        {"course": f"CS{5000 + i % 3}", "title": "Algorithms", "term": "Fall 2023",
         "prompt": f"Q{i % 2} |", "text": text}
        for i, text in enumerate(texts)
    ]  # fmt: skip
    vectors, fit = context_vectors(
        Mixing(), made, rows, [i % 3 for i in range(60)], np.random.default_rng(3)
    )

    assert fit.cosine_min > 0.999 and vectors.shape == made.vectors.shape
    a, b, c = fit.weights
    assert abs(b / a - 0.5) < 0.01 and abs(c / a - 1 / 6) < 0.01


def test_text_mode_benchmark_compares_real_and_emulated_spaces() -> None:
    result = run_text_mode_benchmark(comments=600, queries=10, backend="fake")

    assert set(result["recall"]) == {
        "comment, real",
        "comment, emulated",
        "context, real",
        "context, emulated",
    }
    for by_ef in result["recall"].values():
        assert all(0 < value <= 1 for value in by_ef.values())
    assert "context, emulated" in format_text_mode_benchmark(result)
