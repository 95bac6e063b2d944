"""/v1/ask and /v1/ask/stream over real HTTP with the real embedding model and a loaded corpus."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from tests.conftest import LiveServer, load_reports, truth_of


@pytest.fixture
def ask_api(settings: Settings, corpus: Path) -> Iterator[tuple[httpx.Client, list[dict]]]:  # type: ignore[type-arg]
    settings = settings.model_copy(update={"embedding_backend": "auto"})
    assert settings.database_dsn
    files = sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx"))
    load_reports(settings, files)
    with LiveServer(settings) as server, server.client(timeout=60) as client:
        yield client, [truth_of(f) for f in files]


def test_numbers_come_from_the_score_tables(ask_api: tuple[httpx.Client, list[dict]]) -> None:  # type: ignore[type-arg]
    api, truths = ask_api
    truth = max(truths, key=lambda t: t["responses_incl_declines"] or 0)
    code, term = truth["course"]["code"], truth["term"]["label"]
    response = api.post("/v1/ask", json={"question": f"How many sections of {code} were taught?"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["route"] == "quantitative"
    expected = sum(1 for t in truths if t["course"]["code"] == code)
    assert any(f["value"] == expected for f in body["facts"]), body["facts"]
    assert str(expected) in body["answer"]
    assert "section" in body["answer"] and "response" not in body["answer"]  # a count's N
    assert body["conversation_id"]

    follow = api.post(
        "/v1/ask",
        json={"question": f"and in {term}?", "conversation_id": body["conversation_id"]},
    ).json()
    assert follow["route"] == "quantitative"
    in_term = sum(1 for t in truths if t["course"]["code"] == code and t["term"]["label"] == term)
    assert any(f["value"] == in_term for f in follow["facts"]), follow["facts"]
    assert follow["conversation_id"] == body["conversation_id"]


def test_opinions_come_from_cited_comments(ask_api: tuple[httpx.Client, list[dict]]) -> None:  # type: ignore[type-arg]
    api, truths = ask_api
    truth = max(truths, key=lambda t: len(t["comments"]))
    code = truth["course"]["code"]
    body = api.post(
        "/v1/ask", json={"question": f"What do students say about the workload in {code}?"}
    ).json()
    assert body["route"] == "qualitative", body
    assert body["citations"] and body["themes"]
    texts = {c["text"] for t in truths if t["course"]["code"] == code for c in t["comments"]}
    for quote in body["citations"]:
        assert quote["citation"]["course_code"] == code
        assert quote["text"] in texts
        assert quote["theme"] == "workload"  # only comments on the asked theme are quoted


def test_unanswerable_questions_say_so(ask_api: tuple[httpx.Client, list[dict]]) -> None:  # type: ignore[type-arg]
    api, truths = ask_api
    body = api.post("/v1/ask", json={"question": "What was the average rating of ZZ 9999?"}).json()
    assert body["route"] == "unanswerable"
    assert body["answer"].startswith("The reports don't say")
    code = truths[0]["course"]["code"]
    body = api.post(
        "/v1/ask", json={"question": f"What is the average salary of instructors teaching {code}?"}
    ).json()
    assert body["route"] == "unanswerable" and not body["facts"], body
    assert body["answer"].startswith("The reports don't say. I searched")
    assert "salary" in body["answer"]  # what was searched for
    assert api.post("/v1/ask", json={"question": "x", "conversation_id": "nope"}).status_code == 422
    missing = api.post(
        "/v1/ask",
        json={"question": "and then?", "conversation_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert missing.status_code == 404


def test_stream_sends_tokens_then_the_final_answer(
    ask_api: tuple[httpx.Client, list[dict]],
) -> None:  # type: ignore[type-arg]
    api, truths = ask_api
    code = truths[0]["course"]["code"]
    events = []
    with api.stream(
        "POST", "/v1/ask/stream", json={"question": f"how many sections of {code}?"}
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
    kinds = [k for k, _ in events]
    assert kinds[-1] == "final" and kinds.count("token") >= 1
    final = events[-1][1]
    streamed = "".join(e["text"] for k, e in events if k == "token")
    assert final["answer"]["answer"] == streamed and not final["replaced"]
    assert final["answer"]["facts"]
