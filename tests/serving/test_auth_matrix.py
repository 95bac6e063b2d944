"""Every route × every role (and no credentials, a revoked or forged key, an expired or wrongly
signed JWT) over real HTTP.

The matrix is generated from the app's routes: a route that has no rule in serving.auth.RULES
fails here, and each call answers the documented status: 401 without a verified principal, 403
for a role the rule does not list, and anything but 401/403 (and no 5xx) for a role it lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from cli.wiring import api_components
from core.auth.access import ROLES
from core.auth.keys import revoke_key
from core.db import connect
from core.settings import Settings
from serving.app import create_app
from serving.auth import RULES, api_routes, rule_of
from tests.conftest import LiveServer, make_key
from tests.serving.jwks import SigningKey, local_issuer, oidc_settings

SAMPLE_PARAMS = {
    "report_id": "987654",
    "code": "CS5800",
    "instructor_id": "987654",
    "comment_id": "987654",
}


@dataclass
class Matrix:
    server: LiveServer
    keys: dict[str, str]
    refused: dict[str, str | None]
    """Credentials that must be refused (401) on every route that is not public."""


def _instructor(settings: Settings) -> int:
    assert settings.database_dsn is not None
    with connect(settings.database_dsn) as conn:
        row = conn.execute(
            "INSERT INTO instructors (last_name, first_name, name_key)"
            " VALUES ('Doe', 'Jane', 'doe|jane') RETURNING id"
        ).fetchone()
        conn.commit()
    assert row is not None
    return int(row["id"])


@pytest.fixture
def matrix(settings: Settings) -> Iterator[Matrix]:
    signing = SigningKey("k1")
    with (
        local_issuer(signing) as issuer,
        LiveServer(settings.model_copy(update=oidc_settings(issuer))) as server,
    ):
        instructor = _instructor(settings)
        keys: dict[str, str] = {
            role: make_key(
                settings, role, instructor_id=instructor if role == "instructor" else None
            )
            for role in ROLES
        }
        revoked = make_key(settings, "admin")
        assert settings.database_dsn is not None
        with connect(settings.database_dsn) as conn:
            key_id = conn.execute(
                "SELECT id FROM api_keys WHERE prefix = %s", (revoked.split("_")[1],)
            ).fetchone()
            assert key_id is not None
            revoke_key(conn, key_id=int(key_id["id"]))
            conn.commit()
        refused = {
            "no credentials": None,
            "revoked key": revoked,
            "forged key": revoked[:-4] + "AAAA",
            "garbage token": "not-a-key",
            "expired JWT": issuer.token(signing, roles=["admin"], ttl_s=-120),
            "wrongly signed JWT": issuer.token(SigningKey("k1"), roles=["admin"]),
        }
        yield Matrix(server=server, keys=keys, refused=refused)


def _routes(settings: Settings) -> list[tuple[str, str]]:
    return sorted(set(api_routes(create_app(settings, api_components(settings)))))


def test_every_route_has_a_rule_and_every_rule_a_route(settings: Settings) -> None:
    routes = _routes(settings)
    assert routes, "no routes found"
    missing = [route for route in routes if rule_of(*route) is None]
    assert not missing, f"routes without an access rule in serving.auth.RULES: {missing}"
    stale = set(RULES) - set(routes)
    assert not stale, f"rules for routes that do not exist: {stale}"


def _call(client: httpx.Client, method: str, path: str, token: str | None) -> int:
    url = path.format(**SAMPLE_PARAMS)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.request(method, url, headers=headers).status_code


def test_route_role_matrix(matrix: Matrix, settings: Settings) -> None:
    routes = _routes(settings)
    failures: list[str] = []
    with httpx.Client(base_url=matrix.server.url, timeout=60) as client:
        for method, path in routes:
            allowed = rule_of(method, path)
            assert allowed is not None
            public = not allowed
            for case, token in matrix.refused.items():
                status = _call(client, method, path, token)
                if public and status in (401, 403):
                    failures.append(f"{method} {path} {case}: {status}, public route")
                if not public and status != 401:
                    failures.append(f"{method} {path} {case}: {status}, expected 401")
            for role, key in matrix.keys.items():
                status = _call(client, method, path, key)
                if public or role in allowed:
                    if status in (401, 403) or status >= 500:
                        failures.append(f"{method} {path} as {role}: {status}, expected allowed")
                elif status != 403:
                    failures.append(f"{method} {path} as {role}: {status}, expected 403")
    assert not failures, "\n".join(failures)


def test_docs_can_be_turned_off(settings: Settings) -> None:
    closed = settings.model_copy(update={"docs_enabled": False})
    with LiveServer(closed) as server, httpx.Client(base_url=server.url) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 404, path
    with LiveServer(settings) as server, httpx.Client(base_url=server.url) as client:
        schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            public = not rule_of(method.upper(), path)
            assert ("security" in operation) != public, (method, path)
