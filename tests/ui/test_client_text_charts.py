"""The UI's pure parts (highlighting, answer charts) and its API client against the live API."""

from __future__ import annotations

import pytest

from devtools.processes import free_port
from tests.ui.live import LoadedApi
from ui.charts import answer_chart
from ui.client import ApiError, TraceLensApi
from ui.text import escape_markdown, highlight, query_terms, shorten


def test_highlight_marks_every_form_of_the_query_words() -> None:
    text = "Grading was slow; the graded exams came back late."
    out = highlight(text, "how is the grading of exams")
    assert out == (
        ":orange-background[Grading] was slow; the :orange-background[graded] "
        ":orange-background[exams] came back late\\."
    )
    assert query_terms("What is the workload of the course?") == {"workload", "course"}
    assert highlight("a * b", "") == "a \\* b"


def test_comment_text_cannot_inject_markdown() -> None:
    text = "[click](http://x) **bold** $x$ # title <b>"
    assert highlight(text, "title") == (
        escape_markdown("[click](http://x) **bold** $x$ # ") + ":orange-background[title] \\<b\\>"
    )
    assert shorten("one two three four", 12) == "one two…"


def _answer(kind: str, facts: list[tuple[str, object]]) -> dict:  # type: ignore[type-arg]
    return {
        "route": "quantitative",
        "plan": {"kind": kind},
        "facts": [
            {"label": label, "value": value, "n": 10, "source": "s"} for label, value in facts
        ],
    }


def test_answers_get_the_chart_their_plan_calls_for() -> None:
    ranking = _answer(
        "ranking",
        [("#1 Jane Doe: overall", 4.8), ("#2 Ann Lee: overall", 4.5), ("left out (0)", 0)],
    )
    spec = answer_chart(ranking).to_dict()  # type: ignore[union-attr]
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["y"]["title"] == "Ranked"
    assert spec["encoding"]["x"]["title"].startswith("Mean score")
    rows = next(iter(spec["datasets"].values()))
    assert [r["label"] for r in rows] == ["#1 Jane Doe", "#2 Ann Lee"]

    trend = _answer(
        "trend",
        [
            ("Fall 2022: overall (2 sections)", 4.1),
            ("Spring 2023: overall (1 sections)", 4.3),
            ("change Fall 2022 to Spring 2023", 0.2),
        ],
    )
    spec = answer_chart(trend).to_dict()  # type: ignore[union-attr]
    assert spec["mark"]["type"] == "line" and spec["encoding"]["x"]["title"] == "Term"
    assert [r["term"] for r in next(iter(spec["datasets"].values()))] == [
        "Fall 2022",
        "Spring 2023",
    ]

    hours = _answer(
        "hours",
        [
            ("1-4 hours per week", 3),
            ("5-8 hours per week", 9),
            ("estimated mean hours per week", 6.1),
        ],
    )
    spec = answer_chart(hours).to_dict()  # type: ignore[union-attr]
    assert spec["encoding"]["x"]["title"] == "Students"
    assert len(next(iter(spec["datasets"].values()))) == 2

    hours_ranked = _answer("ranking", [("#1 EECE2150", 13.08), ("#2 BIOL2301", 12.95)])
    hours_ranked["plan"]["metric"] = {"kind": "hours", "statistic": "mean"}
    spec = answer_chart(hours_ranked).to_dict()  # type: ignore[union-attr]
    assert spec["encoding"]["x"]["title"] == "Hours per week", spec["encoding"]["x"]
    assert "scale" not in spec["encoding"]["x"]  # not the 1-5 rating scale
    both = _answer(
        "comparison",
        [
            ("CS5800: hours per week", 5.6),
            ("CS3500: hours per week", 7.1),
            ("CS5800: overall", 4.3),
        ],
    )
    both["plan"].update(metric={"kind": "hours"}, first_facts=2)  # hours, then the rating
    rows = next(iter(answer_chart(both).to_dict()["datasets"].values()))  # type: ignore[union-attr]
    assert [r["value"] for r in rows] == [5.6, 7.1]

    assert answer_chart(_answer("average", [("CS5800: overall", 4.2)])) is None
    assert answer_chart(_answer("count", [("sections", 3), ("of which", 1)])) is None
    assert answer_chart({"route": "qualitative", "plan": {}, "facts": []}) is None


def test_client_errors_carry_the_api_message(ui_api: LoadedApi) -> None:
    api = TraceLensApi(ui_api.url, api_key=ui_api.key)
    with pytest.raises(ApiError) as missing:
        api.course_dashboard("ZZ 9999")
    assert str(missing.value) == "The API refused the request (404): no course 'ZZ 9999'"
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    with pytest.raises(ApiError) as invalid:
        api.search("workload", filters={"term": "Autumn 20"})
    assert invalid.value.status == 422 and "'Autumn 20' is not a TRACE term" in str(invalid.value)
    events = list(api.ask_stream("How many sections of PSYC1101 were taught?"))
    assert events[-1].kind == "final" and all(e.kind == "token" for e in events[:-1])
    assert "".join(e.data["text"] for e in events[:-1]) == events[-1].data["answer"]["answer"]


def test_client_says_when_the_api_is_down() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    api = TraceLensApi(url)
    for call in (lambda: api.courses(), lambda: list(api.ask_stream("hello there"))):
        with pytest.raises(ApiError, match=r"is not reachable\. Is it running"):
            call()
