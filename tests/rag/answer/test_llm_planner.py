"""The optional LLM planner over real HTTP: a canned OpenAI-compatible server on 127.0.0.1.

The model is built by `make_chat_model` from settings, as in production; its structured output is
validated against the catalogue, and every failure falls back to the rule-based plan.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.processes import AppServer
from rag.answer.entities.resolve import resolve
from rag.answer.llm import make_chat_model
from rag.answer.planner import InvalidPlan, Planner, validate_plan
from rag.answer.plans import Average, Count, Metric, Ranking, Scope
from tests.rag.answer.test_entities import CATALOG
from tests.rag.answer.test_llm_providers import Canned, fake_llm_app, llm_settings

pytest.importorskip("langchain_openai")

FEEDBACK_ID = next(q.id for q in CATALOG.questions if "sufficient feedback" in q.text)
QUESTION = "which professor gave the best feedback in CS5800?"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Canned, str]]:
    canned = Canned()
    with AppServer(fake_llm_app(canned)) as running:
        yield canned, running.url


@pytest.fixture
def planner(server: tuple[Canned, str], tmp_path: Path) -> Iterator[tuple[Planner, Canned]]:
    canned, url = server
    canned.reply, canned.status, canned.delay_s = "", 200, 0.0
    canned.requests.clear()
    model = make_chat_model(llm_settings(tmp_path, "openai", f"{url}/v1"))
    assert model is not None
    yield Planner(chat_model=model), canned


def ranking_json(**scope: Any) -> str:
    plan = {
        "kind": "ranking",
        "entity": "instructor",
        "metric": {"kind": "question", "question_id": FEEDBACK_ID, "text": "feedback"},
        "scope": {"courses": ["CS5800"], **scope},
    }
    return json.dumps({"plan": plan, "reason": ""})


def test_a_valid_plan_is_used_with_names_from_the_catalogue(
    planner: tuple[Planner, Canned],
) -> None:
    model, canned = planner
    canned.reply = ranking_json(instructor_ids=[5])
    entities = resolve(QUESTION, CATALOG, metric_index=None)
    fallback = Count(what="sections", scope=Scope())
    chosen = model.plan(QUESTION, entities, CATALOG, fallback=fallback)
    assert isinstance(chosen, Ranking)
    assert chosen.metric.text == next(q.text for q in CATALOG.questions if q.id == FEEDBACK_ID)
    assert chosen.scope.instructor_names == ["Thi Thanh Huong Nguyen"]
    [request] = canned.requests
    assert request["response_format"]["type"] == "json_schema"
    prompt = request["messages"][-1]["content"]
    assert f"{FEEDBACK_ID}: The instructor provided sufficient feedback." in prompt
    assert "CS5800: Algorithms" in prompt and QUESTION in prompt


@pytest.mark.parametrize(
    "reply",
    [
        ranking_json(courses=["ZZ9999"]),  # a course the reports do not hold
        json.dumps({"plan": {"kind": "average", "scope": {},
                             "metric": {"kind": "question", "question_id": 9999, "text": "x"}}}),
        json.dumps({"plan": {"kind": "average", "scope": {}, "metric": {"kind": "section",
                                                                        "text": "x"}}}),
        json.dumps({"plan": None, "reason": "cannot"}),
        "this is not JSON",
    ],
)  # fmt: skip
def test_anything_invalid_falls_back_to_the_rules(
    planner: tuple[Planner, Canned], reply: str, caplog: pytest.LogCaptureFixture
) -> None:
    model, canned = planner
    canned.reply = reply
    entities = resolve(QUESTION, CATALOG, metric_index=None)
    fallback = Count(what="sections", scope=Scope(courses=["CS5800"]))
    with caplog.at_level(logging.WARNING, logger="rag.answer.planner"):
        assert model.plan(QUESTION, entities, CATALOG, fallback=fallback) is fallback
    assert any(r.message == "llm plan rejected" for r in caplog.records)


def test_a_failing_server_falls_back(planner: tuple[Planner, Canned]) -> None:
    model, canned = planner
    canned.status = 500
    fallback = Count(what="sections", scope=Scope())
    entities = resolve(QUESTION, CATALOG, metric_index=None)
    assert model.plan(QUESTION, entities, CATALOG, fallback=fallback) is fallback


def test_validation_without_a_model() -> None:
    good = Average(
        metric=Metric(kind="question", question_id=FEEDBACK_ID, text="anything"),
        scope=Scope(terms=["Fall 2023"], instructor_ids=[1, 2]),
    )
    checked = validate_plan(good, CATALOG)
    assert isinstance(checked, Average)
    assert checked.scope.instructor_names == ["Jane Doe", "John Doe"]
    for bad in (
        good.model_copy(update={"scope": Scope(terms=["Fall 2031"])}),
        good.model_copy(update={"scope": Scope(instructor_ids=[99])}),
        good.model_copy(update={"scope": Scope(sections=["1; DROP TABLE"])}),
        good.model_copy(update={"metric": Metric(kind="hours", text="hours of sleep")}),
    ):
        with pytest.raises(InvalidPlan):
            validate_plan(bad, CATALOG)


def test_the_rules_stay_the_default(server: tuple[Canned, str], tmp_path: Path) -> None:
    """An LLM answers only when configured, and plans only when also asked to."""
    from rag.answer.ask import open_asker

    _, url = server
    searcher: Any = object()  # open_asker only hands it on
    words = open_asker(llm_settings(tmp_path, "openai", f"{url}/v1"), searcher)
    assert words.chat_model is not None and words.planner is None
    plans = open_asker(llm_settings(tmp_path, "openai", f"{url}/v1", llm_planner=True), searcher)
    assert isinstance(plans.planner, Planner) and plans.planner.chat_model is plans.chat_model
    offline = open_asker(llm_settings(tmp_path, "extractive", None, llm_planner=True), searcher)
    assert offline.chat_model is None and offline.planner is None
