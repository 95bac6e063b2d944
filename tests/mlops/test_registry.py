"""The registry and evaluation runs on a real MLflow SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import ConfigError, NotFound
from core.settings import Settings
from embeddings.base import FakeEmbedder
from mlops.registry import RegisteredModel, ensure_champion, register, resolve
from mlops.tracking import EXPERIMENTS, client


def test_champion_is_registered_once_with_its_model_card(
    ml: Settings, champion: RegisteredModel, tmp_path: Path
) -> None:
    again = ensure_champion(ml, embedder=FakeEmbedder())
    assert again.version == champion.version == "1"
    assert champion.aliases == ("champion",)
    assert (champion.backend, champion.dimension, champion.text_mode) == ("fake", 384, "comment")
    assert champion.tags["quantisation"] == "none"

    mlflow = client(ml)
    mv = mlflow.get_model_version(ml.mlflow_model_name, champion.version)
    assert mv.run_id and mv.source.endswith("/model_card")
    local = mlflow.download_artifacts(mv.run_id, "model_card/model_card.json", str(tmp_path))
    card = json.loads(Path(local).read_text())
    assert card["base_model"] == "fake-hashing" and card["backend"] == "fake"
    assert card["dimension"] == 384 and card["text_mode"] == "comment"


def test_references_resolve_to_the_same_version(ml: Settings, champion: RegisteredModel) -> None:
    name = ml.mlflow_model_name
    other = register(ml, embedder=FakeEmbedder(), text_mode="prompt", alias="challenger")
    assert other.version == "2"
    for ref in ("champion", f"models:/{name}@champion", f"models:/{name}/1", "1"):
        assert resolve(ml, ref).version == "1", ref
    assert resolve(ml, "challenger").text_mode == "prompt"
    with pytest.raises(NotFound, match="nope"):
        resolve(ml, "nope")
    with pytest.raises(ConfigError, match="not an alias"):
        resolve(ml, "models:/x/y/z")


def test_retrieval_eval_is_a_run_with_every_printed_figure(ml: Settings, corpus: Path) -> None:
    from devtools.evaluate.retrieval import run_retrieval_eval
    from evaluation.retrieval import format_retrieval_eval
    from mlops.evals import log_retrieval_eval

    settings = ml.model_copy(update={"embedding_model": None})
    run = run_retrieval_eval(settings, corpus=corpus, reports=0, seed=7, text_modes=("context",))
    printed = format_retrieval_eval(run)
    run_id = log_retrieval_eval(settings, run, k=10, reports=0, seed=7, corpus=str(corpus))

    mlflow = client(ml)
    logged = mlflow.get_run(run_id)
    experiment = mlflow.get_experiment(logged.info.experiment_id)
    assert experiment.name == EXPERIMENTS["retrieval"]
    assert logged.data.params["backend"] == "fake" and logged.data.params["k"] == "10"
    assert logged.data.params["queries"] == str(run.queries)
    for row in run.rows:  # every figure printed is a metric, with the value printed
        prefix = row["mode"] if row["mode"] == "text" else f"{row['mode']}.{row['embedded_text']}"
        for key in ("recall_at_10", "mrr", "ndcg_at_10"):
            value = logged.data.metrics[f"{prefix}.{key}"]
            assert f"{value:.4f}" in printed
    artifact = mlflow.download_artifacts(run_id, "per_query/results.jsonl", str(ml.state_dir))
    lines = [json.loads(line) for line in Path(artifact).read_text().splitlines()]
    assert len(lines) == len(run.per_query) == run.queries * len(run.rows)
    assert {"query", "mode", "ndcg@10", "top_relevant"} <= set(lines[0])


def test_ask_eval_is_a_run_with_every_printed_figure(ml: Settings) -> None:
    from evaluation.ask import AskEvalResult, format_ask_eval
    from mlops.evals import log_ask_eval

    metrics = {
        "numeric_exact": 0.97,
        "numeric_questions": 100.0,
        "route_accuracy": 0.99,
        "citation_precision": 0.93,
        "qualitative_questions": 40.0,
        "citation_recall": 0.61,
        "theme_count_mre": 0.12,
        "theme_count_within_20pct": 0.8,
        "refusals": 1.0,
        "unanswerable_questions": 20.0,
    }
    result = AskEvalResult(
        reports=12,
        questions=160,
        coverage={"ranking": 30, "opinion": 40},
        metrics=metrics,
        per_kind={"ranking": 0.96},
        failures=["q1: route=numeric facts=[] answer='x'"],
        failure_count=1,
        seconds={"load": 3.0, "ask": 9.5},
    )
    printed = format_ask_eval(result)
    run_id = log_ask_eval(ml, result, reports=12, seed=7, corpus=None)
    logged = client(ml).get_run(run_id).data
    for key, value in metrics.items():
        assert logged.metrics[key] == pytest.approx(value)
    assert logged.metrics["by_kind.ranking"] == 0.96 and logged.metrics["failures"] == 1.0
    assert "ranking 0.96" in printed and logged.params["questions"] == "160"
