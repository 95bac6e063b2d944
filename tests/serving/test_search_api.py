"""Search over HTTP, end to end: upload, process, embed, find."""

from __future__ import annotations

from pathlib import Path

import httpx

from core.settings import Settings
from tests.conftest import truth_of, work_queue


def test_upload_then_find_a_comment(api: httpx.Client, settings: Settings, corpus: Path) -> None:
    path = next(p for p in sorted(corpus.glob("*.pdf")) if len(truth_of(p)["comments"]) >= 3)
    truth = truth_of(path)
    report_id = api.post("/v1/reports", files={"file": (path.name, path.read_bytes())}).json()["id"]
    work_queue(settings)
    report = api.get(f"/v1/reports/{report_id}").json()
    assert report["summary"]["comments"] == len(truth["comments"])
    assert report["embedded_comments"] == len(truth["comments"])

    wanted = max(truth["comments"], key=lambda c: len(c["text"]))
    response = api.post("/v1/search", json={"query": wanted["text"], "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == "hybrid" and body["space"]
    top = body["hits"][0]
    assert top["text"] == wanted["text"]
    citation = top["citation"]
    assert citation["report_id"] == report_id
    assert citation["course_code"] == truth["course"]["code"]
    assert citation["course_title"] == truth["course"]["title"]
    assert citation["term"] == truth["term"]["label"]
    assert citation["section"] == truth["course"]["section"]
    assert citation["prompt"] == wanted["prompt"]
    assert citation["comment_number"] == wanted["number"]
    assert citation["instructors"] == [f"{i['last']}, {i['first']}" for i in truth["instructors"]]
    assert set(top["scores"]) == {"vector", "text", "fused"}

    got = api.get(
        "/v1/search", params={"q": wanted["text"], "k": 3, "course": truth["course"]["code"]}
    )
    assert got.status_code == 200 and got.json()["hits"][0]["text"] == wanted["text"]
    none = api.get("/v1/search", params={"q": wanted["text"], "course": "ZZ9999"})
    assert none.status_code == 200 and none.json()["hits"] == []


def test_bad_search_requests_are_422(api: httpx.Client) -> None:
    assert api.post("/v1/search", json={"query": ""}).status_code == 422
    assert api.post("/v1/search", json={"query": "x", "k": 0}).status_code == 422
    bad_term = api.get("/v1/search", params={"q": "x", "term": "Autumn 2023"})
    assert bad_term.status_code == 422 and "Autumn 2023" in bad_term.json()["error"]["message"]
    bad_mode = api.post("/v1/search", json={"query": "x", "mode": "magic"})
    assert bad_mode.status_code == 422
