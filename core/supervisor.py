"""`tracelens run`: the whole service on one machine, started and stopped as one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

import httpx

from core.blobs import make_blob_store
from core.db import connect, open_database
from core.migrate import migrate
from core.settings import Settings


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "core.cli", *args], env=env)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API exited with status {proc.returncode} while starting")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the API at {url} was not ready within {timeout_s:g} s")


def ingest_sample_corpus(settings: Settings, url: str, *, reports: int) -> None:
    """Generate the sample corpus once (state_dir/sample-corpus) and load it through the queue."""
    from ingestion.corpus.writer import write_corpus
    from ingestion.loader import ingest
    from ingestion.queue import make_queue

    corpus = settings.state_dir / "sample-corpus"
    if not any(corpus.glob("*.json")):
        print(f"generating {reports} sample reports in {corpus} ...")
        write_corpus(corpus, reports=reports, seed=7)
    summary = ingest(
        settings,
        url,
        blobs=make_blob_store(settings),
        queue=make_queue(settings),
        paths=[corpus],
        run_worker=False,
    )
    print("\n".join(summary.lines()))


def run_all(settings: Settings, *, sample_reports: int) -> int:
    """Start PostgreSQL, the worker and the API; ingest the sample corpus; run until stopped."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(settings)
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def _stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        with connect(db.url) as conn:
            migrate(conn)
        env = {
            **os.environ,
            "TRACELENS_DATABASE_URL": db.url,
            "TRACELENS_STATE_DIR": str(settings.state_dir.resolve()),
        }
        children.append(_spawn(["worker"], env))
        api = _spawn(["serve"], env)
        children.append(api)
        _wait_ready(settings.api_url, api)

        if sample_reports:
            ingest_sample_corpus(settings, db.url, reports=sample_reports)

        print(
            f"\nTraceLens is running.\n  API:      {settings.api_url}\n"
            f"  API docs: {settings.api_url}/docs\n  Reports:  {settings.api_url}/v1/reports\n"
            "Press Ctrl-C to stop."
        )
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    print(f"a service exited with status {child.returncode}; stopping")
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        db.stop()
