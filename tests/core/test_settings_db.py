from pathlib import Path

import pytest
from pydantic import ValidationError

from core.db import Database, connect
from core.db.migrate import available, migrate
from core.settings import Settings


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRACELENS_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("TRACELENS_MAX_PAGES", "12")
    monkeypatch.delenv("TRACELENS_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.state_dir == tmp_path
    assert settings.max_pages == 12
    assert settings.embedded
    assert settings.pgdata == tmp_path / "pgdata"


def test_plain_database_url_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/tl")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not settings.embedded


def test_bad_database_url_fails_fast() -> None:
    with pytest.raises(ValidationError, match="postgresql://"):
        Settings(_env_file=None, database_url="mysql://x")  # type: ignore[call-arg]


def test_migrations_are_applied_once_and_create_pgvector(db_url: str) -> None:
    with connect(db_url) as conn:
        assert migrate(conn) == []  # the template already has them
        versions = [r["version"] for r in conn.execute("SELECT version FROM schema_migrations")]
        assert versions == [v for v, _, _ in available()]
        ext = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        assert ext.fetchone() is not None
        server = conn.execute("SHOW server_version").fetchone()
        assert server is not None and server["server_version"].startswith("18")


def test_embedded_server_is_postgres_18(pg_server: Database) -> None:
    assert (
        pg_server.pgdata is not None
        and (pg_server.pgdata / "PG_VERSION").read_text().strip() == "18"
    )
