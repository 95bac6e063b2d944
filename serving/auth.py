"""Who may call which route: one table of rules, enforced for every route by one dependency.

A route missing from RULES is refused to everyone (and fails the route × role matrix test);
PUBLIC routes need no credentials. What a reader may see inside a response (comment text) is
core.auth.access's rule, applied in the SQL; this table only decides who may call at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute

from core.errors import Forbidden
from serving.deps import Principal, get_principal

PUBLIC: frozenset[str] = frozenset()
"""No credentials needed (the probes and the metrics scrape)."""
READERS = frozenset({"viewer", "instructor", "analyst", "admin"})
"""Aggregates for all of them; comment text as core.auth.access allows."""
REPORT_READERS = frozenset({"uploader", "analyst", "admin"})
"""Upload statuses: an uploader sees the reports they uploaded, analysts and admins all."""
UPLOADERS = frozenset({"uploader", "admin"})
ADMINS = frozenset({"admin"})
ANYONE = frozenset({"viewer", "instructor", "analyst", "uploader", "admin"})
"""Any verified principal, whatever its roles."""

RULES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("POST", "/v1/reports"): UPLOADERS,
    ("GET", "/v1/reports"): REPORT_READERS,
    ("GET", "/v1/reports/{report_id}"): REPORT_READERS,
    ("POST", "/v1/reports/{report_id}/retry"): ADMINS,
    ("DELETE", "/v1/reports/{report_id}"): ADMINS,
    ("GET", "/v1/courses"): READERS,
    ("GET", "/v1/courses/{code}"): READERS,
    ("GET", "/v1/instructors"): READERS,
    ("GET", "/v1/instructors/{instructor_id}"): READERS,
    ("POST", "/v1/search"): READERS,
    ("GET", "/v1/search"): READERS,
    ("POST", "/v1/ask"): READERS,
    ("POST", "/v1/ask/stream"): READERS,
    ("GET", "/v1/dashboards/courses/{code}"): READERS,
    ("GET", "/v1/dashboards/courses/{code}/themes"): READERS,
    ("GET", "/v1/dashboards/instructors/{instructor_id}"): READERS,
    ("POST", "/v1/admin/reload-model"): ADMINS,
    ("GET", "/v1/audit"): ADMINS,
    ("POST", "/v1/comments/{comment_id}/redact"): ADMINS,
    ("GET", "/v1/me"): ANYONE,
}


def rule_of(method: str, path: str) -> frozenset[str] | None:
    return RULES.get(("GET" if method == "HEAD" else method, path))


def authorize(request: Request) -> None:
    """The app-wide dependency: 401 without a verified principal, 403 without a listed role."""
    route: Any = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    allowed = rule_of(request.method, path)
    if allowed is not None and not allowed:
        return
    principal = get_principal(request)
    if allowed is None:
        raise Forbidden(f"{request.method} {path} has no access rule: refused to everyone")
    if not principal.roles & allowed:
        raise Forbidden(
            f"{request.method} {path} needs one of the roles {', '.join(sorted(allowed))};"
            f" {principal.subject} holds {', '.join(sorted(principal.roles)) or 'none'}"
        )


def sees_all_reports(principal: Principal) -> bool:
    return bool(principal.roles & {"analyst", "admin"})


def document_auth(app: FastAPI) -> None:
    """Declare the bearer scheme in the OpenAPI schema, and on each operation the roles it
    needs (so /docs offers "Authorize" and clients see who may call what)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["bearer"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (tl_…, `tracelens keys create`) or an OIDC access token",
        }
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                allowed = rule_of(method.upper(), path)
                if not allowed:
                    continue
                operation["security"] = [{"bearer": []}]
                roles = ", ".join(sorted(allowed))
                text = operation.get("description", "")
                operation["description"] = f"{text}\n\nRoles: {roles}.".strip()
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def api_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every API route of the app, included routers walked."""

    def walk(routes: list[Any]) -> Iterator[tuple[str, str]]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(list(inner.routes))
            elif isinstance(route, APIRoute):
                for method in sorted(route.methods or ()):
                    yield method, route.path

    yield from walk(list(app.routes))
