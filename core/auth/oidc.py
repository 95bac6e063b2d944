"""OIDC bearer tokens: JWTs verified against the issuer's JWKS, mapped to roles.

The JWKS is fetched once and kept; a token signed with a key id the cached set lacks makes
PyJWKClient fetch the set again, so a rotated key is picked up without a restart. A token that
is expired, not yet valid, of another issuer or audience, or wrongly signed verifies as None.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import jwt

from core.auth.access import ROLES
from core.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claims:
    subject: str
    roles: tuple[str, ...]
    instructor_id: int | None


class OidcVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str,
        algorithms: list[str],
        roles_claim: str = "roles",
        instructor_claim: str = "instructor_id",
        refresh_cooldown_s: float = 30.0,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.algorithms = algorithms
        self.roles_claim = roles_claim
        self.instructor_claim = instructor_claim
        # The set is kept 5 minutes (a key the issuer withdrew stops verifying then); a kid it
        # lacks makes the client fetch the set again (a rotated key), at most once per cooldown.
        self.jwks = jwt.PyJWKClient(
            jwks_url,
            cache_keys=False,
            lifespan=300,
            timeout=10,
            cooldown_duration=refresh_cooldown_s,
        )

    def verify(self, token: str) -> Claims | None:
        """The token's subject, roles and instructor id; None when it does not verify."""
        try:
            key = self.jwks.get_signing_key_from_jwt(token)
            payload = jwt.decode(
                token,
                key=key.key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            log.info("bearer token refused: %s", type(exc).__name__)
            return None
        return self.claims(payload)

    def claims(self, payload: dict[str, Any]) -> Claims:
        raw = payload.get(self.roles_claim) or []
        named = raw.split() if isinstance(raw, str) else [str(r) for r in raw]
        roles = tuple(sorted({r for r in named if r in ROLES}))
        instructor = payload.get(self.instructor_claim)
        try:
            instructor_id = int(instructor) if instructor is not None else None
        except (TypeError, ValueError):
            instructor_id = None
        return Claims(subject=str(payload["sub"]), roles=roles, instructor_id=instructor_id)


def oidc_verifier(settings: Settings) -> OidcVerifier | None:
    """The verifier the settings describe, or None when OIDC is not configured."""
    if not (settings.oidc_issuer and settings.oidc_audience and settings.oidc_jwks_url):
        return None
    return OidcVerifier(
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience,
        jwks_url=settings.oidc_jwks_url,
        algorithms=settings.oidc_algorithms,
        roles_claim=settings.oidc_roles_claim,
        instructor_claim=settings.oidc_instructor_claim,
        refresh_cooldown_s=settings.oidc_refresh_cooldown_s,
    )
