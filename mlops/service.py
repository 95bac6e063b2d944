"""The running service and MLflow: the bundled model as champion (`make run`), the MLflow UI
child, and telling the API to put a newly promoted champion in service."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import httpx

from core.settings import Settings
from embeddings.models import resolve_backend
from embeddings.onnx_build import DIMENSION, MODEL_NAME, model_version
from mlops.registry import RegisteredModel, ensure_champion


@dataclass(frozen=True)
class BundledModel:
    """The identity of the configured embedder, known without loading its weights."""

    model: str
    version: str
    backend: str
    dimension: int


def bundled_model(settings: Settings) -> BundledModel:
    backend = resolve_backend(settings.embedding_backend)
    if backend == "fake":
        return BundledModel("fake-hashing", "1", "fake", 384)
    return BundledModel(MODEL_NAME, model_version(), backend, DIMENSION)


def prepare_champion(settings: Settings) -> RegisteredModel:
    """The champion, registering the bundled model as it when the registry has none."""
    return ensure_champion(settings, embedder=bundled_model(settings))


def mlflow_ui_command(settings: Settings) -> list[str] | None:
    """`mlflow server` on 127.0.0.1 over the local store; None when a tracking server is set."""
    if settings.mlflow_tracking_uri:
        return None
    artifacts = (settings.mlflow_artifacts / "served").resolve()
    return [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        settings.mlflow_uri,
        "--artifacts-destination",
        str(artifacts),
        "--host",
        "127.0.0.1",
        "--port",
        str(settings.mlflow_ui_port),
        "--workers",
        "1",
    ]


def mlflow_env() -> dict[str, str]:
    """Environment for an MLflow child: no telemetry, no background job runner."""
    return {
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    }


def mlflow_ui_url(settings: Settings) -> str:
    return settings.mlflow_tracking_uri or f"http://127.0.0.1:{settings.mlflow_ui_port}"


def notify_reload(settings: Settings) -> str:
    """Ask the running API to switch to the new champion (it also does so at its next start)."""
    url = f"{settings.api_url}/v1/admin/reload-model"
    try:
        key = settings.api_key.get_secret_value() if settings.api_key else None
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = httpx.post(url, headers=headers, timeout=60)
    except httpx.HTTPError as exc:
        return f"the API at {settings.api_url} was not reached ({type(exc).__name__}); it takes "
        "the champion at its next start, or POST /v1/admin/reload-model"
    if response.status_code != 200:
        return f"the API answered {response.status_code} to {url}: {response.text[:200]}"
    return f"the API at {settings.api_url} now serves {response.json().get('space')}"
