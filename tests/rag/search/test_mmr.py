"""Maximal marginal relevance, worked by hand on tiny vectors."""

from __future__ import annotations

import numpy as np
import pytest

from rag.search.mmr import mmr_select


def _unit(*rows: tuple[float, float]) -> np.ndarray:
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_near_duplicate_loses_to_a_different_view() -> None:
    # 0 and 1 say the same thing (cosine 1); 2 is orthogonal and much less relevant.
    vectors = _unit((1, 0), (1, 0), (0, 1))
    # Relevance is already 0..1. After 0 is chosen (λ = 0.5):
    # item 1 scores 0.5*0.9 - 0.5*1 = -0.05, item 2 scores 0.5*0 - 0.5*0 = 0.
    assert mmr_select([1.0, 0.9, 0.0], vectors, 2, lambda_=0.5) == [0, 2]


def test_lambda_one_is_relevance_order_and_zero_is_diversity() -> None:
    vectors = _unit((1, 0), (1, 0.01), (0, 1), (0.7, 0.7))
    rel = [0.9, 0.8, 0.3, 0.1]
    assert mmr_select(rel, vectors, 4, lambda_=1.0) == [0, 1, 2, 3]
    # λ=0: first pick is a tie broken by position (0); then the least similar to it (2).
    assert mmr_select(rel, vectors, 2, lambda_=0.0) == [0, 2]


def test_relevance_scale_does_not_matter() -> None:
    """RRF scores are around 0.03; rescaling means λ behaves the same as for cosines."""
    vectors = _unit((1, 0), (0.95, 0.31), (0, 1))
    small = mmr_select([0.033, 0.032, 0.016], vectors, 3)
    large = mmr_select([0.99, 0.96, 0.48], vectors, 3)
    assert small == large


def test_hand_computed_third_pick() -> None:
    # cos(0,1)=0.6, cos(0,2)=0, cos(1,2)=0.8; relevance rescaled to 1, 0.5, 0 (λ = 0.7).
    vectors = _unit((1, 0), (0.6, 0.8), (0, 1))
    # pick 0; then item1: 0.7*0.5-0.3*0.6=0.17, item2: 0-0.3*0=0 -> 1; then 2 is left.
    assert mmr_select([3.0, 2.0, 1.0], vectors, 3, lambda_=0.7) == [0, 1, 2]
    # with λ=0.4: item1: 0.4*0.5-0.6*0.6=-0.16, item2: 0 -> 2 comes second.
    assert mmr_select([3.0, 2.0, 1.0], vectors, 3, lambda_=0.4) == [0, 2, 1]


def test_edges() -> None:
    vectors = _unit((1, 0), (0, 1))
    assert mmr_select([], np.zeros((0, 2)), 3) == []
    assert mmr_select([1.0, 1.0], vectors, 0) == []
    assert mmr_select([1.0, 1.0], vectors, 5) == [0, 1]  # k beyond n: all, equal relevance
    with pytest.raises(ValueError, match="2 relevance scores but 1 vectors"):
        mmr_select([1.0, 2.0], vectors[:1], 1)
    with pytest.raises(ValueError, match="lambda_"):
        mmr_select([1.0, 2.0], vectors, 1, lambda_=1.5)
