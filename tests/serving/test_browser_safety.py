"""No cookie auth (so no cross-site request forgery), CORS off unless allow-listed, secrets as
SecretStr that never show in a repr or a log."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from pydantic import SecretStr

from core.settings import Settings
from tests.conftest import LiveServer

EVIL = "https://evil.example"
FRONT = "https://tracelens-ui.example"
SECRET_NAME = re.compile(r"(^|_)(key|password|secret|token|credentials?)$")
"""Setting names that hold a secret (llm_max_tokens or oidc_roles_claim do not)."""


def test_state_changing_routes_need_the_authorization_header(settings: Settings) -> None:
    with LiveServer(settings) as server, httpx.Client(base_url=server.url) as http:
        key = server.admin_key
        cookies = {"Authorization": f"Bearer {key}", "session": key, "api_key": key}
        for method, path in (
            ("POST", "/v1/reports"),
            ("DELETE", "/v1/reports/1"),
            ("POST", "/v1/reports/1/retry"),
            ("POST", "/v1/admin/reload-model"),
            ("POST", "/v1/comments/1/redact"),
        ):
            for where in ({"cookies": cookies}, {"params": {"api_key": key}}):
                http.cookies.clear()
                response = http.request(method, path, headers={"Origin": EVIL}, **where)  # type: ignore[arg-type]
                assert response.status_code == 401, (method, path, where, response.text)
            bearer = {"Authorization": f"Bearer {key}"}
            assert http.request(method, path, headers=bearer).status_code not in (401, 403)


def _preflight(http: httpx.Client, origin: str) -> httpx.Response:
    return http.options(
        "/v1/reports",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )


def test_cors_is_off_by_default(settings: Settings) -> None:
    with LiveServer(settings) as server, httpx.Client(base_url=server.url) as http:
        response = _preflight(http, FRONT)
        assert "access-control-allow-origin" not in response.headers
        got = http.get("/healthz", headers={"Origin": FRONT})
        assert "access-control-allow-origin" not in got.headers


def test_cors_allows_the_listed_origins_only(settings: Settings) -> None:
    listed = settings.model_copy(update={"cors_origins": [FRONT]})
    with LiveServer(listed) as server, httpx.Client(base_url=server.url) as http:
        allowed = _preflight(http, FRONT)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == FRONT
        assert "access-control-allow-credentials" not in allowed.headers
        refused = _preflight(http, EVIL)
        assert refused.headers.get("access-control-allow-origin") != EVIL


def test_every_secret_setting_is_a_secret_str(caplog: pytest.LogCaptureFixture) -> None:
    secrets = [name for name in Settings.model_fields if SECRET_NAME.search(name)]
    assert {"ui_api_key", "api_key", "llm_api_key", "kafka_sasl_password"} <= set(secrets)
    values = {name: f"s3cr3t-{name}" for name in secrets}
    # The database URL carries the database password.
    values["database_url"] = "postgresql://tl:s3cr3t-db@db.internal/tracelens"
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    for name in values:
        assert isinstance(getattr(settings, name), SecretStr), name
    assert settings.database_dsn == values["database_url"]
    moved = settings.with_database("postgresql://tl:s3cr3t-moved@db.internal/x")
    assert isinstance(moved.database_url, SecretStr)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("tracelens.test").info("settings: %s / %r / %r", settings, settings, moved)
    shown = repr(settings) + str(settings) + settings.model_dump_json() + repr(moved)
    shown += caplog.text
    assert "s3cr3t" not in shown


def test_a_bad_database_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as refused:
        Settings(  # type: ignore[call-arg]
            _env_file=None, database_url="mysql://tl:s3cr3t@db/x", llm_api_key="s3cr3t-llm"
        )
    assert "postgresql://" in str(refused.value)
    assert "s3cr3t" not in str(refused.value)
