"""The search benchmark measures ANN recall on each of several fresh index builds."""

from __future__ import annotations

from devtools.bench.search import format_search_benchmark, run_search_benchmark


def test_each_fresh_index_build_has_its_recall_printed() -> None:
    result = run_search_benchmark(
        comments=3000, queries=20, embedder_backend="fake", diagnose=False, builds=3
    )
    builds = result["recall"]["builds"]
    assert len(builds) == 3 and builds[0] == result["recall"]["at_10"]
    assert all(0.8 <= r <= 1.0 for r in builds)
    assert result["targets"]["recall"] == (min(builds) >= 0.98)
    line = next(
        x for x in format_search_benchmark(result).splitlines() if "each fresh index build" in x
    )
    assert line.endswith(", ".join(f"{r:.3f}" for r in builds))
