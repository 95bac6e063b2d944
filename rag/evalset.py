"""The labelled retrieval query set, built with the generated corpus, and its metrics.

Relevance is known by construction: the corpus generator labels every comment with its themes
and tone, so a query about a theme (and, where it says so, a tone) within a scope (everything,
one course, one instructor) has exactly those comments as its relevant set."""

from __future__ import annotations

import numpy as np

from evaluation.labelled import CommentKey
from evaluation.queries import EvalQuery, EvalSet


def rank_in_memory(
    eval_set: EvalSet, comment_vectors: np.ndarray, query_vectors: np.ndarray, *, depth: int = 50
) -> list[tuple[EvalQuery, list[CommentKey]]]:
    """Exact cosine ranking within each query's scope (rows of both arrays L2-normalised).

    This measures an embedding model alone, with no database: `tracelens bench embed` uses it.
    """
    results = []
    for query, qvec in zip(eval_set.queries, query_vectors, strict=True):
        scope = [
            i
            for i, c in enumerate(eval_set.comments)
            if ("course" not in query.filters or c.course == query.filters["course"])
            and ("instructor" not in query.filters or query.filters["instructor"] in c.instructors)
        ]
        scores = comment_vectors[scope] @ qvec
        top = np.argsort(-scores)[:depth]
        results.append((query, [eval_set.comments[scope[i]].key for i in top]))
    return results
