"""The course and instructor dashboards run by AppTest against the live API."""

from __future__ import annotations

import pytest

from devtools.processes import free_port
from tests.ui.apptest import app, axis_titles, charts
from tests.ui.live import LoadedApi


def test_course_dashboard_charts_every_part(ui_env: LoadedApi) -> None:
    at = app("views/course.py")
    assert at.title[0].value == "Course dashboard"
    assert at.selectbox[0].value == "PSYC1101"  # the course with the most sections
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sections"] == "3" and metrics["Terms"] == "1"
    comments = sum(len(t["comments"]) for t in ui_env.truths if t["course"]["code"] == "PSYC1101")
    assert any(c.value.startswith(f"{comments} of {comments} comments: ") for c in at.caption)

    specs = charts(at)
    assert len(specs) == 4  # means, trend, hours, themes: CollegeNET prints no distribution
    assert [i.value for i in at.info] == ["These reports print no distribution for this question."]
    means = specs[0]
    assert axis_titles(means) == ["Mean score (1 = lowest, 5 = highest)", None]  # y: the questions
    assert means["encoding"]["color"]["title"] == "Mean of"
    for spec in specs[1:]:
        titles = axis_titles(spec)
        assert len(titles) >= 2 and all(titles), spec.get("mark")
    whos = {row["who"] for row in means["rows"]}
    assert whos == {"This course", "Department", "University"}
    assert any("Hours per week" in (t or "") for spec in specs for t in axis_titles(spec))
    question = at.selectbox[1].value
    assert "overall" in question.lower()

    at.selectbox[0].select("CS7180").run()
    assert not at.exception and not at.error
    specs = charts(at)
    trend = next(s for s in specs if "layer" in s)
    terms = [row["term"] for row in trend["rows"] if "sections" in row]
    assert terms[:2] == ["Summer 1 2024", "Summer 2 2025"]
    truths = [t for t in ui_env.truths if t["course"]["code"] == "CS7180"]
    overall = [q for t in truths for q in t["questions"] if q["text"] == at.selectbox[1].value]
    counts = [q["distribution"] for q in overall if q["distribution"]]
    assert counts, "the Summer 2 2025 report is a Blue one: it prints distributions"
    dist = next(s for s in specs if axis_titles(s)[:1] == ["Answer"])
    assert dist["rows"][0] == {"answer": "5 (highest)", "students": sum(c["5"] for c in counts)}


def test_instructor_dashboard_spans_courses(ui_env: LoadedApi) -> None:
    at = app("views/instructor.py")
    assert at.title[0].value == "Instructor dashboard"
    doe = next(o for o in at.selectbox[0].options if o.startswith("Doe, Jane"))
    at.selectbox[0].select(doe).run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert set(table["Course"].str.split().str[0]) == {"MATH2331", "MATH3081"}
    assert set(table["Term"]) == {"Fall 2023", "Winter 2025"}
    [trend, means] = charts(at)
    assert axis_titles(trend) == ["Term", "Mean score (1 = lowest, 5 = highest)"]
    assert {row["course_code"] for row in trend["rows"]} == {"MATH2331", "MATH3081"}
    assert {row["who"] for row in means["rows"]} >= {"This instructor"}
    assert len({row["question"] for row in means["rows"]}) >= 15


@pytest.mark.parametrize("page", ["views/course.py", "views/instructor.py"])
def test_dashboards_say_when_the_api_is_down(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACELENS_UI_API_URL", f"http://127.0.0.1:{free_port()}")
    at = app(page)
    assert not at.exception
    assert "is not reachable" in at.error[0].value
