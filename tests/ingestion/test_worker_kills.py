"""Fault: a worker killed with SIGKILL five times during an ingest. Every report still ends
processed, each comment is stored once with one vector, and nothing is lost."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from psycopg import sql

from cli.wiring import model_in_service
from core.blobs import make_blob_store
from core.db import connect
from core.settings import Settings
from devtools.corpus.content import generate_surveys, project
from devtools.corpus.xlsx_render import render_xlsx
from embeddings.active import active_space
from ingestion.intake import accept_file
from ingestion.queue import PostgresQueue
from tests.conftest import settings_env

REPORTS = 120
KILLS = 5


def _worker(settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("tracelens")), "worker"],
        env=settings_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_kill_9_five_times_during_an_ingest_loses_and_duplicates_nothing(
    settings: Settings,
) -> None:
    # batches of at most 16 reports: at the default 768 comments a 120-report ingest commits in
    # three batches, too few for five kills to land between commits
    small = {"worker_batch_comments": 256, "worker_batch_reports": 16}
    settings = settings.model_copy(update=small)
    assert settings.database_dsn is not None
    surveys = generate_surveys(REPORTS, seed=33)
    expected_comments: dict[tuple[str, str, str], set[tuple[str, int]]] = {}
    with connect(settings.database_dsn, autocommit=True) as conn:
        for survey in surveys:
            report = project(survey, "xlsx")
            accept_file(
                conn,
                blobs=make_blob_store(settings),
                queue=PostgresQueue(),
                data=render_xlsx(report, seed=1),
                filename=f"{survey.course.code}-{survey.course.section}-{survey.term.label}.xlsx",
            )
            key = (report.course.code, report.course.section, report.term.label)
            # two reports of one section merge: their comments are the union by key
            expected_comments.setdefault(key, set()).update(
                (c.prompt, c.number) for c in report.comments
            )

        def done() -> int:
            row = conn.execute(
                "SELECT count(*) AS n FROM reports WHERE status IN ('processed', 'failed')"
            ).fetchone()
            return int(row["n"]) if row else 0

        worker = _worker(settings)
        killed_at: list[int] = []
        try:
            deadline = time.monotonic() + 600
            while done() < REPORTS and time.monotonic() < deadline:
                before = done()
                while done() == before and time.monotonic() < deadline:
                    time.sleep(0.1)  # kill only once this worker is really working
                if len(killed_at) < KILLS and done() < REPORTS:
                    worker.send_signal(signal.SIGKILL)
                    worker.wait(timeout=30)
                    killed_at.append(done())
                    worker = _worker(settings)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
        assert len(killed_at) == KILLS and all(0 < n < REPORTS for n in killed_at), killed_at
        statuses = conn.execute(
            "SELECT status, count(*) AS n FROM reports GROUP BY status"
        ).fetchall()
        assert statuses == [{"status": "processed", "n": REPORTS}]
        stored = conn.execute(
            "SELECT c.code, s.section, t.label, count(m.id) AS n FROM sections s"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
            " LEFT JOIN comments m ON m.section_id = s.id GROUP BY c.code, s.section, t.label"
        ).fetchall()
        counts = {(r["code"], r["section"], r["label"]): r["n"] for r in stored}
        assert counts == {k: len(v) for k, v in expected_comments.items()}
        space = active_space(conn, model=model_in_service(settings))
        vectors = conn.execute(
            sql.SQL("SELECT count(*) AS n FROM {}").format(space.table)
        ).fetchone()
        comments = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
        assert vectors == comments  # one vector per comment: none missing, none twice
        assert conn.execute("SELECT count(*) AS n FROM jobs").fetchone() == {"n": 0}
