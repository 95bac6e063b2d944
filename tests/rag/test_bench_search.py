"""The search benchmark end to end at a tiny size: its result's shape and its sanity checks."""

from __future__ import annotations

from rag.bench_search import K, format_search_benchmark, run_search_benchmark


def test_search_benchmark_runs_small() -> None:
    result = run_search_benchmark(comments=3000, queries=20, embedder_backend="fake")

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

    report = format_search_benchmark(result)
    assert "HNSW index build" in report and "recall@10" in report and "targets:" in report
