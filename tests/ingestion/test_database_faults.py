"""A PostgreSQL restart: the worker waits it out and carries on, the API answers 503 with
Retry-After while the database is down (never 500) and recovers by itself."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.blobs import make_blob_store
from core.db import connect
from core.db.migrate import migrate
from core.settings import Settings
from devtools.corpus.content import generate_surveys, project
from devtools.corpus.xlsx_render import render_xlsx
from ingestion.intake import accept_file
from ingestion.queue import PostgresQueue
from tests.conftest import LiveServer, settings_env


def _server(pgdata: Path, action: str) -> str:
    """Start or stop the embedded server from another process (it outlives that process)."""
    code = (
        "from pathlib import Path; from core.db import start_embedded, stop_embedded;"
        f"p = Path({str(pgdata)!r});"
        + ("print(start_embedded(p).url)" if action == "start" else "stop_embedded(p)")
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip().splitlines()[-1] if action == "start" else ""


@pytest.fixture
def own_database() -> Iterator[tuple[Path, str]]:
    pgdata = Path(tempfile.mkdtemp(prefix="tl-fault-", dir="/tmp")) / "pg"
    url = _server(pgdata, "start")
    with connect(url) as conn:
        migrate(conn)
    yield pgdata, url
    _server(pgdata, "stop")


def _report() -> bytes:
    survey = generate_surveys(3, seed=4)[0]
    return render_xlsx(project(survey, "xlsx"), seed=1)


def _wait(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_worker_and_api_ride_out_a_database_restart(
    own_database: tuple[Path, str], tmp_path: Path
) -> None:
    pgdata, url = own_database
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=tmp_path / "state",
        database_url=url,
        embedding_backend="fake",
        worker_poll_s=0.2,
    )
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("tracelens")), "worker"],
        env=settings_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with LiveServer(settings) as server, server.client(timeout=30) as api:
            assert api.get("/v1/reports").status_code == 200
            _server(pgdata, "stop")
            down = api.get("/v1/reports")
            assert down.status_code == 503, down.text
            ready = api.get("/readyz")
            assert ready.status_code == 503 and ready.json()["down"] == ["database"]
            assert "socket" not in ready.text and "Error" not in ready.text  # no exception text
            assert down.headers["Retry-After"] and down.json()["error"]["code"] == "unavailable"
            time.sleep(4)  # the old worker died here two seconds in
            assert worker.poll() is None
            _server(pgdata, "start")
            _wait(lambda: api.get("/v1/reports").status_code == 200, 30)
        with connect(url, autocommit=True) as conn:
            report = accept_file(
                conn,
                blobs=make_blob_store(settings),
                queue=PostgresQueue(),
                data=_report(),
                filename="after-restart.xlsx",
            ).report

            def processed() -> bool:
                row = conn.execute(
                    "SELECT status FROM reports WHERE id = %s", (report["id"],)
                ).fetchone()
                return row is not None and row["status"] == "processed"

            _wait(processed, 90)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
