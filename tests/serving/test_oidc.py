"""OIDC bearer tokens over real HTTP, verified against a JWKS served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from core.settings import Settings
from tests.conftest import LiveServer
from tests.serving.jwks import Issuer, SigningKey, local_issuer, oidc_settings


@dataclass
class Oidc:
    issuer: Issuer
    key: SigningKey
    http: httpx.Client


@pytest.fixture
def oidc(settings: Settings) -> Iterator[Oidc]:
    key = SigningKey("k1")
    with local_issuer(key) as issuer:
        configured = settings.model_copy(update=oidc_settings(issuer))
        with LiveServer(configured) as server, httpx.Client(base_url=server.url) as http:
            yield Oidc(issuer=issuer, key=key, http=http)


def _get(o: Oidc, path: str, token: str) -> httpx.Response:
    return o.http.get(path, headers={"Authorization": f"Bearer {token}"})


def test_a_valid_token_maps_its_claims_to_roles_and_an_instructor(oidc: Oidc) -> None:
    token = oidc.issuer.token(oidc.key, roles=["instructor", "viewer", "root"], instructor_id=7)
    me = _get(oidc, "/v1/me", token)
    assert me.status_code == 200, me.text
    assert me.json()["subject"] == "oidc:jdoe"
    assert me.json()["roles"] == ["instructor", "viewer"]  # unknown roles are dropped
    assert me.json()["instructor_id"] == 7
    assert _get(oidc, "/v1/courses", token).status_code == 200
    assert _get(oidc, "/v1/audit", token).status_code == 403
    spaced = oidc.issuer.token(oidc.key, roles="analyst admin")
    assert _get(oidc, "/v1/audit", spaced).status_code == 200


def test_tokens_that_do_not_verify_are_401(oidc: Oidc) -> None:
    forger = SigningKey("k1")  # the published kid, another key
    refused = {
        "expired": oidc.issuer.token(oidc.key, roles=["admin"], ttl_s=-120),
        "wrong signature": oidc.issuer.token(forger, roles=["admin"]),
        "wrong audience": oidc.issuer.token(oidc.key, roles=["admin"], aud="another-api"),
        "wrong issuer": oidc.issuer.token(oidc.key, roles=["admin"], iss="https://evil.test"),
        "unknown kid": oidc.issuer.token(SigningKey("k9"), roles=["admin"]),
        "not a jwt": "abc.def.ghi",
    }
    for case, token in refused.items():
        response = _get(oidc, "/v1/courses", token)
        assert response.status_code == 401, (case, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
    no_roles = oidc.issuer.token(oidc.key)
    assert _get(oidc, "/v1/courses", no_roles).status_code == 403


def test_a_rotated_key_is_fetched_and_a_withdrawn_one_is_refused(oidc: Oidc) -> None:
    old_token = oidc.issuer.token(oidc.key, roles=["viewer"])
    assert _get(oidc, "/v1/courses", old_token).status_code == 200
    fetched = oidc.issuer.fetches
    assert _get(oidc, "/v1/courses", old_token).status_code == 200
    assert oidc.issuer.fetches == fetched  # the set is cached

    rotated = SigningKey("k2")
    oidc.issuer.published = [rotated]  # the issuer rotates: k1 withdrawn, k2 published
    new_token = oidc.issuer.token(rotated, roles=["viewer"])
    assert _get(oidc, "/v1/courses", new_token).status_code == 200
    assert oidc.issuer.fetches > fetched  # an unknown kid made the API fetch the set again
    assert _get(oidc, "/v1/courses", old_token).status_code == 401  # the refreshed set lacks k1
