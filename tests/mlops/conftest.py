"""MLOps fixtures: one real MLflow SQLite store and one `mlflow server` per session, a database
with the labelled corpus loaded (cloned per test), and settings that tie them together.

Tests share the MLflow store but each registers its own model name, so their versions and
aliases never meet.
"""

from __future__ import annotations

import itertools
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.wiring import model_in_service
from core.db import Database, connect, with_database
from core.settings import Settings
from devtools.evaluate.retrieval import load_through_worker
from devtools.processes import Child, free_port
from embeddings.base import FakeEmbedder
from mlops.registry import RegisteredModel, ensure_champion

_LOADED = "tracelens_mlops_loaded"
_counter = itertools.count()


@pytest.fixture(scope="session")
def mlflow_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated MLflow SQLite store (creating its tables is the slow part, so once)."""
    from mlops.tracking import offline

    offline()
    from mlflow import MlflowClient

    root = tmp_path_factory.mktemp("mlflow-sqlite")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    MlflowClient(tracking_uri=uri, registry_uri=uri).search_experiments()
    return uri


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory, mlflow_sqlite: str) -> Iterator[str]:
    """`mlflow server` on a free 127.0.0.1 port, started the way `make run` starts its UI."""
    from mlops.service import mlflow_env, mlflow_ui_command

    state = tmp_path_factory.mktemp("mlflow-server")
    shutil.copy(mlflow_sqlite.removeprefix("sqlite:///"), state / "mlflow.db")  # pre-migrated
    settings = Settings(_env_file=None, state_dir=state, mlflow_ui_port=free_port())  # type: ignore[call-arg]
    command = mlflow_ui_command(settings)
    assert command is not None
    url = f"http://127.0.0.1:{settings.mlflow_ui_port}"
    server = Child(
        "mlflow server",
        command,
        url=f"{url}/health",
        env=mlflow_env(),
        log=state / "server.log",
        timeout_s=180,
    )
    with server:
        yield url


@pytest.fixture(scope="session")
def loaded_template(
    pg_server: Database, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A database holding the labelled corpus, embedded (fake, comment) by the real worker."""
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_LOADED}")
        conn.execute(f"CREATE DATABASE {_LOADED} TEMPLATE tracelens_template")
    url = with_database(pg_server.url, _LOADED)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=tmp_path_factory.mktemp("loader"),
        database_url=url,
        embedding_backend="fake",
        worker_poll_s=0.2,
    )
    load_through_worker(settings, url, corpus, model_in_service(settings))
    return _LOADED


@pytest.fixture
def loaded_url(pg_server: Database, loaded_template: str) -> Iterator[str]:
    """A database of its own for the test, cloned from the loaded one."""
    name = f"m_{next(_counter)}_{int(time.time() * 1000) % 100000}"
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {loaded_template}")
    yield with_database(pg_server.url, name)
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def ml(tmp_path: Path, loaded_url: str, mlflow_sqlite: str, corpus: Path) -> Settings:
    """Settings for one test: the loaded database, the shared store, a model name of its own."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=tmp_path / "state",
        database_url=loaded_url,
        embedding_backend="fake",
        embedding_model="champion",
        mlflow_tracking_uri=mlflow_sqlite,
        mlflow_model_name=f"trace-embedder-{uuid.uuid4().hex[:8]}",
        gate_corpus=corpus,
        reembed_batch_size=32,
        worker_backoff_s=0.05,
        worker_poll_s=0.2,
        parse_timeout_s=20,
    )


@pytest.fixture
def champion(ml: Settings) -> RegisteredModel:
    """The bundled (here: fake) embedder registered as champion, as `make run` does."""
    return ensure_champion(ml.model_copy(update={"embedding_model": None}), embedder=FakeEmbedder())
