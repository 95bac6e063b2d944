"""Evaluation runs in MLflow: `tracelens eval retrieval` and `tracelens eval ask` log here."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from core.settings import Settings
from embeddings.models import resolve_backend
from embeddings.onnx_build import MODEL_NAME, model_version
from evaluation.ask import AskEvalResult
from evaluation.retrieval import EvalRun
from mlops.tracking import tracked_run


def _model_params(settings: Settings) -> dict[str, Any]:
    backend = resolve_backend(settings.embedding_backend)
    return {
        "model": "fake-hashing" if backend == "fake" else MODEL_NAME,
        "model_version": "1" if backend == "fake" else model_version(),
        "backend": backend,
        "embedding_model": settings.embedding_model or "-",
    }


def log_retrieval_eval(
    settings: Settings, run: EvalRun, *, k: int, reports: int, seed: int, corpus: str | None
) -> str:
    """One run: parameters, every printed figure as a metric, per-query results as JSON Lines."""
    with tracked_run(settings, kind="retrieval", name=f"{run.backend} k={k}") as tracked:
        tracked.params(
            {
                **_model_params(settings),
                "backend": run.backend,
                "k": k,
                "reports": reports,
                "seed": seed,
                "corpus": corpus or "generated",
                "queries": run.queries,
                "comments": run.comments,
                "text_modes": ",".join(sorted({r["embedded_text"] for r in run.rows} - {"-"})),
            }
        )
        metrics: dict[str, float] = {}
        for row in run.rows:
            prefix = f"{row['mode']}.{row['embedded_text']}".replace(".-", "")
            for key in (f"recall@{k}", "mrr", "ndcg@10"):
                metrics[f"{prefix}.{key}"] = row[key]
        for row in run.paraphrase:  # by search signals, each set and split
            signals = re.sub(r"[^A-Za-z0-9]+", "_", row["signals"]).strip("_")  # "+theme tags"
            prefix = f"signals.{signals}.{row['set']}.{row['split']}"
            for key in ("p@10", "r@10", "ndcg@10"):
                metrics[f"{prefix}.{key}"] = row[key]
        if run.rows:
            best = max(run.rows, key=lambda r: r["ndcg@10"])
            metrics["best.ndcg@10"] = best["ndcg@10"]
            tracked.tags({"best": f"{best['mode']} / {best['embedded_text']}"})
        tracked.metrics(metrics)
        tracked.json_artifact(run.rows, "summary/rows.json")
        tracked.json_artifact(run.paraphrase, "summary/signals.json")
        tracked.json_artifact(run.per_query, "per_query/results.jsonl")
        tracked.json_artifact(run.paraphrase_queries, "per_query/signals.jsonl")
        return tracked.id


def log_ask_eval(
    settings: Settings, result: AskEvalResult, *, reports: int, seed: int, corpus: str | None
) -> str:
    """One run: parameters, every printed figure, and the result (with failures) as JSON."""
    with tracked_run(settings, kind="ask", name=f"{result.questions} questions") as tracked:
        tracked.params(
            {
                **_model_params(settings),
                "reports": reports,
                "seed": seed,
                "corpus": corpus or "generated",
                "questions": result.questions,
                "answerer": "extractive",
                "route_opinion_k": 5,
                "embedding_text": settings.embedding_text,
            }
        )
        metrics = dict(result.metrics)
        metrics.update({f"by_kind.{k}": v for k, v in result.per_kind.items()})
        metrics.update({f"coverage.{k}": float(v) for k, v in result.coverage.items()})
        metrics.update({f"seconds.{k}": v for k, v in result.seconds.items()})
        metrics["failures"] = float(result.failure_count)
        tracked.metrics({k: v for k, v in metrics.items() if v == v})  # NaN: nothing to log
        tracked.json_artifact(asdict(result), "results/ask_eval.json")
        return tracked.id
