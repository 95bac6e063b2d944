"""A live API over a loaded corpus, shared by the dashboard endpoint tests and the UI tests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core.blobs import make_blob_store
from core.db import Database, connect, with_database
from core.settings import Settings
from ingestion.intake import accept_file
from ingestion.queue import PostgresQueue
from tests.conftest import _TEMPLATE as TEMPLATE
from tests.conftest import LiveServer, work_queue


@dataclass
class LoadedApi:
    url: str
    settings: Settings
    truths: list[dict[str, Any]]
    key: str
    """An admin API key of this server."""

    def client(self, **kwargs: Any) -> httpx.Client:
        """An HTTP client of this server sending the admin key."""
        headers = {"Authorization": f"Bearer {self.key}"}
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)


def report_files(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx"))


def load_corpus(settings: Settings, corpus: Path) -> list[dict[str, Any]]:
    """Accept every report of the corpus, process the queue; returns their ground truths."""
    assert settings.database_dsn
    files = report_files(corpus)
    with connect(settings.database_dsn, autocommit=True) as conn:
        for path in files:
            accept_file(
                conn,
                blobs=make_blob_store(settings),
                queue=PostgresQueue(),
                data=path.read_bytes(),
                filename=path.name,
            )
    assert work_queue(settings) == len(files)
    return [json.loads(f.with_suffix(".json").read_text(encoding="utf-8")) for f in files]


@contextmanager
def loaded_api(settings: Settings, corpus: Path) -> Iterator[LoadedApi]:
    truths = load_corpus(settings, corpus)
    with LiveServer(settings) as server:
        yield LoadedApi(url=server.url, settings=settings, truths=truths, key=server.admin_key)


@contextmanager
def own_database(pg_server: Database) -> Iterator[str]:
    """A database cloned from the migrated template, for fixtures wider than one test."""
    name = f"ui_{uuid.uuid4().hex[:12]}"
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    try:
        yield with_database(pg_server.url, name)
    finally:
        with connect(pg_server.url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fake_settings(state_dir: Path, db_url: str) -> Settings:
    """As tests/conftest.py's `settings`: the fake embedder, fast worker polling."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=state_dir,
        database_url=db_url,
        worker_backoff_s=0.05,
        worker_poll_s=0.2,
        parse_timeout_s=20,
        embedding_backend="fake",
    )
