"""Maximal marginal relevance: pick relevant items that do not repeat each other.

Students say the same thing many times ("too much homework"); quoting five near-copies tells a
reader less than five different views. Pure, so it is tested without a database or a model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_LAMBDA = 0.7
"""Weight of relevance against novelty; 1.0 is plain relevance order, 0.0 pure diversity."""


def mmr_select(
    relevance: Sequence[float],
    vectors: np.ndarray,
    k: int,
    *,
    lambda_: float = DEFAULT_LAMBDA,
) -> list[int]:
    """Indices of k items, greedily maximising λ·relevance − (1−λ)·max cosine to those chosen.

    `relevance` is rescaled to 0..1 first so that λ means the same whatever the scorer (RRF scores
    are tiny, cosines are not); `vectors` rows should be L2-normalised. Ties go to the earlier
    item, so a relevance-ordered input keeps its order when nothing is redundant.
    """
    n = len(relevance)
    if vectors.shape[0] != n:
        raise ValueError(f"{n} relevance scores but {vectors.shape[0]} vectors")
    if not 0.0 <= lambda_ <= 1.0:
        raise ValueError(f"lambda_ must be within 0..1, not {lambda_}")
    if n == 0 or k <= 0:
        return []
    rel = np.asarray(relevance, dtype=np.float64)
    span = rel.max() - rel.min()
    rel = (rel - rel.min()) / span if span > 0 else np.ones(n)
    sims = np.asarray(vectors, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64).T
    chosen: list[int] = []
    redundancy = np.full(n, -np.inf)  # max similarity to anything chosen so far
    available = np.ones(n, dtype=bool)
    while len(chosen) < min(k, n):
        penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
        score = lambda_ * rel - (1.0 - lambda_) * penalty
        score[~available] = -np.inf
        best = int(np.argmax(score))  # argmax returns the first of equal scores
        chosen.append(best)
        available[best] = False
        redundancy = np.maximum(redundancy, sims[best])
    return chosen
