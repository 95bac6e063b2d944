"""Retrieval metrics and the labelled query set (pure; no database)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from evaluation.metrics import ndcg_at_k, recall_at_k, reciprocal_rank
from evaluation.queries import build_eval_set

A, B, C, D = (("f", "p", i) for i in range(4))


def test_metrics_by_hand() -> None:
    relevant = frozenset({A, C})
    ranked = [B, A, D, C]
    assert recall_at_k(ranked, relevant, 2) == 0.5
    assert recall_at_k(ranked, relevant, 10) == 1.0
    assert reciprocal_rank(ranked, relevant) == 0.5
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k(ranked, relevant, 10) == pytest.approx(
        (1 / math.log2(3) + 1 / math.log2(5)) / ideal
    )
    assert ndcg_at_k([A, C], relevant) == pytest.approx(1.0)
    assert reciprocal_rank([B, D], relevant) == 0.0


def test_query_set_relevance_follows_the_labels(corpus: Path) -> None:
    eval_set = build_eval_set(corpus)
    by_key = {c.key: c for c in eval_set.comments}
    assert eval_set.queries
    for query in eval_set.queries:
        assert query.relevant
        for key in query.relevant:
            comment = by_key[key]
            assert query.theme in comment.themes
            assert query.tones is None or comment.tone in query.tones
            if "course" in query.filters:
                assert comment.course == query.filters["course"]
            if "instructor" in query.filters:
                assert query.filters["instructor"] in comment.instructors
    assert any(q.filters for q in eval_set.queries) and any(not q.filters for q in eval_set.queries)
