"""The labelled retrieval query set, built with the generated corpus, and its metrics.

Relevance is known by construction: the corpus generator labels every comment with its themes
and tone, so a query about a theme (and, where it says so, a tone) within a scope (everything,
one course, one instructor) has exactly those comments as its relevant set.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CommentKey = tuple[str, str, int]
"""(report file name, prompt, comment number): a comment's identity before it is stored."""

NEGATIVE = ("negative", "mixed")
POSITIVE = ("positive", "mixed")

# Queries the way people type them: (text, theme, tones that count as relevant or None for all).
QUERIES: dict[str, list[tuple[str, tuple[str, ...] | None]]] = {
    "workload": [
        ("is the homework load heavy", NEGATIVE),
        ("how much work is this course", None),
        ("too many assignments every week", NEGATIVE),
        ("was the workload manageable", POSITIVE),
    ],
    "clarity": [
        ("are the lectures clear", None),
        ("does the professor explain things well", POSITIVE),
        ("confusing explanations in class", NEGATIVE),
    ],
    "feedback": [
        ("does she answer emails", None),
        ("how quickly is homework graded", None),
        ("useful feedback on assignments", POSITIVE),
        ("no feedback on our work", NEGATIVE),
    ],
    "exams": [
        ("exams unfair", NEGATIVE),
        ("are the tests hard", None),
        ("midterm and final exam", None),
    ],
    "organisation": [
        ("is the course well organized", POSITIVE),
        ("disorganized syllabus and canvas", NEGATIVE),
    ],
    "inclusivity": [
        ("does the instructor make everyone feel welcome", POSITIVE),
        ("respectful and inclusive classroom", None),
        ("students felt excluded or unwelcome", NEGATIVE),
    ],
    "pace": [
        ("is the course too fast", NEGATIVE),
        ("pace of the lectures", None),
    ],
    "enthusiasm": [
        ("is the professor passionate about the subject", POSITIVE),
        ("boring lectures read from slides", NEGATIVE),
    ],
    "online logistics": [
        ("zoom problems in the online class", NEGATIVE),
        ("online office hours and recordings", None),
    ],
}


@dataclass(frozen=True)
class EvalQuery:
    query: str
    theme: str
    tones: tuple[str, ...] | None
    filters: dict[str, str]
    relevant: frozenset[CommentKey]


@dataclass(frozen=True)
class LabelledComment:
    key: CommentKey
    text: str
    prompt: str
    course: str
    instructors: tuple[str, ...]
    themes: tuple[str, ...]
    tone: str


@dataclass
class EvalSet:
    comments: list[LabelledComment] = field(default_factory=list)
    queries: list[EvalQuery] = field(default_factory=list)


def load_labelled_comments(corpus_dir: Path) -> list[LabelledComment]:
    """Every comment of a generated corpus with its labels and the scope fields filters use."""
    out: list[LabelledComment] = []
    for labels_path in sorted(corpus_dir.glob("*.labels.json")):
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
        truth_path = labels_path.with_name(labels_path.name.replace(".labels.json", ".json"))
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        people = tuple(f"{i['last']}, {i['first']}" for i in truth["instructors"])
        for c in labels["comments"]:
            out.append(
                LabelledComment(
                    key=(labels["file"], c["prompt"], int(c["number"])),
                    text=c["text"],
                    prompt=c["prompt"],
                    course=truth["course"]["code"],
                    instructors=people,
                    themes=tuple(c["themes"]),
                    tone=c["tone"],
                )
            )
    return out


def build_eval_set(corpus_dir: Path, *, seed: int = 0, scoped_per_theme: int = 3) -> EvalSet:
    """Corpus-wide queries for every phrasing, plus course- and instructor-scoped ones."""
    comments = load_labelled_comments(corpus_dir)
    rng = random.Random(seed)
    queries: list[EvalQuery] = []

    def relevant(theme: str, tones: tuple[str, ...] | None, scope: dict[str, str]) -> frozenset:
        return frozenset(
            c.key
            for c in comments
            if theme in c.themes
            and (tones is None or c.tone in tones)
            and ("course" not in scope or c.course == scope["course"])
            and ("instructor" not in scope or scope["instructor"] in c.instructors)
        )

    courses = sorted({c.course for c in comments})
    people = sorted({p for c in comments for p in c.instructors})
    for theme, phrasings in QUERIES.items():
        for text, tones in phrasings:
            rel = relevant(theme, tones, {})
            if rel:
                queries.append(EvalQuery(text, theme, tones, {}, rel))
        for _ in range(scoped_per_theme):
            text, tones = rng.choice(phrasings)
            scope = (
                {"course": rng.choice(courses)}
                if rng.random() < 0.5
                else {"instructor": rng.choice(people)}
            )
            rel = relevant(theme, tones, scope)
            if rel:
                queries.append(EvalQuery(text, theme, tones, scope, rel))
    return EvalSet(comments=comments, queries=queries)


def recall_at_k(ranked: Sequence[CommentKey], relevant: frozenset[CommentKey], k: int) -> float:
    """Share of the relevant comments found in the top k (capped by k, so 1.0 is reachable)."""
    if not relevant:
        return 0.0
    found = sum(1 for key in ranked[:k] if key in relevant)
    return found / min(len(relevant), k)


def reciprocal_rank(ranked: Sequence[CommentKey], relevant: frozenset[CommentKey]) -> float:
    for rank, key in enumerate(ranked, start=1):
        if key in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[CommentKey], relevant: frozenset[CommentKey], k: int = 10) -> float:
    """Binary-relevance nDCG@k."""
    dcg = sum(1.0 / math.log2(i + 2) for i, key in enumerate(ranked[:k]) if key in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def summarize(
    results: Sequence[tuple[EvalQuery, Sequence[CommentKey]]], *, k: int = 10
) -> dict[str, float]:
    """Mean recall@k, MRR and nDCG@10 over (query, ranked keys) pairs."""
    n = len(results) or 1
    return {
        "queries": float(len(results)),
        f"recall@{k}": sum(recall_at_k(r, q.relevant, k) for q, r in results) / n,
        "mrr": sum(reciprocal_rank(r, q.relevant) for q, r in results) / n,
        "ndcg@10": sum(ndcg_at_k(r, q.relevant, 10) for q, r in results) / n,
    }


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
