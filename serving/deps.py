"""FastAPI dependencies: settings, services, a pooled connection, and the calling principal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Request

from core.auth.access import Access
from core.auth.keys import looks_like_key
from core.db import Conn
from core.errors import Unauthorized
from core.settings import Settings
from rag.answer.ask import Asker
from rag.search.searcher import Searcher
from serving.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_settings(services: Annotated[Services, Depends(get_services)]) -> Settings:
    return services.settings


def get_conn(services: Annotated[Services, Depends(get_services)]) -> Iterator[Conn]:
    with services.pool.connection() as conn:
        yield conn


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key's or a verified token's subject, roles and instructor id."""

    subject: str
    kind: str
    roles: frozenset[str] = frozenset()
    instructor_id: int | None = None

    def access(self, settings: Settings) -> Access:
        """The read rule's input for this caller (core.auth.access)."""
        return Access(
            roles=self.roles,
            instructor_id=self.instructor_id,
            min_responses=settings.min_responses,
        )


def _bearer(request: Request) -> str:
    """The Authorization header's Bearer token; cookies and query strings are never read."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an API key or a token as 'Authorization: Bearer …'")
    return token.strip()


def get_principal(request: Request) -> Principal:
    """The verified caller, once per request (401 when there is none that verifies)."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    token = _bearer(request)
    services: Services = request.app.state.services
    principal: Principal | None = None
    if looks_like_key(token):
        with services.pool.connection() as conn:
            key = request.app.state.key_verifier.verify(conn, token)
        if key is not None:
            principal = Principal(
                subject=f"key:{key.prefix}",
                kind="api_key",
                roles=frozenset(key.roles),
                instructor_id=key.instructor_id,
            )
    elif request.app.state.oidc is not None:
        claims = request.app.state.oidc.verify(token)
        if claims is not None:
            principal = Principal(
                subject=f"oidc:{claims.subject}",
                kind="oidc",
                roles=frozenset(claims.roles),
                instructor_id=claims.instructor_id,
            )
    if principal is None:
        raise Unauthorized("the credentials do not verify (unknown, revoked or expired)")
    request.state.principal = principal
    return principal


def reader_asker(services: Services, principal: Principal) -> Asker:
    """The asker whose searches and counts read only what the principal may read."""
    access = principal.access(services.settings)
    return replace(services.asker, searcher=services.asker.searcher.for_reader(access))


def reader_searcher(services: Services, principal: Principal) -> Searcher:
    """The searcher in service, for what the principal may read."""
    return services.searcher.for_reader(principal.access(services.settings))


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ConnDep = Annotated[Conn, Depends(get_conn)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
