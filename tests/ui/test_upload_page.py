"""The upload page run by AppTest against its own live API and empty database."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from reportlab.pdfgen import canvas
from streamlit.testing.v1 import AppTest

from core.settings import Settings
from tests.conftest import work_queue
from tests.ui.apptest import app
from tests.ui.live import report_files


@pytest.fixture
def upload_page(api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("TRACELENS_UI_API_URL", str(api.base_url).rstrip("/"))
    monkeypatch.setenv("TRACELENS_UI_API_KEY", api.headers["authorization"].split()[1])
    yield app("views/upload.py")


def statuses(at: AppTest) -> dict[str, tuple[str, str]]:
    table = at.dataframe[0].value
    return {row["File"]: (row["Status"], row["Detail"]) for _, row in table.iterrows()}


def not_a_report() -> bytes:
    """A well-formed PDF that is no TRACE report: accepted at once, failed by the worker."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawString(72, 720, "Minutes of the curriculum committee")
    pdf.save()
    return out.getvalue()


def summary_of(path: Path) -> str:
    """What the page says a processed report held, from the report's ground truth."""
    truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return (
        f"{truth['course']['code']} §{truth['course']['section']} {truth['term']['label']}: "
        f"{len(truth['questions'])} questions, {len(truth['comments'])} comments"
    )


def test_several_files_are_followed_until_done(
    upload_page: AppTest, settings: Settings, corpus: Path
) -> None:
    at = upload_page
    assert at.title[0].value == "Upload reports"
    files = report_files(corpus)
    pdf = next(f for f in files if f.suffix == ".pdf")
    xlsx = next(f for f in files if f.suffix == ".xlsx")
    [uploader] = at.file_uploader
    assert uploader.accept_multiple_files and set(uploader.allowed_type) == {
        f".{t}" for t in ("pdf", "xlsx", "html", "htm", "csv", "docx", "eml", "txt")
    }
    uploader.set_value(
        [
            (pdf.name, pdf.read_bytes(), "application/pdf"),
            (xlsx.name, xlsx.read_bytes(), "application/octet-stream"),
            ("notes.pdf", b"\x00\x01 these are my notes, not a report", "application/pdf"),
            ("minutes.pdf", not_a_report(), "application/pdf"),
        ]
    ).run()
    upload = next(b for b in at.button if b.label.startswith("Send"))
    assert upload.label == "Send 4 files"
    upload.click().run()
    assert not at.exception
    first = statuses(at)
    assert first[pdf.name][0] == first[xlsx.name][0] == first["minutes.pdf"][0] == "queued"
    status, detail = first["notes.pdf"]
    assert status == "rejected at upload"
    assert detail.startswith("The API refused the request (415): ")
    assert at.get("progress"), "a progress bar while reports are pending"

    work_queue(settings)
    at.run()
    done = statuses(at)
    assert done[pdf.name] == ("processed", summary_of(pdf))
    assert done[xlsx.name] == ("processed", summary_of(xlsx))
    status, reason = done["minutes.pdf"]
    assert status == "failed" and "TRACE" in reason, reason
    assert at.success[0].value == "All 4 done; 2 could not be read (see Detail)."
    assert not at.get("progress")

    at.file_uploader[0].set_value((pdf.name, pdf.read_bytes(), "application/pdf")).run()
    next(b for b in at.button if b.label.startswith("Send")).click().run()
    again = at.dataframe[0].value.iloc[-1]
    assert (again["File"], again["Status"], again["Detail"]) == (
        pdf.name,
        "processed",
        "uploaded before: showing that report",
    )


def test_a_survey_export_goes_with_its_course_term_and_title(
    upload_page: AppTest, settings: Settings
) -> None:
    from devtools.corpus.surveys import make_export

    export = make_export("txt", seed=4, in_file=False)
    at = upload_page
    at.text_input(key="survey_course").input(export.fields["course"])
    at.text_input(key="survey_term").input(export.fields["term"])
    at.text_input(key="survey_title").input(export.fields["title"]).run()
    at.file_uploader[0].set_value((export.filename, export.data, "text/plain")).run()
    next(b for b in at.button if b.label.startswith("Send")).click().run()
    assert not at.exception
    work_queue(settings)
    at.run()
    status, detail = statuses(at)[export.filename]
    truth = export.truth
    assert status == "processed", detail
    assert detail == (
        f"survey: {truth.course.code} §{truth.course.section} {truth.term.label}: "
        f"0 questions, {len(truth.comments)} comments"
    )
