"""The re-embed benchmark at a tiny size: every shard count embeds and stores the whole corpus."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest

from core.errors import TraceLensError
from core.settings import Settings
from devtools.bench.reembed import _results, format_reembed_benchmark, run_reembed_benchmark


def test_reembed_benchmark_covers_the_corpus_with_each_shard_count(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state", embedding_backend="fake")
    result = run_reembed_benchmark(settings, comments=1000, shard_counts=[1, 2], backend="fake")

    assert [run["processes"] for run in result["runs"]] == [1, 2]
    for run in result["runs"]:
        # shards split the corpus with no overlap and no gap: every comment embedded once
        assert run["embedded"] == run["stored"] >= 1000
        assert run["comments_per_s"] > 0 and run["projected_s"] > 0
    assert "projected for 1,000,000 comments" in format_reembed_benchmark(result)


def test_a_shard_process_that_dies_fails_the_run_instead_of_hanging() -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=sys.exit, args=(3,))]
    procs[0].start()
    with pytest.raises(TraceLensError, match="exited 3"):
        _results(queue, procs)
