"""Per-request observability: latency by route template and status, X-Request-ID, access log.

A pure ASGI middleware (not BaseHTTPMiddleware) so streaming responses pass untouched and the
request id set here is the one every log record of the request sees. Routes are labelled by
their template (`/v1/reports/{report_id}`), never the raw path, to bound metric cardinality.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import Response
from opentelemetry.propagate import extract
from opentelemetry.trace import SpanKind
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.observability import (
    HTTP_REQUEST_SECONDS,
    metrics_payload,
    request_id_var,
    span,
    tracing_enabled,
)

access_log = logging.getLogger("tracelens.access")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The matched route's path template; `unmatched` for 404s, so raw paths never become labels."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else UNMATCHED


def _request_id(headers: Headers) -> str:
    """Keep a caller's id when it is a sane token (it lands in logs); otherwise make one."""
    given = headers.get(REQUEST_ID_HEADER)
    return given if given and _VALID_ID.match(given) else uuid.uuid4().hex


class ObservabilityMiddleware:
    """Times each HTTP request, tags it with a request id, traces it when tracing is on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = _request_id(headers)
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        status = 500  # what the client gets if the app raises before responding

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        route = UNMATCHED
        parent = extract(dict(headers)) if tracing_enabled() else None
        token = request_id_var.set(request_id)
        start = time.perf_counter()
        try:
            with span(method, context=parent, kind=SpanKind.SERVER) as current:
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    route = route_template(scope)
                    if current is not None:
                        current.update_name(f"{method} {route}")
                        current.set_attribute("http.request.method", method)
                        current.set_attribute("http.route", route)
                        current.set_attribute("http.response.status_code", status)
        finally:
            elapsed = time.perf_counter() - start
            HTTP_REQUEST_SECONDS.labels(method=method, route=route, status=str(status)).observe(
                elapsed
            )
            access_log.info(
                "%s %s %s %.1f ms",
                method,
                scope.get("path", ""),
                status,
                elapsed * 1000,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(token)


async def metrics_endpoint() -> Response:
    """Prometheus scrapes the API process here; workers serve the same series on metrics_port."""
    payload, content_type = metrics_payload()
    return Response(content=payload, media_type=content_type)
