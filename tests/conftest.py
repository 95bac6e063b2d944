"""Shared fixtures: one embedded PostgreSQL per session, a fresh migrated database per test."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from cli.wiring import api_components, model_in_service
from core.auth.keys import create_key
from core.blobs import make_blob_store
from core.db import Database, connect, start_embedded, with_database
from core.db.migrate import migrate
from core.settings import Settings
from devtools.corpus.writer import write_corpus
from devtools.processes import AppServer
from devtools.processes import settings_env as child_settings_env
from ingestion.intake import accept_file
from ingestion.queue import PostgresQueue
from ingestion.workers.table import Worker
from serving.app import create_app
from serving.components import Components

_TEMPLATE = "tracelens_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Database]:
    """The embedded PostgreSQL 18 + pgvector, with a migrated template database."""
    root = Path(tempfile.mkdtemp(prefix="tl-pg-", dir="/tmp"))
    db = start_embedded(root / "pgdata")
    with connect(db.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_TEMPLATE}")
        conn.execute(f"CREATE DATABASE {_TEMPLATE}")
    with connect(with_database(db.url, _TEMPLATE)) as conn:
        migrate(conn)
    yield db
    db.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def db_url(pg_server: Database) -> Iterator[str]:
    """A database of its own for each test, cloned from the migrated template."""
    name = f"t_{next(_counter)}_{int(time.time() * 1000) % 100000}"
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    yield with_database(pg_server.url, name)
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=tmp_path / "state",
        database_url=db_url,
        worker_backoff_s=0.05,
        worker_poll_s=0.2,
        parse_timeout_s=20,
        embedding_backend="fake",
    )


def make_key(settings: Settings, *roles: str, instructor_id: int | None = None) -> str:
    """A real API key with these roles, stored in the settings' database (shown once)."""
    assert settings.database_dsn is not None
    with connect(settings.database_dsn) as conn:
        key, _ = create_key(
            conn, name="test-" + "-".join(roles), roles=roles, instructor_id=instructor_id
        )
        conn.commit()
    return key


class LiveServer(AppServer):
    """The real ASGI app (wired as `tracelens serve` wires it) on 127.0.0.1 in a thread, with
    an admin API key (`admin_key`) that `client()` sends by default."""

    def __init__(self, settings: Settings, components: Components | None = None):
        super().__init__(create_app(settings, components or api_components(settings)))
        self.settings = settings
        self._admin_key: str | None = None

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    @property
    def admin_key(self) -> str:
        if self._admin_key is None:  # after start: the app migrates an embedded database
            self._admin_key = make_key(self.settings, "admin")
        return self._admin_key

    def client(self, *, key: str | None = None, **kwargs: object) -> httpx.Client:
        """An HTTP client of this server that sends `key` (the admin key unless given)."""
        headers = {"Authorization": f"Bearer {key or self.admin_key}"}
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)  # type: ignore[arg-type,unused-ignore]


@pytest.fixture
def api(settings: Settings) -> Iterator[httpx.Client]:
    with LiveServer(settings) as server, server.client(timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated corpus (all three layouts) shared by the API and worker tests."""
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out, reports=12, seed=5)
    return out


def truth_of(path: Path) -> dict:  # type: ignore[type-arg]
    import json

    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def load_reports(settings: Settings, files: Sequence[Path]) -> int:
    """Accept the files as uploads are accepted (blob, row, job), then process the queue in this
    process; how many jobs were handled."""
    assert settings.database_dsn is not None
    blobs = make_blob_store(settings)
    with connect(settings.database_dsn, autocommit=True) as conn:
        for path in files:
            accept_file(
                conn, blobs=blobs, queue=PostgresQueue(), data=path.read_bytes(), filename=path.name
            )
    return work_queue(settings)


def work_queue(settings: Settings) -> int:
    """Process every available job in this process; returns how many were handled."""
    assert settings.database_dsn is not None
    worker = Worker(
        settings=settings,
        url=settings.database_dsn,
        blobs=make_blob_store(settings),
        queue=PostgresQueue(),
        model=model_in_service(settings),
    )
    try:
        return worker.run(until_idle=True)
    finally:
        worker.close()


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process (worker, API) these same settings."""
    return {**os.environ, **child_settings_env(settings)}
