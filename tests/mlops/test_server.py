"""The client-server path the production chart uses: an `mlflow server` on 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest

from core.errors import NotFound
from core.settings import Settings
from embeddings.base import FakeEmbedder
from mlops.reembed import reembed
from mlops.registry import ensure_champion, register, resolve
from mlops.tracking import EXPERIMENTS, client


def test_registry_and_runs_through_an_mlflow_server(ml: Settings, mlflow_server: str) -> None:
    assert ml.database_dsn is not None
    remote = ml.model_copy(update={"mlflow_tracking_uri": mlflow_server})
    champion = ensure_champion(
        remote.model_copy(update={"embedding_model": None}), embedder=FakeEmbedder()
    )
    candidate = register(remote, embedder=FakeEmbedder(), text_mode="prompt")
    outcome = reembed(remote, ml.database_dsn, model_ref="2", shard=None, progress=False)
    assert outcome.gate is not None and outcome.gate.promoted, outcome.gate

    # what the server itself answers, over its REST API
    name = remote.mlflow_model_name
    alias = httpx.get(
        f"{mlflow_server}/api/2.0/mlflow/registered-models/alias",
        params={"name": name, "alias": "champion"},
    ).json()
    assert alias["model_version"]["version"] == candidate.version
    assert {"key": "gate", "value": "promoted"} in alias["model_version"]["tags"]
    run = httpx.get(
        f"{mlflow_server}/api/2.0/mlflow/runs/get", params={"run_id": outcome.gate.run_id}
    ).json()["run"]
    assert {"key": "decision", "value": "promoted"} in run["data"]["tags"]
    metrics = {m["key"]: m["value"] for m in run["data"]["metrics"]}
    assert metrics["candidate_ndcg_at_10"] > 0.3

    mlflow = client(remote)
    artifacts = [a.path for a in mlflow.list_artifacts(outcome.gate.run_id, "per_query")]
    assert artifacts == ["per_query/results.jsonl"]  # stored through the server's proxy
    reembed_runs = mlflow.search_runs(
        [mlflow.get_experiment_by_name(EXPERIMENTS["reembed"]).experiment_id],
        filter_string=f"tags.model_uri = 'models:/{name}/2'",
    )
    assert len(reembed_runs) == 1
    assert reembed_runs[0].data.metrics["comments_per_s"] > 0
    assert resolve(remote, "challenger").version == champion.version
    with pytest.raises(NotFound):  # it all went to the server, none to the local store
        resolve(ml, "champion")
