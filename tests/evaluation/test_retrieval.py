"""`tracelens eval retrieval` end to end on a tiny corpus (fake embedder: structure only)."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from devtools.evaluate.retrieval import run_retrieval_eval
from evaluation.retrieval import EvalRun, format_retrieval_eval


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


def test_independent_split_is_fixed_and_documented() -> None:
    """Queries: odd numeric id DEV, even TEST. Comments: by report file, sha256 of its name."""
    import hashlib

    from devtools.evaluate.retrieval import independent_cases
    from devtools.independent import file_split, load_theme_labels, query_split

    cases = independent_cases()
    assert len(cases) == 100  # s001–s076, and the third batch's s077–s100
    assert all(c.split == ("dev" if int(c.id[1:]) % 2 else "test") for c in cases)
    assert sum(c.split == "dev" for c in cases) == 50
    assert query_split("s001") == "dev" and query_split("s002") == "test"
    labels = load_theme_labels()
    assert len(labels) == 386
    for label in labels:
        first = hashlib.sha256(label.key[0].encode()).digest()[0]
        assert label.split == file_split(label.key[0]) == ("dev" if first % 2 == 0 else "test")
    assert {label.split for label in labels} == {"dev", "test"}


def test_independent_search_eval_scores_every_signal_and_split(tmp_path: Path) -> None:
    """Structure only (fake embedder): every signals row for DEV, TEST and all, in range."""
    from devtools.evaluate.retrieval import run_independent_search
    from evaluation.retrieval import CONFIGS

    settings = Settings(_env_file=None, state_dir=tmp_path, embedding_backend="fake")  # type: ignore[call-arg]
    rows, per_query, _backend = run_independent_search(settings)
    assert {(r["signals"], r["split"]) for r in rows} == {
        (name, split) for name in CONFIGS for split in ("dev", "test", "all")
    }
    for row in rows:
        assert row["queries"] == (100 if row["split"] == "all" else 50)
        assert all(0.0 <= row[m] <= 1.0 for m in ("p@10", "r@10", "ndcg@10"))
    assert len(per_query) == 100 * len(CONFIGS)
    plain = next(r for r in rows if r["signals"] == "plain" and r["split"] == "all")
    assert plain["p@10"] > 0.1  # even hashed bag-of-words finds some paraphrases
    text = format_retrieval_eval(
        EvalRun(corpus=tmp_path, queries=0, comments=0, backend="fake", rows=[], paraphrase=rows)
    )
    assert "independent  DEV" in text and "P@10" in text


def test_independent_dev_split_holds_no_test_query(tmp_path: Path) -> None:
    """--split dev: only DEV queries are searched and only DEV rows come back (no "all" row,
    which would be the same figures again)."""
    from devtools.evaluate.retrieval import independent_cases, run_independent_search

    assert {c.split for c in independent_cases(split="dev")} == {"dev"}
    assert len(independent_cases(split="test")) == 50
    settings = Settings(_env_file=None, state_dir=tmp_path, embedding_backend="fake")  # type: ignore[call-arg]
    rows, per_query, _backend = run_independent_search(settings, split="dev")
    assert {r["split"] for r in rows} == {"dev"}
    assert {q["split"] for q in per_query} == {"dev"}
    assert all(int(q["id"][1:]) % 2 == 1 for q in per_query)
