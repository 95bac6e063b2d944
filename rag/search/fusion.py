"""Rank fusion: pure functions over ranked lists, tested without a database."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

RRF_K = 60
"""The constant of Cormack et al.'s reciprocal rank fusion; dampens the weight of top ranks."""


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[K]], *, k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[K, float]]:
    """Fuse ranked lists: score(d) = sum over lists of w / (k + rank of d), best first.

    Ties are broken by the best single rank, then by first appearance, so the order is stable.
    """
    if weights is not None and len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    scores: dict[K, float] = {}
    best: dict[K, int] = {}
    first_seen: dict[K, int] = {}
    for list_index, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[list_index]
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
            best[key] = min(best.get(key, rank), rank)
            first_seen.setdefault(key, len(first_seen))
    return sorted(scores.items(), key=lambda kv: (-kv[1], best[kv[0]], first_seen[kv[0]]))
