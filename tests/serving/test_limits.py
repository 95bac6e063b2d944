"""Request limits: body sizes, integer and string bounds, literal LIKE, rate limits and quotas
(429 with Retry-After), each checked over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from core.settings import Settings
from tests.conftest import LiveServer


@pytest.fixture
def strict_api(settings: Settings) -> Iterator[httpx.Client]:
    strict = settings.model_copy(
        update={
            "rate_limit_search": "3/minute",
            "upload_quota_per_day": 2,
            "max_body_bytes": 4096,
        }
    )
    with LiveServer(strict) as server, server.client(timeout=30) as client:
        yield client


def test_a_json_body_over_the_cap_is_413_whether_declared_or_streamed(
    strict_api: httpx.Client,
) -> None:
    big = {"query": "x" * 900, "filters": {"prompt": "y" * 5000}}
    declared = strict_api.post("/v1/search", json=big)
    assert declared.status_code == 413 and declared.json()["error"]["code"] == "too_large"

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "' + b"x" * 3000
        yield b"y" * 3000 + b'"}'

    streamed = strict_api.post(
        "/v1/search", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_numbers_and_strings_are_bounded(strict_api: httpx.Client) -> None:
    assert strict_api.get("/v1/reports", params={"offset": 2**63}).status_code == 422
    assert strict_api.get("/v1/courses", params={"q": "x" * 500}).status_code == 422
    assert strict_api.get("/v1/courses", params={"offset": -1}).status_code == 422


def test_like_wildcards_match_themselves(api: httpx.Client) -> None:
    for q in ("%", "_", "\\", "%_%"):
        response = api.get("/v1/courses", params={"q": q})
        assert response.status_code == 200 and response.json()["total"] == 0


def test_searches_over_the_rate_are_429_with_retry_after(strict_api: httpx.Client) -> None:
    codes = [strict_api.get("/v1/search", params={"q": "homework"}).status_code for _ in range(4)]
    assert codes[:3] != [429] * 3 and codes[3] == 429
    refused = strict_api.get("/v1/search", params={"q": "homework"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "rate_limited"


def test_uploads_past_the_daily_quota_are_refused(strict_api: httpx.Client) -> None:
    def upload(n: int) -> httpx.Response:
        data = b"%PDF-1.4\n% upload " + str(n).encode() + b"\n%%EOF\n"
        return strict_api.post("/v1/reports", files={"file": (f"{n}.pdf", data)})

    assert [upload(n).status_code for n in range(2)] == [202, 202]
    third = upload(3)
    assert third.status_code == 429 and "quota" in third.json()["error"]["message"]
