"""Which embedding space is in service, and the embedder that fills and queries it."""

from __future__ import annotations

from core.db import Conn
from core.errors import ConfigError
from core.observability import set_active_model
from core.settings import Settings
from embeddings.base import Embedder, FakeEmbedder
from embeddings.spaces import Space, ensure_space, get_space


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name (models load once per process)."""
    if settings.embedding_backend == "fake":
        return FakeEmbedder()
    from embeddings.models import make_embedder

    return make_embedder(settings)


def active_space(conn: Conn, *, settings: Settings, embedder: Embedder) -> Space:
    """The named space when `embedding_space` is set, else the configured embedder's own."""
    if settings.embedding_space:
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
