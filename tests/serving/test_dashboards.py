"""/v1/dashboards over real HTTP and PostgreSQL: every number checked against the ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.db import Database
from tests.ui.live import fake_settings, loaded_api, own_database

Truth = dict[str, Any]


@pytest.fixture(scope="module")
def dash(
    pg_server: Database, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[httpx.Client, list[Truth]]]:
    """Read-only tests: one loaded database and server for the module."""
    with own_database(pg_server) as url:
        settings = fake_settings(tmp_path_factory.mktemp("dash-state"), url)
        with loaded_api(settings, corpus) as live, live.client() as client:
            yield client, live.truths


def weighted(pairs: list[tuple[float | None, int | None]]) -> float | None:
    """Σ mean·responses / Σ responses, rounded half-up to two decimals, from the truth JSON."""
    used = [(Decimal(str(m)), r) for m, r in pairs if m is not None and r]
    if not used:
        return None
    mean = sum(m * r for m, r in used) / sum(r for _, r in used)
    return float(mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def question(truth: Truth, text: str) -> Truth:
    return next(q for q in truth["questions"] if q["text"] == text)


def test_course_dashboard_matches_the_reports(dash: tuple[httpx.Client, list[Truth]]) -> None:
    api, truths = dash
    code = "PSYC1101"  # three sections, one term, two instructors in the seed-5 corpus
    mine = [t for t in truths if t["course"]["code"] == code]
    assert len(mine) == 3
    body = api.get(f"/v1/dashboards/courses/{code.lower()}").json()
    assert body["code"] == code and body["sections"] == 3 and body["terms"] == 1

    texts = {q["text"] for t in mine for q in t["questions"]}
    assert {q["question"] for q in body["questions"]} == texts
    for row in body["questions"]:
        scores = [
            question(t, row["question"])
            for t in mine
            if row["question"] in {q["text"] for q in t["questions"]}
        ]
        pairs = [(q["course_mean"], q["responses"]) for q in scores]
        assert row["course_mean"] == weighted(pairs), row
        assert row["dept_mean"] == weighted([(q["dept_mean"], q["responses"]) for q in scores])
        assert row["responses"] == sum(q["responses"] or 0 for q in scores)
        known = [q["distribution"] for q in scores if q["distribution"]]
        if known:
            assert row["distribution"]["5"] == sum(d["5"] for d in known)
        else:
            assert row["distribution"] is None

    sections = {(r["term"], r["section"]) for r in body["by_section"]}
    assert sections == {(t["term"]["label"], t["course"]["section"]) for t in mine}
    assert {r["term"] for r in body["by_term"]} == {"Spring 2019"}

    freq = [f for t in mine for f in t["frequencies"]]
    [hours] = body["frequencies"]
    assert hours["n"] == sum(sum(f["bins"].values()) for f in freq)
    assert [b["bin"] for b in hours["bins"]] == list(freq[0]["bins"])
    assert 1 <= hours["estimated_mean"] <= 20

    themes = api.get(f"/v1/dashboards/courses/{code}/themes").json()
    assert themes["code"] == code
    assert themes["comments"] == sum(len(t["comments"]) for t in mine)
    assert sum(themes["tones"].values()) == themes["counted"] == themes["comments"]
    assert themes["themes"], "the seed-5 PSYC1101 comments mention themes"
    for theme in themes["themes"]:
        assert 0 < theme["count"] <= theme["of"] == themes["counted"]
        assert theme["tone"] in ("positive", "negative", "mixed", "neutral")


def test_course_trend_runs_across_terms(dash: tuple[httpx.Client, list[Truth]]) -> None:
    api, truths = dash
    body = api.get("/v1/dashboards/courses/CS 7180").json()
    mine = sorted(
        (t for t in truths if t["course"]["code"] == "CS7180"), key=lambda t: t["term"]["year"]
    )
    text = mine[0]["questions"][0]["text"]
    trend = [r for r in body["by_term"] if r["question"] == text]
    assert [r["term"] for r in trend] == [t["term"]["label"] for t in mine]  # oldest first
    for row, truth in zip(trend, mine, strict=True):
        q = question(truth, text)
        assert row["course_mean"] == weighted([(q["course_mean"], q["responses"])])


def test_instructor_dashboard_spans_courses_and_terms(
    dash: tuple[httpx.Client, list[Truth]],
) -> None:
    api, truths = dash
    people = api.get("/v1/instructors", params={"q": "Doe, Jane"}).json()["items"]
    [doe] = people
    body = api.get(f"/v1/dashboards/instructors/{doe['id']}").json()
    assert (body["last"], body["first"], body["sections"]) == ("Doe", "Jane", 2)
    taught = [t for t in truths if {"last": "Doe", "first": "Jane"} in t["instructors"]]
    pairs = {(r["course_code"], r["term"]) for r in body["by_course_term"]}
    assert pairs == {(t["course"]["code"], t["term"]["label"]) for t in taught}
    for row in body["by_course_term"]:
        truth = next(t for t in taught if t["course"]["code"] == row["course_code"])
        q = question(truth, row["question"])
        assert row["course_mean"] == weighted([(q["course_mean"], q["responses"])])
        assert row["course_title"] == truth["course"]["title"]


def test_unknown_course_and_instructor_are_404(dash: tuple[httpx.Client, list[Truth]]) -> None:
    api, _ = dash
    missing = api.get("/v1/dashboards/courses/ZZ9999")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no course 'ZZ9999'"
    assert api.get("/v1/dashboards/courses/ZZ9999/themes").status_code == 404
    assert api.get("/v1/dashboards/instructors/999999").status_code == 404
