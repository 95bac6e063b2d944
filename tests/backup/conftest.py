"""Fixtures for the backup tests: a database holding a processed corpus, and the GCS emulator."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.blobs import make_blob_store
from core.db import Database, connect, with_database
from core.settings import Settings
from devtools.processes import free_port
from devtools.stack.scaleout import gcs_emulator as emulator
from ingestion.intake import accept_file
from ingestion.queue import PostgresQueue
from tests.conftest import _TEMPLATE, work_queue

BUCKET = "tracelens-test"


@dataclass(frozen=True)
class Corpus:
    url: str
    settings: Settings
    reports: int


@pytest.fixture(scope="session")
def corpus_db(pg_server: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """A migrated database with a few generated reports parsed, stored and embedded (fake model)."""
    from devtools.corpus.writer import write_corpus

    name = "backup_corpus"
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    url = with_database(pg_server.url, name)
    root = tmp_path_factory.mktemp("backup-corpus")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=root / "state",
        database_url=url,
        worker_backoff_s=0.05,
        worker_poll_s=0.2,
        embedding_backend="fake",
    )
    files = write_corpus(root / "reports", reports=4, seed=21)
    with connect(url, autocommit=True) as conn:
        for path in files:
            accept_file(
                conn,
                blobs=make_blob_store(settings),
                queue=PostgresQueue(),
                data=path.read_bytes(),
                filename=path.name,
            )
    assert work_queue(settings) == len(files)
    with connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) AS n FROM reports WHERE status = 'processed'"
        ).fetchone()
    assert row is not None and row["n"] == len(files)
    yield Corpus(url=url, settings=settings, reports=len(files))
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def gcs_emulator() -> Iterator[str]:
    """gcp-storage-emulator on 127.0.0.1 (in memory, bucket tracelens-test)."""
    port = free_port()
    with emulator(port, bucket=BUCKET):
        yield f"http://127.0.0.1:{port}"


_scratch = iter(range(1_000_000))


@pytest.fixture
def fresh_db(pg_server: Database) -> Iterator[str]:
    """The URL of a database that does not exist yet (a restore creates it); dropped after."""
    name = f"restored_{next(_scratch)}_{int(time.time() * 1000) % 100000}"
    yield with_database(pg_server.url, name)
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def unique_prefix(tag: str) -> str:
    return f"{tag}-{time.monotonic_ns()}/"


def database_exists(server_url: str, url: str) -> bool:
    from core.backup.pgtools import database_name

    with connect(server_url) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database_name(url),)
        ).fetchone()
    return row is not None


def tmp_store_path(tmp_path: Path) -> str:
    return f"file://{tmp_path / 'backups'}"
