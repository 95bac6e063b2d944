"""GCS (the emulator, on disk) down, then up again: uploads answer 503 with Retry-After within the
blob deadline and store nothing, the worker tries its reports again, and once GCS is back every
report ends processed exactly once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.db import connect
from core.settings import Settings
from devtools.processes import free_port
from devtools.stack.scaleout import gcs_emulator
from tests.conftest import LiveServer, work_queue

BUCKET = "tracelens-faults"


def test_uploads_and_the_worker_ride_out_gcs_down_then_up(
    settings: Settings, corpus: Path, tmp_path: Path
) -> None:
    port = free_port()
    emulator = gcs_emulator(port, bucket=BUCKET, data_dir=tmp_path / "gcs").start()
    try:
        settings = settings.model_copy(
            update={
                "blob_backend": "gcs",
                "gcs_bucket": BUCKET,
                "gcs_endpoint": f"http://127.0.0.1:{port}",
                "gcs_deadline_s": 3.0,
                "worker_backoff_s": 0.5,
                "worker_max_attempts": 8,
            }
        )
        files = (sorted(corpus.glob("*.xlsx")) + sorted(corpus.glob("*.pdf")))[:3]
        with LiveServer(settings) as server, server.client(timeout=60) as api:
            for path in files[:2]:
                sent = api.post("/v1/reports", files={"file": (path.name, path.read_bytes())})
                assert sent.status_code == 202, sent.text

            emulator.stop()
            started = time.monotonic()
            down = api.post("/v1/reports", files={"file": (files[2].name, files[2].read_bytes())})
            assert down.status_code == 503, down.text
            assert down.headers["Retry-After"] and down.json()["error"]["code"] == "unavailable"
            assert time.monotonic() - started < 30, "the upload waited past the blob deadline"
            assert api.get("/v1/reports").json()["total"] == 2, "a refused upload stored a row"

            work_queue(settings)  # GCS is down: each report is tried, then waits to be retried
            assert settings.database_dsn is not None
            with connect(settings.database_dsn) as conn:
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE status = 'queued') AS queued,"
                    " count(*) FILTER (WHERE status = 'failed') AS failed FROM reports"
                ).fetchone()
            assert row is not None and (row["queued"], row["failed"]) == (2, 0)

            emulator.start()  # the same data directory: the two files are still there
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                work_queue(settings)
                listed = api.get("/v1/reports").json()["items"]
                if all(r["status"] in ("processed", "failed") for r in listed):
                    break
                time.sleep(0.5)
            assert sorted(r["status"] for r in listed) == ["processed", "processed"], listed
            again = api.post("/v1/reports", files={"file": (files[2].name, files[2].read_bytes())})
            assert again.status_code == 202, again.text

        with connect(settings.database_dsn) as conn:
            dupes = conn.execute(
                "SELECT count(*) AS n FROM (SELECT section_id, prompt, number FROM comments"
                " GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
            ).fetchone()
        assert dupes is not None and dupes["n"] == 0
    finally:
        if emulator.running():
            emulator.stop()


pytestmark = pytest.mark.timeout(300)
