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
from core.db.migrate import migrate
from core.settings import Settings
from mlops.service import mlflow_env, mlflow_ui_command, mlflow_ui_url, prepare_champion
from ui.launch import streamlit_command


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
    from devtools.corpus.writer import write_corpus
    from ingestion.loader import ingest
    from ingestion.queue import make_queue

    corpus = settings.state_dir / "sample-corpus"
    if not any(corpus.glob("*.json")):
        print(f"generating {reports} sample reports in {corpus} ...")
        # Some Blue reports as saved web pages, and one instructor's survey export (CSV).
        write_corpus(corpus, reports=reports, seed=7, html_share=0.5, survey_exports=1)
    summary = ingest(
        settings,
        url,
        blobs=make_blob_store(settings),
        queue=make_queue(settings),
        paths=[corpus],
        run_worker=False,
    )
    print("\n".join(summary.lines()))


def _start_mlflow(settings: Settings, children: list[subprocess.Popen[bytes]]) -> dict[str, str]:
    """Register the bundled model as champion on first start, then start the MLflow UI.

    Returns the environment that makes the API and the worker serve the champion.
    """
    champion = prepare_champion(settings)
    print(f"embedding model in service: {champion.uri} ({champion.backend}, champion)")
    command = mlflow_ui_command(settings)
    if command is not None:
        children.append(subprocess.Popen(command, env={**os.environ, **mlflow_env()}))
    return {"TRACELENS_EMBEDDING_MODEL": settings.embedding_model or "champion"}


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
        env.update(_start_mlflow(settings, children))
        children.append(_spawn(["worker"], env))
        api = _spawn(["serve"], env)
        children.append(api)
        _wait_ready(settings.api_url, api)
        ui_env = {**env, "TRACELENS_UI_API_URL": settings.ui_api_url or settings.api_url}
        ui_command = streamlit_command(host=settings.ui_host, port=settings.ui_port)
        children.append(subprocess.Popen(ui_command, env=ui_env))

        if sample_reports:
            ingest_sample_corpus(settings, db.url, reports=sample_reports)

        print(
            f"\nTraceLens is running.\n  API:      {settings.api_url}\n"
            f"  API docs: {settings.api_url}/docs\n  Reports:  {settings.api_url}/v1/reports\n"
            f"  MLflow:   {mlflow_ui_url(settings)} (model registry, evaluation runs)\n"
            f"  UI:       {settings.ui_url} (chat, search, uploads, dashboards)\n"
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
