"""The pipeline benchmark's report: the ratio, each embedder round behind its baseline, the load."""

from __future__ import annotations

from devtools.bench.pipeline import format_pipeline_benchmark


def test_the_report_shows_the_ratio_every_embedder_round_and_the_load() -> None:
    result = {
        "reports": 10,
        "workers": 1,
        "failed": 0,
        "upload_seconds": 0.5,
        "end_to_end_seconds": 5.0,
        "end_to_end_per_s": 2.0,
        "parse_only_per_s": 20.0,
        "comments": 400,
        "comments_per_s": 80.0,
        "embedder_comments_per_s": 100.0,
        "embedder_rounds": [300.0, 100.0, 90.0],
        "load_average": [1.5, 2.25, 0.75],
    }
    text = format_pipeline_benchmark(result)
    assert "end-to-end / embedder: 0.80 (target >= 0.80: met)" in text
    assert "median of 300.0, 100.0, 90.0" in text
    assert "load average (1 min): start 1.50, after pipeline 2.25, after embedder 0.75" in text
    slower = format_pipeline_benchmark({**result, "comments_per_s": 60.0})
    assert "end-to-end / embedder: 0.60 (target >= 0.80: NOT met)" in slower
