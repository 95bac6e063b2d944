"""Survey exports and saved Blue pages through the API: uploaded with form fields, parsed in the
sandbox by the worker, stored as their own sections marked with their source, comments embedded
and read back with it."""

from __future__ import annotations

from typing import Any

import httpx

from core.db import connect
from core.settings import Settings
from devtools.corpus.content import generate_surveys, project
from devtools.corpus.html_blue import render_blue_html
from devtools.corpus.pdf_blue import render_blue
from devtools.corpus.surveys import make_export
from tests.conftest import work_queue


def _report(api: httpx.Client, report_id: int) -> dict:  # type: ignore[type-arg]
    response = api.get(f"/v1/reports/{report_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _trace_and_survey(api: httpx.Client, settings: Settings) -> tuple[Any, Any, int, int]:
    """A Google Forms export and the TRACE report of the same course and term, processed:
    (the export, the TRACE report's truth, the survey's report id, the TRACE report's id)."""
    export = make_export("google-forms", seed=3, in_file=False)
    truth = export.truth
    # The TRACE report of the same course and term, to stand beside the survey.
    blue = next(s for s in generate_surveys(30, 9) if s.pdf_layout == "blue")
    trace = project(blue, "blue").model_copy(
        update={
            "course": blue.course.model_copy(
                update={
                    "subject": truth.course.subject,
                    "number": truth.course.number,
                    "code": truth.course.code,
                    "section": truth.course.section,
                }
            ),
            "term": truth.term,
        }
    )
    sent = api.post(
        "/v1/reports",
        files={"file": (export.filename, export.data)},
        data=export.fields,
    )
    assert sent.status_code == 202, sent.text
    pdf = api.post("/v1/reports", files={"file": ("r.pdf", render_blue(trace, seed=1))})
    assert pdf.status_code == 202, pdf.text
    assert work_queue(settings) == 2

    return export, trace, sent.json()["id"], pdf.json()["id"]


def test_a_survey_export_with_form_fields_is_stored_as_a_survey(
    api: httpx.Client, settings: Settings
) -> None:
    export, trace, survey_id, pdf_id = _trace_and_survey(api, settings)
    truth = export.truth
    survey = _report(api, survey_id)
    assert survey["status"] == "processed", survey["error"]
    assert survey["layout"] == "survey-csv"
    assert (survey["form_course"], survey["form_term"]) == (
        export.fields["course"],
        truth.term.label,
    )
    summary = survey["summary"]
    assert summary["source_type"] == "survey" and summary["title"] == truth.course.title
    assert summary["comments"] == len(truth.comments) and summary["questions"] == len(
        truth.questions
    )
    assert survey["embedded_comments"] == len(truth.comments)
    assert _report(api, pdf_id)["summary"]["source_type"] == "trace"

    course = api.get(f"/v1/courses/{truth.course.code}").json()
    kinds = sorted((s["source_type"], s["title"]) for s in course["sections"])
    assert kinds == sorted([("survey", truth.course.title), ("trace", trace.course.title)])
    assert course["title"] == trace.course.title, "a survey's title never renames the course"

    surveys = api.get("/v1/reports", params={"source": "survey"}).json()
    assert [r["id"] for r in surveys["items"]] == [survey["id"]]

    assert settings.database_dsn is not None
    with connect(settings.database_dsn) as conn:
        rows = conn.execute(
            "SELECT m.prompt, m.number, m.text FROM comments m JOIN sections s"
            " ON s.id = m.section_id WHERE s.source_type = 'survey' ORDER BY m.id"
        ).fetchall()
        stored = [(r["prompt"], r["number"], r["text"]) for r in rows]
        assert stored == [(c.prompt, c.number, c.text) for c in truth.comments]
        leaked = conn.execute(
            "SELECT count(*) AS n FROM comments WHERE text LIKE '%@northeastern.edu%'"
        ).fetchone()
        assert leaked is not None and leaked["n"] == 0


def test_surveys_are_searched_and_cited_apart_and_never_pooled_with_trace(
    api: httpx.Client, settings: Settings
) -> None:
    export, trace, _, _ = _trace_and_survey(api, settings)
    code, title = export.truth.course.code, export.truth.course.title
    survey_texts = {c.text for c in export.truth.comments}

    for source in ("survey", "trace"):
        found = api.post(
            "/v1/search",
            json={"query": "the lectures and the homework", "k": 20, "filters": {"source": source}},
        )
        assert found.status_code == 200, found.text
        hits = found.json()["hits"]
        assert hits and all(h["citation"]["source"] == source for h in hits)
        assert all((h["text"] in survey_texts) == (source == "survey") for h in hits)
        named = {h["citation"]["survey"] for h in hits}
        assert named == ({title} if source == "survey" else {None})

    for survey, expected in ((title, {title}), ("No such survey", set())):
        found = api.post(
            "/v1/search", json={"query": "the lectures", "k": 20, "filters": {"survey": survey}}
        )
        assert {h["citation"]["survey"] for h in found.json()["hits"]} == expected

    # the chat reads an instructor's survey when asked about it, and its citations name it
    asked = api.post(
        "/v1/ask", json={"question": f"what did students say in the mid-term survey for {code}?"}
    )
    assert asked.status_code == 200, asked.text
    answer = asked.json()
    assert answer["route"] in ("qualitative", "mixed") and answer["citations"], answer
    cited = [c["citation"] for c in answer["citations"]]
    assert all(c["source"] == "survey" and c["survey"] == title for c in cited)
    assert f"survey “{title}”" in answer["answer"]
    assert answer["scope"]["text"].endswith("instructors' surveys")  # the scope says so

    # TRACE numbers never pool a survey's rating columns: the course page is the TRACE report's
    course = api.get(f"/v1/dashboards/courses/{code}")
    assert course.status_code == 200, course.text
    page = course.json()
    assert (page["sections"], page["surveys"]) == (1, 1)
    assert {q["question"] for q in page["questions"]} == {q.text for q in trace.questions}


def test_bad_form_fields_are_refused_at_upload(api: httpx.Client) -> None:
    export = make_export("txt", seed=1, in_file=False)
    for bad in ({"course": "Algorithms"}, {"term": "Autumn 2025"}, {"title": "x" * 300}):
        response = api.post("/v1/reports", files={"file": (export.filename, export.data)}, data=bad)
        assert response.status_code == 400, response.text
        assert next(iter(bad)) in response.json()["error"]["message"]
    assert api.get("/v1/reports").json()["total"] == 0


def test_a_survey_without_its_course_fails_with_the_reason(
    api: httpx.Client, settings: Settings
) -> None:
    export = make_export("docx", seed=2, in_file=False)
    sent = api.post("/v1/reports", files={"file": (export.filename, export.data)})
    assert sent.status_code == 202, sent.text
    work_queue(settings)
    report = _report(api, sent.json()["id"])
    assert report["status"] == "failed" and report["error_code"] == "missing_field"
    assert "upload form" in report["error"]


def test_a_saved_blue_page_is_a_trace_report(api: httpx.Client, settings: Settings) -> None:
    survey = next(s for s in generate_surveys(30, 4) if s.pdf_layout == "blue" and s.comments)
    page = render_blue_html(project(survey, "blue-html"), seed=5)
    sent = api.post("/v1/reports", files={"file": ("report.html", page)})
    assert sent.status_code == 202, sent.text
    work_queue(settings)
    report = _report(api, sent.json()["id"])
    assert report["status"] == "processed", report["error"]
    assert report["layout"] == "blue-html" and report["media_type"] == "text/html"
    assert report["summary"]["source_type"] == "trace"
    assert report["embedded_comments"] == len(survey.comments)
