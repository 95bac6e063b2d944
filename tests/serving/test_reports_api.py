"""The upload and read API over real HTTP, against the embedded PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import httpx

from core.settings import Settings
from tests.conftest import truth_of, work_queue


def _upload(api: httpx.Client, path: Path) -> httpx.Response:
    return api.post("/v1/reports", files={"file": (path.name, path.read_bytes())})


def test_upload_process_and_read_back(api: httpx.Client, settings: Settings, corpus: Path) -> None:
    pdf = sorted(corpus.glob("*.pdf"))[0]
    truth = truth_of(pdf)
    first = _upload(api, pdf)
    assert first.status_code == 202, first.text
    body = first.json()
    assert body["status"] == "queued" and not body["duplicate"]
    assert body["status_url"].endswith(f"/v1/reports/{body['id']}")

    again = _upload(api, pdf)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"] and again.json()["duplicate"]

    assert work_queue(settings) == 1
    report = api.get(body["status_url"]).json()
    assert report["status"] == "processed", report
    assert report["sha256"] == truth["sha256"] and report["layout"] == truth["layout"]
    summary = report["summary"]
    assert summary["course_code"] == truth["course"]["code"]
    assert summary["section"] == truth["course"]["section"]
    assert summary["term"] == truth["term"]["label"]
    assert summary["comments"] == len(truth["comments"])
    assert summary["questions"] == len(truth["questions"])
    assert [(i["last"], i["first"]) for i in summary["instructors"]] == [
        (i["last"], i["first"]) for i in truth["instructors"]
    ]


def test_catalog_endpoints_return_the_numbers_of_the_report(
    api: httpx.Client, settings: Settings, corpus: Path
) -> None:
    files = sorted(corpus.glob("*.pdf"))[:3] + sorted(corpus.glob("*.xlsx"))[:1]
    for path in files:
        assert _upload(api, path).status_code == 202
    assert work_queue(settings) == len(files)

    truth = truth_of(files[0])
    code = truth["course"]["code"]
    spaced = f"{truth['course']['subject'].lower()} {truth['course']['number']}"
    course = api.get(f"/v1/courses/{spaced}")
    assert course.status_code == 200, course.text
    course = course.json()
    assert course["code"] == code
    section = next(
        s
        for s in course["sections"]
        if s["section"] == truth["course"]["section"] and s["term"] == truth["term"]["label"]
    )
    assert section["crn"] == truth["course"]["crn"]
    assert section["enrollment"] == truth["enrollment"]
    got = {s["question"]: s for s in section["scores"]}
    for q in truth["questions"]:
        row = got[q["text"]]
        for key in (
            "course_mean",
            "dept_mean",
            "univ_mean",
            "course_median",
            "response_rate",
            "std_dev",
            "distribution",
            "responses",
        ):
            assert row[key] == q[key], (q["text"], key)

    listed = api.get("/v1/courses", params={"limit": 2}).json()
    assert listed["total"] == len({truth_of(f)["course"]["code"] for f in files})
    assert len(listed["items"]) == min(2, listed["total"])

    people = api.get("/v1/instructors").json()
    first = truth["instructors"][0]
    match = next(
        p for p in people["items"] if (p["last"], p["first"]) == (first["last"], first["first"])
    )
    detail = api.get(f"/v1/instructors/{match['id']}").json()
    assert any(s["course_code"] == code for s in detail["sections"])
    assert api.get("/v1/instructors/999999").status_code == 404
    assert api.get("/v1/courses/ZZ9999").json()["error"]["code"] == "not_found"


def test_list_filters_and_pagination(api: httpx.Client, settings: Settings, corpus: Path) -> None:
    files = sorted(corpus.glob("*.pdf"))[:4]
    for path in files:
        _upload(api, path)
    assert api.get("/v1/reports", params={"status": "queued"}).json()["total"] == 4
    work_queue(settings)
    page = api.get("/v1/reports", params={"limit": 3, "offset": 0}).json()
    assert page["total"] == 4 and len(page["items"]) == 3
    rest = api.get("/v1/reports", params={"limit": 3, "offset": 3}).json()
    assert len(rest["items"]) == 1
    ids = [r["id"] for r in page["items"] + rest["items"]]
    assert len(set(ids)) == 4
    truth = truth_of(files[0])
    by_course = api.get("/v1/reports", params={"course": truth["course"]["code"]}).json()
    assert by_course["total"] >= 1
    assert all(r["summary"]["course_code"] == truth["course"]["code"] for r in by_course["items"])
    assert api.get("/v1/reports", params={"status": "bogus"}).status_code == 422


def test_delete_removes_rows_and_blob(api: httpx.Client, settings: Settings, corpus: Path) -> None:
    path = sorted(corpus.glob("*.pdf"))[1]
    report_id = _upload(api, path).json()["id"]
    work_queue(settings)
    sha = truth_of(path)["sha256"]
    blob = settings.blob_path / sha[:2] / sha[2:4] / sha
    assert blob.exists()
    assert api.delete(f"/v1/reports/{report_id}").status_code == 204
    assert api.get(f"/v1/reports/{report_id}").status_code == 404
    assert not blob.exists()
    assert api.get("/v1/courses").json()["total"] == 0
    assert api.delete(f"/v1/reports/{report_id}").status_code == 404
    # Uploading it again starts afresh.
    assert _upload(api, path).status_code == 202


def test_health_and_readiness(api: httpx.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    assert api.get("/readyz").json() == {"status": "ready"}
    assert "/v1/reports" in api.get("/openapi.json").json()["paths"]
