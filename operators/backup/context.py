"""What the handlers are given at start-up: settings, the secret reader, the event sink, a clock.

Each is a small interface, so tests hand the handlers a fake secret reader (the embedded
database's URL) and a recording event sink through the same `memo` the operator fills.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, cast

import httpx

from core.backup import utcnow
from core.errors import ConfigError
from core.settings import Settings

SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")


class SecretReader(Protocol):
    def read(self, namespace: str, name: str, key: str) -> str:
        """One key of a Secret, decoded."""
        ...


class Events(Protocol):
    def emit(self, body: Mapping[str, Any], *, type: str, reason: str, message: str) -> None:
        """A Kubernetes Event about the object `body`."""
        ...


class KopfEvents:
    """Events posted by kopf's own queue (only inside a running operator)."""

    def emit(self, body: Mapping[str, Any], *, type: str, reason: str, message: str) -> None:
        # optional extra (operator): kopf is there only where the operator runs; the handlers'
        # tests hand in a fake Events
        import kopf

        obj = cast(kopf.Body, body)  # kopf hands the handlers a kopf.Body; it reads the reference
        kopf.event(obj, type=type, reason=reason, message=message[:1000])


class InClusterSecrets:
    """Reads a Secret through the API server with the pod's service-account token.

    Only `get` on the named Secret is needed (a namespaced Role with resourceNames).
    """

    def __init__(
        self,
        *,
        api: str = "https://kubernetes.default.svc",
        account: Path = SERVICE_ACCOUNT,
        transport: httpx.BaseTransport | None = None,
    ):
        self.api = api
        self.account = account
        self.transport = transport

    def read(self, namespace: str, name: str, key: str) -> str:
        token = (self.account / "token").read_text().strip()  # re-read: tokens are rotated
        ca = self.account / "ca.crt"
        verify: Any = str(ca) if ca.exists() else True
        with httpx.Client(transport=self.transport, verify=verify, timeout=15) as client:
            resp = client.get(
                f"{self.api}/api/v1/namespaces/{namespace}/secrets/{name}",
                headers={"Authorization": f"Bearer {token}"},
            )
        if resp.status_code in (403, 404):
            raise ConfigError(
                f"secret {namespace}/{name} cannot be read ({resp.status_code}): it must exist "
                "and the operator needs a Role granting get on it"
            )
        resp.raise_for_status()
        data = resp.json().get("data") or {}
        if key not in data:
            raise ConfigError(f"secret {namespace}/{name} has no key {key!r}")
        return base64.b64decode(data[key]).decode("utf-8").strip()


@dataclass
class OperatorContext:
    settings: Settings
    secrets: SecretReader
    events: Events
    clock: Callable[[], datetime] = field(default=utcnow)
