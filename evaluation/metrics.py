"""Evaluation metrics: pure functions over ranked keys and labels, tested without a database."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from enrichment.theme_definitions import THEMES
from evaluation.labelled import CommentKey
from evaluation.queries import EvalQuery


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


def theme_report(
    truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]
) -> dict[str, Any]:
    """Per-theme precision/recall/F1 of multi-label predictions, with micro and macro F1."""
    per_theme: dict[str, dict[str, float]] = {}
    totals = [0, 0, 0]
    for theme in THEMES:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if theme in t and theme in p)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if theme not in t and theme in p)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if theme in t and theme not in p)
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_theme[theme] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    tp, fp, fn = totals
    return {
        "n": len(truth),
        "micro_f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "macro_f1": sum(v["f1"] for v in per_theme.values()) / len(THEMES),
        "per_theme": per_theme,
    }


def classification_report(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1, macro-F1 and the confusion matrix (truth → pred)."""
    pairs = Counter(zip(truth, predicted, strict=True))
    per_class: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = pairs[(label, label)]
        pred = sum(n for (_, p), n in pairs.items() if p == label)
        real = sum(n for (t, _), n in pairs.items() if t == label)
        precision = tp / pred if pred else 0.0
        recall = tp / real if real else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": real}
    return {
        "n": len(truth),
        "accuracy": sum(pairs[(label, label)] for label in labels) / max(len(truth), 1),
        "macro_f1": sum(c["f1"] for c in per_class.values()) / max(len(labels), 1),
        "per_class": per_class,
        "confusion": {t: {p: pairs[(t, p)] for p in labels} for t in labels},
    }


def score_ranked(
    ranked: Sequence[CommentKey], relevant: frozenset[CommentKey], k: int = 10
) -> dict[str, float]:
    """P@k (capped by the relevant count, so 1.0 is reachable), R@k and nDCG@k of one query."""
    found = sum(1 for key in ranked[:k] if key in relevant)
    return {
        "p@10": recall_at_k(ranked, relevant, k),
        "r@10": found / len(relevant) if relevant else 0.0,
        "ndcg@10": ndcg_at_k(ranked, relevant, k),
    }


def mark(value: float, target: float) -> str:
    """How a figure stands against its target, as the reports print it."""
    return "ok" if value >= target else "BELOW TARGET"
