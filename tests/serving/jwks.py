"""A local OIDC issuer for tests: RSA keys, a JWKS served over HTTP on 127.0.0.1, and tokens."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from devtools.processes import AppServer

ISSUER = "https://issuer.test"
AUDIENCE = "tracelens-api"


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = json.loads(
            jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key())
        )
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}


@dataclass
class Issuer:
    """What the JWKS endpoint serves now (`published`), and how often it was fetched."""

    url: str = ""
    published: list[SigningKey] = field(default_factory=list)
    fetches: int = 0

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/jwks.json"

    def token(
        self,
        key: SigningKey,
        *,
        roles: list[str] | str | None = None,
        sub: str = "jdoe",
        ttl_s: int = 300,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now, "exp": now + ttl_s}
        if roles is not None:
            payload["roles"] = roles
        payload.update(claims)
        return jwt.encode(payload, key.private, algorithm="RS256", headers={"kid": key.kid})


@contextmanager
def local_issuer(*keys: SigningKey) -> Iterator[Issuer]:
    issuer = Issuer(published=list(keys))

    async def jwks(request: Request) -> JSONResponse:
        issuer.fetches += 1
        return JSONResponse({"keys": [k.jwk() for k in issuer.published]})

    with AppServer(Starlette(routes=[Route("/jwks.json", jwks)])) as server:
        issuer.url = server.url
        yield issuer


def oidc_settings(issuer: Issuer) -> dict[str, Any]:
    return {
        "oidc_issuer": ISSUER,
        "oidc_audience": AUDIENCE,
        "oidc_jwks_url": issuer.jwks_url,
        "oidc_refresh_cooldown_s": 0.0,  # tests rotate at once; production waits 30 s
    }
