"""`tracelens eval retrieval` end to end on a tiny corpus (fake embedder: structure only)."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from rag.eval_retrieval import format_retrieval_eval, run_retrieval_eval


def test_eval_runs_every_mode(tmp_path: Path, corpus: Path) -> None:
    settings = Settings(_env_file=None, state_dir=tmp_path, embedding_backend="fake")  # type: ignore[call-arg]
    run = run_retrieval_eval(settings, corpus=corpus, reports=0, seed=1)
    modes = {(r["mode"], r["embedded_text"]) for r in run.rows}
    assert ("text", "-") in modes
    assert {("vector", t) for t in ("comment", "prompt", "context")} <= modes
    assert {("hybrid", t) for t in ("comment", "prompt", "context")} <= modes
    for row in run.rows:
        for metric in ("recall@10", "mrr", "ndcg@10"):
            assert 0.0 <= row[metric] <= 1.0
    best = max(r["ndcg@10"] for r in run.rows)
    assert best > 0.3  # even bag-of-words retrieval finds labelled themes
    assert "best by nDCG@10" in format_retrieval_eval(run)
