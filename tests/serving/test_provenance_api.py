"""Deletion that completes, over real HTTP: a file left by a crash is collected on restart,
a deleted report's quotes leave stored conversations, and the read API shows merges."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import httpx

from core.blobs import make_blob_store
from core.db import connect
from core.settings import Settings
from devtools.corpus.content import generate_surveys, project
from devtools.corpus.pdf_collegenet import render_collegenet
from devtools.corpus.style import CLASSIC
from devtools.corpus.xlsx_render import render_xlsx
from tests.conftest import LiveServer, settings_env, work_queue


def _pair() -> tuple[bytes, bytes, str]:
    survey = next(
        s
        for s in generate_surveys(60, seed=8)
        if s.pdf_layout == "collegenet" and s.comments and s.frequencies
    )
    pdf = render_collegenet(project(survey, "collegenet"), seed=1, style=CLASSIC)
    xlsx = render_xlsx(project(survey, "xlsx"), seed=1)
    return pdf, xlsx, survey.course.code


def _upload(api: httpx.Client, name: str, data: bytes) -> int:
    kind = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
    response = api.post("/v1/reports", files={"file": (name, data, kind)})
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def test_the_read_api_shows_the_merge_and_each_values_source(
    api: httpx.Client, settings: Settings
) -> None:
    pdf, xlsx, code = _pair()
    pdf_id, xlsx_id = _upload(api, "r.pdf", pdf), _upload(api, "r.xlsx", xlsx)
    work_queue(settings)
    course = api.get(f"/v1/courses/{code}").json()
    (section,) = course["sections"]
    assert section["reports"] == [pdf_id, xlsx_id] and section["conflicts"] == []
    score = section["scores"][0]
    assert score["dept_mean"] is not None and score["std_dev"] is not None
    assert score["sources"]["dept_mean"] == pdf_id and score["sources"]["std_dev"] == xlsx_id
    summary = api.get(f"/v1/reports/{pdf_id}").json()["summary"]
    assert summary["sources"] == 2 and summary["conflicts"] == 0

    assert api.delete(f"/v1/reports/{xlsx_id}").status_code == 204
    (left,) = api.get(f"/v1/courses/{code}").json()["sections"]
    assert left["reports"] == [pdf_id] and left["scores"][0]["std_dev"] is None
    assert left["scores"][0]["dept_mean"] == score["dept_mean"]
    actions = [e["action"] for e in api.get("/v1/audit").json()["items"]]
    assert actions[:3] == ["delete", "upload", "upload"]


def test_a_crash_after_the_delete_commits_leaves_the_file_to_the_next_start(
    settings: Settings,
) -> None:
    pdf, _, _ = _pair()
    blobs = make_blob_store(settings)
    with LiveServer(settings) as server, server.client(timeout=60) as api:
        report_id = _upload(api, "r.pdf", pdf)
        work_queue(settings)
        sha = api.get(f"/v1/reports/{report_id}").json()["sha256"]
    assert blobs.exists(sha)
    child = textwrap.dedent(
        f"""
        import os, signal
        from core.db import connect
        from ingestion.deletion import delete_report
        with connect({settings.database_dsn!r}) as conn:
            delete_report(conn, report_id={report_id}, principal="test")
        os.kill(os.getpid(), signal.SIGKILL)  # before the file is removed
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", child], env=settings_env(settings), timeout=120, check=False
    )
    assert done.returncode == -signal.SIGKILL
    assert blobs.exists(sha)  # the database says deleted, the file is still there
    with connect(str(settings.database_dsn)) as conn:
        row = conn.execute("SELECT blob_removed FROM report_tombstones").fetchone()
        assert row == {"blob_removed": None}
    with LiveServer(settings):  # the next start finishes the deletion
        pass
    assert not blobs.exists(sha)


def test_a_deleted_reports_quotes_leave_stored_conversations(settings: Settings) -> None:
    settings = settings.model_copy(update={"embedding_backend": "auto"})  # the real model
    pdf, _, code = _pair()
    with LiveServer(settings) as server, server.client(timeout=120) as api:
        report_id = _upload(api, "r.pdf", pdf)
        work_queue(settings)
        answer = api.post(
            "/v1/ask", json={"question": f"What do students say about {code}?"}
        ).json()
        quotes = [q["text"] for q in answer["citations"]]
        assert answer["route"] in ("qualitative", "mixed") and quotes
        assert api.delete(f"/v1/reports/{report_id}").status_code == 204
    with connect(str(settings.database_dsn)) as conn:
        rows = conn.execute("SELECT answer::text AS a FROM conversation_turns").fetchall()
    stored = " ".join(r["a"] for r in rows)
    assert "[removed]" in stored
    assert not any(q in stored for q in quotes)
