"""Which embedding space is in service, and the embedder that fills and queries it.

With `embedding_model` set (`make run` and the charts set `champion`) both come from the MLflow
registry: the version the alias names decides the backend and the embedded text, and its space
is marked active. Unset, they come from the embedding settings as before.
"""

from __future__ import annotations

import logging

from core.db import Conn
from core.errors import ConfigError
from core.observability import set_active_model
from core.settings import Settings
from embeddings.base import Embedder, FakeEmbedder
from embeddings.spaces import Space, activate, ensure_space, get_space

log = logging.getLogger(__name__)


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings (or the registry model they name) stand for."""
    if settings.embedding_model:
        from mlops.registry import load_registered, resolve

        return load_registered(resolve(settings, settings.embedding_model), settings=settings)
    if settings.embedding_backend == "fake":
        return FakeEmbedder()
    from embeddings.models import make_embedder

    return make_embedder(settings)


def active_space(conn: Conn, *, settings: Settings, embedder: Embedder) -> Space:
    """The registry model's space, or the named space, or else the configured embedder's own."""
    if settings.embedding_model:
        space = registry_space(conn, settings=settings, embedder=embedder)
    elif settings.embedding_space:
        space = get_space(conn, name=settings.embedding_space)
        if (space.model, space.version, space.backend, space.dimension) != (
            embedder.model,
            embedder.version,
            embedder.backend,
            embedder.dimension,
        ):
            raise ConfigError(
                f"embedding space {space.name!r} was built by {space.backend} "
                f"{space.model}@{space.version}; the configured embedder is "
                f"{embedder.backend} {embedder.model}@{embedder.version}"
            )
    else:
        space = ensure_space(conn, embedder=embedder, text_mode=settings.embedding_text)
    set_active_model(
        model=space.model, version=space.version, backend=space.backend, space=space.name
    )
    return space


def registry_space(conn: Conn, *, settings: Settings, embedder: Embedder) -> Space:
    """The space of the registry version `embedding_model` names, made the active one."""
    from mlops.registry import resolve

    assert settings.embedding_model is not None
    model = resolve(settings, settings.embedding_model)
    if (model.base_model, model.weights_version, model.backend, model.dimension) != (
        embedder.model,
        embedder.version,
        embedder.backend,
        embedder.dimension,
    ):
        raise ConfigError(
            f"{settings.embedding_model} is {model.uri} ({model.backend}); the embedder in hand is "
            f"{embedder.backend} {embedder.model}@{embedder.version}"
        )
    space = ensure_space(conn, embedder=embedder, text_mode=model.text_mode)
    if space.status != "active":
        replaced = activate(conn, space=space, previous="ready")
        log.info(
            "active embedding space is now %s (%s)%s",
            space.name,
            model.uri,
            f", replacing {replaced.name}" if replaced else "",
        )
        space = get_space(conn, name=space.name)
    return space
