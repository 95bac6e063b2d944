"""Which embedding space is in service, and the embedder that fills and queries it.

The composition root (cli.wiring) resolves the model once per process and hands it down as a
`ModelInService`: a registry version (`embedding_model`, which `make run` and the charts set to
`champion`; resolved by mlops.registry, whose version decides the backend and the embedded
text, and whose space becomes the active one), or the configured embedder
(`configured_model`). Nothing here reads the registry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from psycopg import sql

from core.db import Conn
from core.errors import ConfigError
from core.observability import set_active_model
from core.settings import Settings
from embeddings.base import Embedder, FakeEmbedder, identity
from embeddings.models import make_embedder
from embeddings.spaces import Space, activate, ensure_space, get_space

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelInService:
    """The embedder in service, the text its space embeds, and where it came from."""

    embedder: Embedder
    text_mode: str
    registry_uri: str | None = None
    """A registry version (models:/name/N): its space is made the active one."""
    space: str | None = None
    """A space named in the settings (embedding_space) to serve instead of the embedder's own."""


def configured_model(settings: Settings) -> ModelInService:
    """The embedder the embedding settings describe (no registry involved)."""
    embedder = FakeEmbedder() if settings.embedding_backend == "fake" else make_embedder(settings)
    return ModelInService(
        embedder=embedder, text_mode=settings.embedding_text, space=settings.embedding_space
    )


def active_space(conn: Conn, *, model: ModelInService) -> Space:
    """The registry model's space (made active), or the named space, or the embedder's own."""
    embedder = model.embedder
    if model.registry_uri is not None:
        space = _registry_space(conn, model=model)
    elif model.space:
        space = get_space(conn, name=model.space)
        if identity(space) != identity(embedder):
            raise ConfigError(
                f"embedding space {space.name!r} was built by {space.backend} "
                f"{space.model}@{space.version}; the configured embedder is "
                f"{embedder.backend} {embedder.model}@{embedder.version}"
            )
    else:
        space = ensure_space(conn, embedder=embedder, text_mode=model.text_mode)
        _warn_if_left_behind(conn, space)
    set_active_model(
        model=space.model, version=space.version, backend=space.backend, space=space.name
    )
    return space


def _registry_space(conn: Conn, *, model: ModelInService) -> Space:
    """The space of a registry version, made the active one."""
    space = ensure_space(conn, embedder=model.embedder, text_mode=model.text_mode)
    if space.status != "active":
        replaced = activate(conn, space=space, previous="ready")
        log.info(
            "active embedding space is now %s (%s)%s",
            space.name,
            model.registry_uri,
            f", replacing {replaced.name}" if replaced else "",
        )
        space = get_space(conn, name=space.name)
    return space


def _warn_if_left_behind(conn: Conn, space: Space) -> None:
    """Say so at start when the configured embedder's space is empty while a space of the same
    model and text holds vectors: an upgrade whose `auto` picked another backend would otherwise
    serve search from an empty space without a word."""
    if _holds_vectors(conn, space):
        return
    rows = conn.execute(
        "SELECT name FROM embedding_spaces WHERE id <> %s AND model = %s AND version = %s"
        " AND text_mode = %s AND status IN ('active', 'ready')"
        " ORDER BY status = 'active' DESC, id DESC",
        (space.id, space.model, space.version, space.text_mode),
    ).fetchall()
    for row in rows:
        other = get_space(conn, name=row["name"])
        if _holds_vectors(conn, other):
            log.warning(
                "embedding space %s holds no vectors, while %s (backend %s) does: search and"
                " answers see only comments embedded from now on. Set"
                " TRACELENS_EMBEDDING_BACKEND=%s to keep serving it, or re-embed"
                " (`tracelens reembed`, README).",
                space.name,
                other.name,
                other.backend,
                other.backend,
            )
            return


def _holds_vectors(conn: Conn, space: Space) -> bool:
    row = conn.execute(
        sql.SQL("SELECT EXISTS (SELECT 1 FROM {}) AS any").format(space.mapping)
    ).fetchone()
    return bool(row and row["any"])
