"""The table worker: takes jobs of the Postgres queue with FOR UPDATE SKIP LOCKED, processes them.

The job's row lock is held in `work`'s open transaction for as long as the report is being
processed; the rows it writes, the report's verdict and the job's deletion (or its new
`available_at`) commit together. A worker that dies — even by kill -9 — drops its connection,
PostgreSQL releases the lock, and the job is available again at once.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

import psycopg
from tenacity import Retrying, retry_if_exception_type, wait_random_exponential

from core.blobs import BlobStore
from core.db import Conn, connect
from core.observability import observe_queue
from core.settings import Settings
from embeddings.active import ModelInService
from ingestion.deletion import collect_blobs
from ingestion.processing import Processor, Verdict
from ingestion.queue.postgres import PostgresQueue

log = logging.getLogger(__name__)

QUEUE_STATS_EVERY_S = 10.0
"""While busy, queue depth and lag are measured at most this often (every idle poll when idle)."""


@dataclass
class Worker:
    settings: Settings
    url: str
    blobs: BlobStore
    queue: PostgresQueue
    model: ModelInService
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.processor = Processor(self.settings, self.url, self.blobs, self.model)
        self.work: Conn = connect(self.url, role="worker")
        self._queue_measured = 0.0
        # Files of reports deleted while no one could remove them (a crash after the commit).
        collect_blobs(self.processor.status, self.blobs)

    def close(self) -> None:
        self.processor.close()
        self.work.close()

    def run(self, *, until_idle: bool = False) -> int:
        """Process jobs until stopped (or, with until_idle, until no job is available)."""
        done = 0
        while not self.stop.is_set():
            outcome = self.run_once()
            if outcome is not None:
                done += 1
                self.measure_queue(idle=False)
                continue
            self.measure_queue(idle=True)
            if until_idle:
                break
            self.queue.wait(self.processor.status, timeout_s=self.settings.worker_poll_s)
        return done

    def measure_queue(self, *, idle: bool) -> None:
        """Export queue depth and lag on every idle poll, and at most every 10 s while busy."""
        now = time.monotonic()
        if not idle and now - self._queue_measured < QUEUE_STATS_EVERY_S:
            return
        self._queue_measured = now
        backlog = self.queue.backlog(self.processor.status)
        observe_queue(
            self.queue.backend, depth=backlog.depth, delayed=backlog.delayed, lag_s=backlog.lag_s
        )

    def run_once(self) -> Verdict | None:
        """Claim one job and see it through; None when no job is available."""
        job = self.queue.claim(self.work)
        if job is None:
            self.work.rollback()
            return None
        try:
            verdict = self.processor.process(self.work, job.report_id)
            if verdict.status == "retry":
                self.queue.retry_later(
                    self.work, job, delay_s=verdict.delay_s, error=verdict.error or ""
                )
            else:
                self.queue.finish(self.work, job)
            self.work.commit()
            return verdict
        except BaseException:
            self.work.rollback()  # the job's lock goes with it, so the job is taken again
            raise


def run_worker(
    settings: Settings, url: str, blobs: BlobStore, queue: PostgresQueue, model: ModelInService
) -> None:
    """Run until SIGTERM/SIGINT; the job in hand is finished first."""
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("worker stopping after the current job (signal %s)", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("worker started")
    while not stop.is_set():
        worker = _connected_worker(settings, url, blobs, queue, model, stop)
        if worker is None:
            return
        try:
            worker.run()
        except psycopg.OperationalError as exc:
            log.error("database unavailable (%s); reconnecting", exc)
        finally:
            worker.close()


def _sleeper(stop: threading.Event) -> Callable[[float], None]:
    """A sleep that ends early when the worker is told to stop."""

    def sleep(seconds: float) -> None:
        stop.wait(seconds)

    return sleep


def _connected_worker(
    settings: Settings,
    url: str,
    blobs: BlobStore,
    queue: PostgresQueue,
    model: ModelInService,
    stop: threading.Event,
) -> Worker | None:
    """A worker, once the database answers: retried with jittered backoff until it does
    (a database restarting must not end the worker); None when stopped meanwhile."""
    retrying = Retrying(
        retry=retry_if_exception_type(psycopg.OperationalError),
        wait=wait_random_exponential(multiplier=0.5, max=30),
        stop=lambda _: stop.is_set(),
        sleep=_sleeper(stop),
        before_sleep=lambda state: log.error(
            "database unavailable (%s); retrying",
            state.outcome.exception() if state.outcome else "",
        ),
        reraise=True,
    )
    try:
        return retrying(
            Worker,
            settings=settings,
            url=url,
            blobs=blobs,
            queue=queue,
            model=model,
            stop=stop,
        )
    except psycopg.OperationalError:
        return None  # stopped while the database was still down
