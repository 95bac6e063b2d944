"""`tracelens bench embed`: throughput and retrieval quality of the fast backend against fp32.

Every backend embeds the same comment texts in the same process, with the same threads and the
same batch size (the baseline's 32), each after a warm-up, in alternating rounds (so a noisy
neighbour slows all alike); the median round of each counts, and the rounds are printed too.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.settings import Settings
from devtools.corpus.writer import write_corpus
from embeddings.base import Embedder, embed_texts
from embeddings.models import bf16_hardware, describe, load_embedder, resolve_backend
from evaluation.labelled import CommentKey
from evaluation.metrics import summarize
from evaluation.queries import EvalQuery, EvalSet, build_eval_set

BASELINE_BACKEND = "st-fp32"
BASELINE_BATCH = 32
TARGET_SPEEDUP = 2.5
TARGET_NDCG_LOSS = 0.01
"""Largest relative nDCG@10 drop against fp32 that still meets the target."""


def candidate_backends() -> list[str]:
    """The faster backends worth measuring on this machine (bf16 needs bf16 hardware)."""
    return (["torch-bf16"] if bf16_hardware() else []) + ["openvino-int8", "onnx-int8"]


def run_embed_benchmark(
    *,
    corpus_dir: Path | None,
    reports: int,
    seed: int,
    settings: Settings,
    rounds: int = 3,
    backends: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Comments/s and nDCG@10 / recall@10 / MRR of st-fp32 and each fast backend, batch 32."""
    candidates = candidate_backends() if backends is None else list(backends)
    if corpus_dir is None:
        with tempfile.TemporaryDirectory(prefix="tl-bench-embed-") as tmp:
            write_corpus(Path(tmp), reports=reports, seed=seed)
            return _measure(Path(tmp), settings, rounds=rounds, candidates=candidates)
    return _measure(corpus_dir, settings, rounds=rounds, candidates=candidates)


def _measure(
    corpus_dir: Path, settings: Settings, *, rounds: int, candidates: Sequence[str]
) -> dict[str, Any]:
    eval_set = build_eval_set(corpus_dir)
    texts = [c.text for c in eval_set.comments]
    queries = [q.query for q in eval_set.queries]
    # every backend gets the same thread count: the setting, else one per CPU
    threads, cache = settings.embedding_threads or os.cpu_count() or 1, settings.model_cache

    embedders: dict[str, Embedder] = {}
    load_s: dict[str, float] = {}
    for backend in [BASELINE_BACKEND, *candidates]:
        started = time.perf_counter()
        embedders[backend] = load_embedder(backend, threads=threads, cache_dir=cache)
        load_s[backend] = time.perf_counter() - started

    batch = BASELINE_BATCH
    for embedder in embedders.values():
        embed_texts(embedder, texts[: batch * 4], batch_size=batch)
    per_round: dict[str, list[float]] = {backend: [] for backend in embedders}
    loads: list[float] = []
    for _ in range(rounds):  # alternate, so a noisy neighbour slows every backend alike
        for backend, embedder in embedders.items():
            t0 = time.perf_counter()
            embed_texts(embedder, texts, batch_size=batch)
            per_round[backend].append(len(texts) / (time.perf_counter() - t0))
        loads.append(os.getloadavg()[0])

    results: dict[str, dict[str, Any]] = {}
    baseline_vectors = None
    for backend, embedder in embedders.items():
        vectors = embed_texts(embedder, texts, batch_size=batch)
        query_vectors = embed_texts(embedder, queries, batch_size=batch)
        if baseline_vectors is None:
            baseline_vectors = vectors
        cosine = (baseline_vectors * vectors).sum(axis=1)
        results[backend] = {
            **describe(embedder),
            "batch_size": batch,
            "comments_per_s": statistics.median(per_round[backend]),
            "comments_per_s_by_round": per_round[backend],
            "load_s": load_s[backend],
            "build_s": getattr(embedder, "build_seconds", None),
            "cosine_to_baseline": {"mean": float(cosine.mean()), "min": float(cosine.min())},
            **summarize(rank_in_memory(eval_set, vectors, query_vectors)),
        }
    base = results[BASELINE_BACKEND]
    for r in results.values():
        r["speedup"] = r["comments_per_s"] / base["comments_per_s"]
        r["ndcg_change"] = (r["ndcg@10"] - base["ndcg@10"]) / base["ndcg@10"]
        r["speedup_met"] = r["speedup"] >= TARGET_SPEEDUP
        r["ndcg_met"] = r["ndcg_change"] >= -TARGET_NDCG_LOSS
    return {
        "corpus_dir": str(corpus_dir),
        "comments": len(texts),
        "queries": len(queries),
        "rounds": rounds,
        "threads": threads,
        "load_average_by_round": loads,
        "chosen": resolve_backend(settings.embedding_backend),
        "backends": results,
    }


def format_embed_benchmark(result: dict[str, Any]) -> str:
    """A short human report of `run_embed_benchmark`'s result."""
    backends = result["backends"]
    base = backends[BASELINE_BACKEND]
    lines = [
        f"{base['model']} {base['version']}: {result['comments']} comments, "
        f"{result['queries']} queries, median of {result['rounds']} rounds, "
        f"threads {result['threads']} each, load average "
        + "/".join(f"{x:.1f}" for x in result["load_average_by_round"]),
    ]
    for backend, r in backends.items():
        label = (
            "baseline"
            if backend == BASELINE_BACKEND
            else ("chosen" if backend == result["chosen"] else "candidate")
        )
        lines.append(
            f"{label:<9} {backend:<13} batch {r['batch_size']:>3} {r['comments_per_s']:8.1f}"
            f" comments/s ({r['speedup']:.2f}x)  nDCG@10 {r['ndcg@10']:.4f}"
            f" ({r['ndcg_change'] * 100:+.2f}%)  recall@10 {r['recall@10']:.4f}"
            f"  MRR {r['mrr']:.4f}  cos {r['cosine_to_baseline']['mean']:.4f}"
            f"  rounds {'/'.join(f'{x:.0f}' for x in r['comments_per_s_by_round'])}"
        )
    chosen = backends.get(result["chosen"])
    if chosen is not None and result["chosen"] != BASELINE_BACKEND:
        lines.append(
            f"targets for {result['chosen']}: speed-up >= {TARGET_SPEEDUP}x "
            + ("met" if chosen["speedup_met"] else "NOT met")
            + f"; nDCG@10 within -{TARGET_NDCG_LOSS * 100:.0f}% "
            + ("met" if chosen["ndcg_met"] else "NOT met")
        )
    return "\n".join(lines)


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
