"""FastAPI dependencies: settings, services, a pooled connection, and the calling principal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from core.db import Conn
from core.settings import Settings
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
    """Who is calling. Embedded mode has one local principal; real auth plugs in here later."""

    subject: str
    kind: str


def get_principal(request: Request) -> Principal:
    return Principal(subject="local", kind="local")


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ConnDep = Annotated[Conn, Depends(get_conn)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
