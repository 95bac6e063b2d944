"""A slow model holds no database connection: answers being written leave the pool free, and
at most `max_streams` answers stream at once (beyond that, 503 with Retry-After).

The API runs with a pool of 2 connections and a canned OpenAI-compatible model that takes
seconds to answer; five answers wait on the model while other routes still answer at once, and
fifty slow asks leave search its usual speed (the ones over `max_asks` are refused at once).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from devtools.processes import AppServer
from tests.conftest import LiveServer, load_reports, truth_of
from tests.rag.answer.test_llm_providers import Canned, fake_llm_app

pytest.importorskip("langchain_openai")

MODEL_DELAY_S = 4.0
MAX_ASKS = 8


@pytest.fixture
def slow_api(settings: Settings, corpus: Path) -> Iterator[tuple[httpx.Client, Canned, str]]:
    files = sorted(corpus.glob("*.xlsx"))[:2]
    assert settings.database_dsn
    load_reports(settings, files)
    canned = Canned(reply="The reports say so.", delay_s=MODEL_DELAY_S)
    with AppServer(fake_llm_app(canned)) as llm:
        slow = settings.model_copy(
            update={
                "db_pool_max": 2,
                "max_streams": 3,
                "max_asks": MAX_ASKS,
                "llm_provider": "openai",
                "llm_model": "canned-model",
                "llm_base_url": f"{llm.url}/v1",
                "llm_timeout_s": 30.0,
            }
        )
        with LiveServer(slow) as server, server.client(timeout=60) as client:
            yield client, canned, truth_of(files[0])["course"]["code"]


def _stream(api: httpx.Client, question: str) -> tuple[int, list[tuple[str, Any]]]:
    events: list[tuple[str, Any]] = []
    with api.stream("POST", "/v1/ask/stream", json={"question": question}) as r:
        if r.status_code != 200:
            r.read()
            return r.status_code, [("error", r.json())]
        kind = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
    return 200, events


def test_answers_waiting_on_the_model_hold_no_connection(
    slow_api: tuple[httpx.Client, Canned, str],
) -> None:
    api, canned, code = slow_api
    question = f"how many sections of {code}?"
    results: dict[str, Any] = {}

    def run(name: str, call: Any) -> None:
        results[name] = call()

    calls = {
        **{f"stream{i}": lambda: _stream(api, question) for i in range(3)},
        **{f"ask{i}": lambda: api.post("/v1/ask", json={"question": question}) for i in range(2)},
    }
    threads = [threading.Thread(target=run, args=(n, c)) for n, c in calls.items()]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30  # gathering evidence takes turns on the two connections
    first: float | None = None  # when the first model call was seen
    while True:
        arrived, now = len(canned.requests), time.monotonic()
        if arrived and first is None:
            first = now
        if arrived >= 5 or now > deadline:
            break
        time.sleep(0.02)
    assert arrived == 5, "all five answers should be waiting on the model"
    assert first is not None and now - first < MODEL_DELAY_S - 1, "not all at once"

    # five answers wait on the model, the pool holds two connections: reads still answer now
    started = time.monotonic()
    courses = api.get("/v1/courses")
    assert courses.status_code == 200 and time.monotonic() - started < 2.0
    # a fourth stream is over the cap: refused at once, with when to come back
    refused = api.post("/v1/ask/stream", json={"question": question})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
    assert refused.json()["error"]["code"] == "busy"

    for t in threads:
        t.join(timeout=60)
    for i in range(2):
        assert results[f"ask{i}"].status_code == 200
        assert results[f"ask{i}"].json()["facts"]
    conversations = set()
    for i in range(3):
        status, events = results[f"stream{i}"]
        assert status == 200 and events[-1][0] == "final"
        conversations.add(events[-1][1]["answer"]["conversation_id"])
    # every turn was remembered after the model wrote, on a connection taken back for it
    for conversation_id in conversations:
        follow = api.post(
            "/v1/ask",
            json={"question": "and in the previous term?", "conversation_id": conversation_id},
        )
        assert follow.status_code == 200
    # the slots came back: a new stream is served
    status, events = _stream(api, question)
    assert status == 200 and events[-1][0] == "final"


def _p95(seconds: list[float]) -> float:
    return sorted(seconds)[int(0.95 * (len(seconds) - 1))]


def _search_times(api: httpx.Client, n: int) -> list[float]:
    times = []
    for i in range(n):
        started = time.monotonic()
        found = api.post("/v1/search", json={"query": f"the homework {i}", "k": 10})
        assert found.status_code == 200, found.text
        times.append(time.monotonic() - started)
    return times


def test_fifty_slow_asks_leave_search_its_usual_speed(
    slow_api: tuple[httpx.Client, Canned, str],
) -> None:
    api, canned, code = slow_api
    usual = _search_times(api, 20)
    statuses: list[int] = []

    def one_ask(i: int) -> None:
        answer = api.post("/v1/ask", json={"question": f"how many sections of {code}? ({i})"})
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=one_ask, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(canned.requests) < MAX_ASKS and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(canned.requests) == MAX_ASKS, "max_asks answers should be waiting on the model"
    during = _search_times(api, 20)
    assert len(canned.requests) == MAX_ASKS and len(statuses) < 50, "asks ended too early"
    for t in threads:
        t.join(timeout=60)

    assert sorted(set(statuses)) == [200, 503]
    assert statuses.count(200) == MAX_ASKS and statuses.count(503) == 50 - MAX_ASKS
    # the same searches, before and while fifty asks wait: p95 within a noisy machine's margin
    assert _p95(during) <= max(3 * _p95(usual), _p95(usual) + 0.3), (usual, during)
