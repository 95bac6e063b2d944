"""MLflow tracking: the client for the configured store, and evaluation runs logged to it.

The default store is SQLite under the state directory with artifacts beside it; setting
`MLFLOW_TRACKING_URI` (or `TRACELENS_MLFLOW_TRACKING_URI`) points every command at a server.
MLflow's telemetry is switched off: nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.settings import Settings

if TYPE_CHECKING:
    from mlflow import MlflowClient

EXPERIMENTS = {
    "retrieval": "tracelens/eval-retrieval",
    "ask": "tracelens/eval-ask",
    "gate": "tracelens/reembed-gate",
    "reembed": "tracelens/reembed",
    "registry": "tracelens/model-cards",
}
"""Experiments are named for what their runs evaluate or record."""


def offline() -> None:
    """No telemetry, no network: set before mlflow is imported."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")


def client(settings: Settings) -> MlflowClient:
    """A client for the configured tracking store (the registry lives in the same store)."""
    offline()
    # start-up speed: mlflow takes ~2 s to import; only commands that track load it
    from mlflow import MlflowClient

    if settings.mlflow_tracking_uri is None:
        settings.state_dir.mkdir(parents=True, exist_ok=True)
    uri = settings.mlflow_uri
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def experiment_id(settings: Settings, mlflow: MlflowClient, kind: str) -> str:
    """The experiment for `kind`, created on first use (artifacts under state_dir locally)."""
    name = EXPERIMENTS[kind]
    found = mlflow.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    location = None
    if settings.mlflow_uri.startswith(("sqlite:", "file:")):  # a local store: artifacts beside it
        location = (settings.mlflow_artifacts.resolve() / kind).as_uri()
    try:
        return str(mlflow.create_experiment(name, artifact_location=location))
    except Exception:  # created by a racing process in between
        again = mlflow.get_experiment_by_name(name)
        if again is None:
            raise
        return str(again.experiment_id)


def _metric_key(name: str) -> str:
    """MLflow keys allow letters, digits and _-./ and spaces; '@' becomes '_at_'."""
    return name.replace("@", "_at_")


@contextmanager
def tracked_run(
    settings: Settings, *, kind: str, name: str, tags: Mapping[str, str] | None = None
) -> Iterator[Run]:
    """A run in the experiment for `kind`, ended FINISHED, or FAILED if the block raises."""
    mlflow = client(settings)
    experiment = experiment_id(settings, mlflow, kind)
    created = mlflow.create_run(experiment, run_name=name, tags=dict(tags or {}))
    run = Run(mlflow, created.info.run_id, created.info.experiment_id)
    try:
        yield run
    except BaseException:
        mlflow.set_terminated(run.id, status="FAILED")
        raise
    mlflow.set_terminated(run.id, status="FINISHED")


class Run:
    """An open run: parameters, metrics and artifacts go through one client."""

    def __init__(self, mlflow: MlflowClient, run_id: str, experiment: str):
        self.mlflow = mlflow
        self.id = run_id
        self.experiment = experiment

    def params(self, values: Mapping[str, Any]) -> None:
        from mlflow.entities import Param  # start-up speed (mlflow)

        batch = [Param(k, str(v)) for k, v in values.items() if v is not None]
        self.mlflow.log_batch(self.id, params=batch)

    def metrics(self, values: Mapping[str, float], *, step: int = 0) -> None:
        from mlflow.entities import Metric  # start-up speed (mlflow)

        now = int(time.time() * 1000)
        batch = [Metric(_metric_key(k), float(v), now, step) for k, v in values.items()]
        self.mlflow.log_batch(self.id, metrics=batch)

    def tags(self, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            self.mlflow.set_tag(self.id, key, str(value))

    def json_artifact(self, data: Any, path: str) -> None:
        """Write `data` as JSON (or JSON Lines for a list of dicts ending .jsonl) at `path`."""
        folder, _, filename = path.rpartition("/")
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / filename
            if filename.endswith(".jsonl"):
                lines = (json.dumps(row, ensure_ascii=False, default=str) for row in data)
                target.write_text("\n".join(lines) + "\n", encoding="utf-8")
            else:
                target.write_text(
                    json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
                )
            self.mlflow.log_artifact(self.id, str(target), artifact_path=folder or None)
