"""`tracelens run`: the whole service on one machine, started and stopped as one.

PostgreSQL (embedded, in this process), then MLflow's UI, the worker, the API and the Streamlit
UI as children (devtools.processes), and the sample corpus ingested once the API is ready. A
child that crashes is started again after a pause that grows, with jitter, while it keeps
crashing (`Restarts`); the others keep running. Ctrl-C or SIGTERM stops the children, then
PostgreSQL.
"""

from __future__ import annotations

import random
import signal
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

from core.auth.keys import KeyVerifier, create_key
from core.blobs import make_blob_store
from core.db import connect, open_database
from core.db.migrate import migrate
from core.settings import Settings
from devtools.corpus.writer import write_corpus
from devtools.processes import Child
from ingestion.loader import ingest
from ingestion.queue import make_queue
from mlops.service import mlflow_env, mlflow_ui_command, mlflow_ui_url, prepare_champion
from ui.launch import streamlit_command

RESTART_BASE_S = 0.5
RESTART_MAX_S = 30.0
HEALTHY_S = 60.0
"""A child that ran this long before it crashed is restarted after the shortest pause again."""


def cli_command(*args: str) -> list[str]:
    """`python -m cli ARGS`: a `tracelens` command as a child of this interpreter."""
    return [sys.executable, "-m", "cli", *args]


@dataclass
class Restarts:
    """When a crashed child may start again: full-jitter exponential backoff per child."""

    started: dict[str, float] = field(default_factory=dict)
    crashes: dict[str, int] = field(default_factory=dict)
    due: dict[str, float] = field(default_factory=dict)

    def started_now(self, child: Child) -> None:
        self.started[child.name] = time.monotonic()
        self.due.pop(child.name, None)

    def crashed(self, child: Child) -> float:
        """Record a crash; the pause before the restart."""
        ran = time.monotonic() - self.started.get(child.name, 0.0)
        count = 0 if ran >= HEALTHY_S else self.crashes.get(child.name, 0)
        self.crashes[child.name] = count + 1
        pause = random.uniform(0, min(RESTART_MAX_S, RESTART_BASE_S * 2**count))
        self.due[child.name] = time.monotonic() + pause
        return pause

    def ready(self, child: Child) -> bool:
        return time.monotonic() >= self.due.get(child.name, 0.0)


@dataclass
class Supervisor:
    """Children started in order and kept running until stopped."""

    children: list[Child] = field(default_factory=list)
    restarts: Restarts = field(default_factory=Restarts)
    stopping: bool = False

    def start(self, child: Child) -> Child:
        child.start()
        self.children.append(child)
        self.restarts.started_now(child)
        return child

    def watch(self) -> None:
        """Until stopped: restart each child that exited, once its pause is over."""
        while not self.stopping:
            for child in self.children:
                if child.running() or self.stopping:
                    continue
                if child.name not in self.restarts.due:
                    pause = self.restarts.crashed(child)
                    print(f"{child.name} exited with status {child.returncode}; restarting it"
                          f" in {pause:.1f} s", flush=True)  # fmt: skip
                elif self.restarts.ready(child):
                    self._restart(child)
            time.sleep(0.5)

    def _restart(self, child: Child) -> None:
        try:
            child.restart()
        except RuntimeError as exc:
            print(f"{child.name} did not come back ({exc})", flush=True)
            self.restarts.crashed(child)
            return
        self.restarts.started_now(child)
        print(f"{child.name} restarted", flush=True)

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()


def ingest_sample_corpus(settings: Settings, url: str, *, reports: int) -> None:
    """Generate the sample corpus once (state_dir/sample-corpus) and load it through the queue."""
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


LOCAL_KEY_FILE = "local-admin.key"
"""The local admin key `tracelens run` creates on its first start, for the UI (mode 0600)."""


def local_admin_key(settings: Settings, url: str) -> tuple[str, bool]:
    """The local admin API key kept in the state directory, created when there is none that
    still verifies (first start, or revoked); returns it and whether it is new."""
    path = settings.state_dir / LOCAL_KEY_FILE
    with connect(url) as conn:
        if path.exists():
            kept = path.read_text(encoding="utf-8").strip()
            if KeyVerifier().verify(conn, kept) is not None:
                return kept, False
        key, _ = create_key(conn, name="local admin (tracelens run)", roles=["admin"])
        conn.commit()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(key + "\n", encoding="utf-8")
    return key, True


def _mlflow(settings: Settings, supervisor: Supervisor) -> dict[str, str]:
    """Register the bundled model as champion on first start, then start the MLflow UI.

    Returns the environment that makes the API and the worker serve the champion.
    """
    champion = prepare_champion(settings)
    print(f"embedding model in service: {champion.uri} ({champion.backend}, champion)")
    command = mlflow_ui_command(settings)
    if command is not None:
        supervisor.start(Child("MLflow", command, env=mlflow_env()))
    return {"TRACELENS_EMBEDDING_MODEL": settings.embedding_model or "champion"}


def run_all(settings: Settings, *, sample_reports: int) -> int:
    """Start PostgreSQL, the worker and the API; ingest the sample corpus; run until stopped."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(settings)
    supervisor = Supervisor()

    def _stop(signum: int, frame: FrameType | None) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        with connect(db.url) as conn:
            migrate(conn)
        env = {
            "TRACELENS_DATABASE_URL": db.url,
            "TRACELENS_STATE_DIR": str(settings.state_dir.resolve()),
        }
        env.update(_mlflow(settings, supervisor))
        key, new = local_admin_key(settings, db.url)
        if new:  # shown once; the UI gets it from the state directory on every start
            print(
                f"local admin API key (shown once; kept for the UI in"
                f" {settings.state_dir / LOCAL_KEY_FILE}):\n  {key}"
            )
        supervisor.start(Child("the worker", cli_command("worker"), env=env))
        api = Child("the API", cli_command("serve"), url=f"{settings.api_url}/readyz", env=env)
        supervisor.start(api)
        ui_env = {
            **env,
            "TRACELENS_UI_API_URL": settings.ui_api_url or settings.api_url,
            "TRACELENS_UI_API_KEY": key,
        }
        ui = streamlit_command(host=settings.ui_host, port=settings.ui_port)
        supervisor.start(Child("the UI", ui, env=ui_env))
        if sample_reports:
            ingest_sample_corpus(settings, db.url, reports=sample_reports)
        print(
            f"\nTraceLens is running.\n  API:      {settings.api_url}\n"
            f"  API docs: {settings.api_url}/docs\n  Reports:  {settings.api_url}/v1/reports\n"
            f"  MLflow:   {mlflow_ui_url(settings)} (model registry, evaluation runs)\n"
            f"  UI:       {settings.ui_url} (chat, search, uploads, dashboards)\n"
            "Press Ctrl-C to stop."
        )
        supervisor.watch()
        return 0
    finally:
        supervisor.stop()
        db.stop()
