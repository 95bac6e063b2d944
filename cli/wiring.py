"""The composition root's parts: settings, the model in service and the stores, made once.

Commands (and the API's start-up, which `tracelens serve` hands these to) call these functions;
the packages below take what they are given and never look a model or a store up themselves.
"""

from __future__ import annotations

from functools import partial

from core.blobs import make_blob_store
from core.observability import configure_logging
from core.settings import Settings
from embeddings.active import ModelInService, configured_model
from ingestion.queue import make_queue
from mlops.registry import registry_model
from serving.components import Components


def load_settings() -> Settings:
    """The one settings object of this process, with logging configured from it."""
    settings = Settings()
    configure_logging(settings)
    return settings


def model_in_service(settings: Settings) -> ModelInService:
    """The model the settings name, resolved once: the registry version `embedding_model` names
    (`make run` and the charts set `champion`), or else the configured embedder."""
    if settings.embedding_model:
        return registry_model(settings, settings.embedding_model)
    return configured_model(settings)


def table_worker_model(settings: Settings, *, run_worker: bool) -> ModelInService | None:
    """The model a table worker in this process needs; None when none runs here (not asked
    for, or Kafka workers, which run as processes of their own, do the work)."""
    if not run_worker or settings.queue_backend == "kafka":
        return None
    return model_in_service(settings)


def api_components(settings: Settings) -> Components:
    """What the API is handed: its stores, and how to resolve the model in service (at start-up,
    and again when told to reload)."""
    return Components(
        blobs=make_blob_store(settings),
        queue=make_queue(settings),
        resolve_model=partial(model_in_service, settings),
    )
