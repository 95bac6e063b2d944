"""`tracelens keys create|list|revoke` against the real database, the key used over HTTP."""

from __future__ import annotations

import json

import httpx
from typer.testing import CliRunner

from cli.app import app
from core.settings import Settings
from tests.conftest import LiveServer, settings_env


def test_keys_create_list_revoke(settings: Settings) -> None:
    runner = CliRunner()
    env = settings_env(settings)
    with LiveServer(settings) as server:
        created = runner.invoke(
            app, ["keys", "create", "--role", "viewer", "--name", "dean's office"], env=env
        )
        assert created.exit_code == 0, created.output
        key = created.stdout.strip().splitlines()[-1]
        assert key.startswith("tl_")
        with httpx.Client(base_url=server.url, timeout=30) as http:
            bearer = {"Authorization": f"Bearer {key}"}
            assert http.get("/v1/courses", headers=bearer).status_code == 200
            assert http.get("/v1/audit", headers=bearer).status_code == 403

            listed = runner.invoke(app, ["keys", "list", "--json"], env=env)
            assert listed.exit_code == 0, listed.output
            rows = [json.loads(line) for line in listed.stdout.splitlines()]
            mine = next(r for r in rows if r["name"] == "dean's office")
            assert mine["roles"] == ["viewer"] and mine["revoked_at"] is None
            assert key not in listed.stdout and "hash" not in mine

            revoked = runner.invoke(app, ["keys", "revoke", str(mine["id"])], env=env)
            assert revoked.exit_code == 0, revoked.output
            assert http.get("/v1/courses", headers=bearer).status_code == 401


def test_an_instructor_key_needs_an_instructor(settings: Settings) -> None:
    result = CliRunner().invoke(
        app, ["keys", "create", "--role", "instructor", "--name", "x"], env=settings_env(settings)
    )
    assert result.exit_code != 0
    assert "instructor" in str(result.exception) + result.output
