"""Request limits: body sizes, rate limits per principal and per address, upload quotas.

Rate limits use the `limits` library (a moving window), in memory by default; several API
replicas share one Redis-compatible store when TRACELENS_RATE_LIMIT_STORAGE names it
(`redis://host:6379`). A refusal is 429 with Retry-After.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import RateLimited
from core.settings import Settings
from serving.deps import PrincipalDep, ServicesDep, get_settings

MAX_OFFSET = 1_000_000
"""The deepest page any listing serves (beyond it a client should filter, not page)."""
UPLOAD_PATH = "/v1/reports"


class BodyLimitMiddleware:
    """Refuse request bodies over the cap with 413, by Content-Length or while streaming.

    Uploads (POST /v1/reports) stream into read_upload, which enforces its own larger cap;
    every other body is JSON and small.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            scope["method"] == "POST" and scope["path"].rstrip("/") == UPLOAD_PATH
        ):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        seen = 0
        refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted, guarded)
        if refused:
            await _too_large(send, self.max_bytes)


async def _too_large(send: Send, max_bytes: int) -> None:
    body = json.dumps(
        {"error": {"code": "too_large", "message": f"request body over {max_bytes} bytes"}}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimits:
    """One limiter for the process, over the configured storage."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))

    def check(self, name: str, rate: str, keys: list[str]) -> None:
        """Count one hit on every key; 429 naming the first key over `rate`."""
        item = parse(rate)
        for key in keys:
            if not self.limiter.hit(item, name, key):
                reset, _ = self.limiter.get_window_stats(item, name, key)
                raise RateLimited(
                    f"too many {name} requests ({rate}); retry later",
                    retry_after=max(1, int(reset - time.time()) + 1),
                )


def rate_limited(name: str, rate_of: Callable[[Settings], str]) -> Any:
    """A dependency that counts the request against the principal's and the address's limit."""

    def dependency(
        request: Request,
        principal: PrincipalDep,
        settings: Settings = Depends(get_settings),
    ) -> None:
        limits: RateLimits = request.app.state.rate_limits
        address = request.client.host if request.client else "unknown"
        limits.check(name, rate_of(settings), [f"principal:{principal.subject}", f"ip:{address}"])

    return Depends(dependency)


def check_upload_quota(services: ServicesDep, principal: PrincipalDep, request: Request) -> None:
    """Uploads per principal in the last 24 hours, counted from the audit log.

    The connection goes back to the pool at once: held for the request (a ConnDep), every
    upload would wait for a second one to store the file, and eight at once would deadlock a
    pool of eight."""
    quota = request.app.state.rate_limits.settings.upload_quota_per_day
    with services.pool.connection() as conn:
        row = conn.execute(
            "SELECT count(*) AS n FROM audit_log WHERE principal = %s AND action = 'upload'"
            " AND at > now() - interval '1 day'",
            (principal.subject,),
        ).fetchone()
    if row is not None and int(row["n"]) >= quota:
        raise RateLimited(
            f"{principal.subject!r} has uploaded {row['n']} reports in 24 hours, the quota"
            f" is {quota}",
            retry_after=3600,
        )
