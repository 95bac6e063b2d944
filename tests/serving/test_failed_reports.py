"""Reports that break their own checksums end `failed` with a reason through the API, never
`processed`; failed reports can be retried one by one or in bulk once the cause is fixed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from core.report import ParsedReport
from core.settings import Settings
from devtools.corpus import pdf_collegenet
from devtools.corpus.content import generate_surveys, project
from devtools.corpus.pdf_blue import render_blue
from devtools.corpus.pdf_collegenet import render_collegenet
from devtools.corpus.style import CLASSIC
from tests.conftest import settings_env, work_queue


def _truth(layout: str) -> ParsedReport:
    survey = next(s for s in generate_surveys(40, seed=21) if s.pdf_layout == layout and s.comments)
    return project(survey, layout)  # type: ignore[arg-type]


def _pdf(report: ParsedReport) -> bytes:
    render = render_blue if report.layout == "blue" else render_collegenet
    return render(report, seed=4, style=CLASSIC)


def _with_first_question(report: ParsedReport, **change: object) -> ParsedReport:
    first = report.questions[0].model_copy(update=change)
    return report.model_copy(update={"questions": [first, *report.questions[1:]]})


def _upload(api: httpx.Client, name: str, data: bytes) -> dict:  # type: ignore[type-arg]
    response = api.post("/v1/reports", files={"file": (name, data, "application/pdf")})
    assert response.status_code == 202, response.text
    return response.json()  # type: ignore[no-any-return]


def _broken_files(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[bytes, str]]:
    """One file per completeness check, each violating it, with the reason it must fail for."""
    cn, blue = _truth("collegenet"), _truth("blue")
    q = blue.questions[0]
    files = {
        "responses-over-enrollment.pdf": (
            _pdf(cn.model_copy(update={"enrollment": 1})),
            "checksum",
        ),
        "distribution-off.pdf": (
            _pdf(_with_first_question(blue, responses=(q.responses or 0) + 7)),
            "checksum",
        ),
        "mean-out-of-scale.pdf": (_pdf(_with_first_question(cn, univ_mean=6.1)), "checksum"),
        "rate-off.pdf": (_pdf(_with_first_question(cn, response_rate=0.01)), "checksum"),
        "no-tables.pdf": (_pdf(cn.model_copy(update={"questions": []})), "no_ratings"),
    }
    with monkeypatch.context() as patch:
        patch.setattr(pdf_collegenet, "count_line", lambda n: f"({n + 2} comments)")
        files["count-line-off.pdf"] = (_pdf(cn), "comment_count")
    return files


def test_each_broken_checksum_ends_failed_with_its_reason(
    api: httpx.Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _broken_files(monkeypatch)
    ids = {name: _upload(api, name, data)["id"] for name, (data, _) in files.items()}
    work_queue(settings)
    for name, (_, reason) in files.items():
        report = api.get(f"/v1/reports/{ids[name]}").json()
        assert report["status"] == "failed", (name, report)
        assert report["error_code"] == reason and report["error"], (name, report)
        assert report["summary"] is None  # nothing of a failed report is stored
    listed = api.get("/v1/reports", params={"status": "failed", "reason": "checksum"}).json()
    assert listed["total"] == 4


def test_a_failed_report_is_retried_once_the_cause_is_fixed(
    api: httpx.Client, settings: Settings
) -> None:
    data = _pdf(_truth("collegenet"))
    report = _upload(api, "three-pages.pdf", data)
    capped = settings.model_copy(update={"max_pages": 1})
    work_queue(capped)
    failed = api.get(report["status_url"]).json()
    assert failed["status"] == "failed" and failed["error_code"] == "too_many_pages"

    again = api.post("/v1/reports", files={"file": ("again.pdf", data, "application/pdf")})
    assert again.status_code == 200
    body = again.json()
    assert body["duplicate"] and body["status"] == "failed"
    assert body["error_code"] == "too_many_pages" and f"/v1/reports/{report['id']}/retry" in (
        body["hint"] or ""
    )

    retried = api.post(f"/v1/reports/{report['id']}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "queued"
    assert retried.json()["error"] is None and retried.json()["attempts"] == 0
    work_queue(settings)  # the cap lifted: the same bytes now parse
    assert api.get(report["status_url"]).json()["status"] == "processed"
    conflict = api.post(f"/v1/reports/{report['id']}/retry")
    assert conflict.status_code == 409 and "only failed reports" in conflict.text
    assert api.post("/v1/reports/999999/retry").status_code == 404


def test_reparse_failed_requeues_by_reason_and_prints_a_summary(
    api: httpx.Client, settings: Settings, tmp_path: Path
) -> None:
    cn = _truth("collegenet")
    good = _upload(api, "good.pdf", _pdf(cn))
    bad = _upload(api, "bad.pdf", _pdf(cn.model_copy(update={"enrollment": 1})))
    work_queue(settings)
    assert api.get(bad["status_url"]).json()["error_code"] == "checksum"

    env = settings_env(settings)
    cli = Path(sys.executable).with_name("tracelens")
    done = subprocess.run(
        [str(cli), "reparse", "--failed", "--reason", "checksum"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # it fails again: the file itself is wrong
    assert "failed: 1" in done.stdout and "  checksum: 1" in done.stdout
    assert "bad.pdf" in done.stdout and "tracelens reparse --failed" in done.stdout
    assert api.get(good["status_url"]).json()["status"] == "processed"

    none_left = subprocess.run(
        [str(cli), "reparse", "--failed", "--reason", "no_such_reason"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert none_left.returncode == 0 and "processed: 0" in none_left.stdout
