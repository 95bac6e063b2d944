"""Retrieval evaluation: recall@k, MRR and nDCG@10 by search mode, and P@10, R@10, nDCG@10 by
search signals, over labelled queries asked of a stored corpus.

The MLOps gate measures vector search with `evaluate` over the sample corpus's query set;
`tracelens eval retrieval` (devtools.evaluate.retrieval) runs every mode and signal on the
generated and the independent set:

  P@10     relevant comments in the top 10 / min(10, relevant): 1.0 is reachable whatever the
           size of the relevant set (the query set's "recall@10");
  R@10     relevant comments in the top 10 / relevant;
  nDCG@10  binary relevance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.db import Conn
from evaluation.labelled import CommentKey, stored_keys
from evaluation.metrics import score_ranked, summarize
from evaluation.queries import EvalQuery, EvalSet
from rag.search.filters import SearchFilters
from rag.search.hybrid import Mode
from rag.search.searcher import PLAIN, Searcher, Signals

SetName = Literal["generated", "independent"]


SETS: tuple[SetName, ...] = ("generated", "independent")


MODES: tuple[Mode, ...] = ("vector", "text", "hybrid")


TEXT_MODES = ("comment", "prompt", "context")

Split = Literal["dev", "test"]
SPLITS: tuple[Split, ...] = ("dev", "test")
"""DEV and TEST halves of the independent set (the generated set's queries are all one split)."""


CONFIGS: dict[str, Signals] = {
    "plain": PLAIN,
    "+theme tags": Signals(theme_tags=True, expansion=False),
    "+expansion": Signals(theme_tags=False, expansion=True),
    "+theme tags +expansion": Signals(),
}
"""The search signals measured side by side; the last is what the product serves."""


TARGET_P10 = 0.8


@dataclass(frozen=True)
class Case:
    """A query of either set: its text, filters, relevant comments and DEV/TEST split."""

    id: str
    query: str
    filters: SearchFilters
    relevant: frozenset[CommentKey]
    split: str


@dataclass
class EvalRun:
    corpus: Path
    queries: int
    comments: int
    backend: str
    rows: list[dict[str, Any]]
    per_query: list[dict[str, Any]] = field(default_factory=list)
    """One row per (query, mode, embedded text): the ranked keys' hits, for tracking runs."""
    paraphrase: list[dict[str, Any]] = field(default_factory=list)
    """One row per (signals, set, split): P@10, R@10 and nDCG@10 of hybrid search."""
    paraphrase_queries: list[dict[str, Any]] = field(default_factory=list)
    """One row per (signals, set, query): its figures and which of the top 10 were relevant."""


def _filters(query: EvalQuery) -> SearchFilters:
    return SearchFilters(
        course=query.filters.get("course"), instructor=query.filters.get("instructor")
    )


def evaluate(
    conn: Conn,
    searcher: Searcher,
    eval_set: EvalSet,
    *,
    mode: Mode,
    k: int = 10,
    record: list[dict[str, Any]] | None = None,
) -> dict[str, float]:
    """Metrics of one search mode over the eval set (keys mapped to stored comment ids).

    Hybrid search goes through the searcher with its signals, as the product serves it.
    """
    keys = stored_keys(conn)
    results = []
    for query in eval_set.queries:
        hits = searcher.search(
            conn, query=query.query, k=max(k, 10), filters=_filters(query), mode=mode
        )
        results.append((query, [keys[h.citation.comment_id] for h in hits]))
        if record is not None:
            record.append(query_result(query, results[-1][1], mode=mode, k=k))
    return summarize(results, k=k)


def generated_cases(eval_set: EvalSet) -> list[Case]:
    return [
        Case(f"g{i:03d}", q.query, _filters(q), q.relevant, "all")
        for i, q in enumerate(eval_set.queries, start=1)
    ]


def paraphrase_eval(
    conn: Conn,
    searcher: Searcher,
    cases: Sequence[Case],
    *,
    set_name: str,
    configs: dict[str, Signals] | None = None,
    k: int = 10,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(summary rows per signals and split, per-query rows) of hybrid search over the cases."""
    keys = stored_keys(conn)
    rows: list[dict[str, Any]] = []
    per_query: list[dict[str, Any]] = []
    for name, signals in (configs or CONFIGS).items():
        scored = []
        for case in cases:
            hits = searcher.search(
                conn, query=case.query, k=k, filters=case.filters, mode="hybrid", signals=signals
            )
            ranked = [keys[h.citation.comment_id] for h in hits]
            figures = score_ranked(ranked, case.relevant, k)
            scored.append((case, figures))
            per_query.append(
                {
                    "set": set_name,
                    "signals": name,
                    "id": case.id,
                    "split": case.split,
                    "query": case.query,
                    "relevant": len(case.relevant),
                    **figures,
                    "top_relevant": [key in case.relevant for key in ranked[:k]],
                }
            )
        conn.commit()
        splits = [s for s in SPLITS if any(c.split == s for c, _ in scored)]
        for split in [*splits, "all"]:
            chosen = [f for c, f in scored if split == "all" or c.split == split]
            if not chosen or (split == "all" and len(splits) == 1):
                continue
            rows.append(
                {
                    "signals": name,
                    "set": set_name,
                    "split": split,
                    "queries": len(chosen),
                    **{
                        m: sum(f[m] for f in chosen) / len(chosen)
                        for m in ("p@10", "r@10", "ndcg@10")
                    },
                }
            )
    return rows, per_query


def query_result(
    query: EvalQuery, ranked: list[CommentKey], *, mode: str, k: int
) -> dict[str, Any]:
    """One query's outcome: its metrics and which of the top k were relevant."""
    one = summarize([(query, ranked)], k=k)
    return {
        "query": query.query,
        "theme": query.theme,
        "filters": query.filters,
        "mode": mode,
        "relevant": len(query.relevant),
        **{name: value for name, value in one.items() if name != "queries"},
        "top_relevant": [key in query.relevant for key in ranked[:k]],
    }


def format_retrieval_eval(run: EvalRun, *, k: int = 10) -> str:
    lines = []
    if run.rows:
        lines += [
            f"retrieval evaluation (generated set): {run.queries} queries over {run.comments}"
            f" comments (embedder backend {run.backend})",
            f"  {'mode':7} {'embedded text':14} {f'recall@{k}':>10} {'MRR':>8} {'nDCG@10':>8}",
        ]
        for row in run.rows:
            lines.append(
                f"  {row['mode']:7} {row['embedded_text']:14} {row[f'recall@{k}']:10.4f}"
                f" {row['mrr']:8.4f} {row['ndcg@10']:8.4f}"
            )
        best = max(run.rows, key=lambda r: r["ndcg@10"])
        lines.append(f"  best by nDCG@10: {best['mode']} / {best['embedded_text']}")
    if run.paraphrase:
        lines += [
            "",
            "hybrid search by signals, generated and independent sets side by side"
            f" (target P@10 >= {TARGET_P10} on the independent set)",
            "  P@10 = relevant in top 10 / min(10, relevant); R@10 = relevant in top 10 / relevant",
            f"  {'signals':24} {'set':12} {'split':5} {'queries':>7} {'P@10':>7} {'R@10':>7}"
            f" {'nDCG@10':>8}",
        ]
        for name in dict.fromkeys(r["signals"] for r in run.paraphrase):
            for row in (r for r in run.paraphrase if r["signals"] == name):
                lines.append(
                    f"  {name:24} {row['set']:12} {row['split'].upper():5} {row['queries']:7d}"
                    f" {row['p@10']:7.3f} {row['r@10']:7.3f} {row['ndcg@10']:8.3f}"
                )
    return "\n".join(lines)
