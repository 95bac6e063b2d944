"""The one place domain errors become HTTP responses: `{"error": {"code", "message"}}`."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from core.errors import RetryLater, TraceLensError, Unauthorized

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error the API returns: `{"error": {"code", "message"}}`."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "The request cannot be read (a malformed body or upload)",
        401: "No credentials, or credentials that do not verify",
        403: "None of the caller's roles may do this",
        404: "No such resource",
        409: "The resource's state does not allow it",
        413: "The body is over its cap",
        415: "The upload is not a supported file type",
        422: "A parameter or the file's content is invalid",
        429: "Rate limit or quota reached; see Retry-After",
        503: "A dependency (the database) is unavailable or a capacity limit is reached;"
        " see Retry-After",
    }.items()
}
"""Documented on every operation, so clients (and schemathesis) know each error's shape."""


def _allowed(request: Request) -> list[str]:
    """Every method some route serves at this path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _problem(err: Any) -> str:
    """`query.term: String should match pattern … (got 'Autumn 2023')`: the value is named."""
    where = ".".join(str(p) for p in err["loc"])
    given = err.get("input")
    shown = (
        f" (got {given!r})"
        if isinstance(given, str | int | float) and len(repr(given)) < 80
        else ""
    )
    return f"{where}: {err['msg']}{shown}"


def _body(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TraceLensError)
    async def domain_error(request: Request, exc: TraceLensError) -> JSONResponse:
        if exc.status_code >= 500:
            log.error("%s %s failed: %s", request.method, request.url.path, exc)
        response = _body(exc.status_code, exc.code, str(exc))
        if isinstance(exc, RetryLater):
            response.headers["Retry-After"] = str(exc.retry_after)
        elif exc.status_code == 503:  # a dependency (blob storage) is down: try again shortly
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
        if isinstance(exc, Unauthorized):
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s: database unavailable: %s", request.method, request.url.path, exc)
        response = _body(503, "unavailable", "the database is unavailable; retry shortly")
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    @app.exception_handler(psycopg.errors.QueryCanceled)
    async def query_timed_out(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s: the query ran past its timeout", request.method, request.url.path)
        response = _body(503, "unavailable", "the database is busy; retry shortly")
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    @app.exception_handler(psycopg.DataError)
    async def value_not_storable(request: Request, exc: Exception) -> JSONResponse:
        log.warning(
            "%s %s: a value the database refuses: %s", request.method, request.url.path, exc
        )
        return _body(
            422, "invalid_value", "a value in the request cannot be used (a NUL character?)"
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
        response = _body(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:  # Starlette names only the first route's methods
            response.headers["Allow"] = ", ".join(_allowed(request))
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _body(422, "invalid_request", "; ".join(map(_problem, exc.errors())))
