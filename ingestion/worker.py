"""The worker: takes queued reports, parses them and stores what they hold, exactly once in effect.

Each job is handled in two connections. `work` holds the job's row lock in an open transaction
and, on success, writes the parsed rows, marks the report processed and deletes the job in that
same transaction — all or nothing. `status` (autocommit) makes progress visible at once and
counts attempts durably, so a report whose processing kills the worker still ends `failed`.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from types import FrameType

import psycopg

from core.blobs import BlobStore
from core.db import Conn, connect
from core.errors import NotFound, ParseError
from core.settings import Settings
from embeddings.active import active_space, load_embedder
from embeddings.base import Embedder
from embeddings.indexing import count_embedded, embed_sections
from ingestion.queue import Job, JobQueue
from ingestion.sandbox import ParserProcess
from ingestion.store import store_report

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    report_id: int
    status: str
    error: str | None = None


@dataclass
class Worker:
    settings: Settings
    url: str
    blobs: BlobStore
    queue: JobQueue
    stop: threading.Event = field(default_factory=threading.Event)
    embedder: Embedder | None = None

    def __post_init__(self) -> None:
        self.parser = ParserProcess(timeout_s=self.settings.parse_timeout_s)
        self.work: Conn = connect(self.url)
        self.status: Conn = connect(self.url, autocommit=True)
        self.status.execute("SET lock_timeout = '10s'")
        self.model: Embedder = self.embedder or load_embedder(self.settings)
        self.space = active_space(self.status, settings=self.settings, embedder=self.model)

    def close(self) -> None:
        self.parser.close()
        self.work.close()
        self.status.close()

    def run(self, *, until_idle: bool = False) -> int:
        """Process jobs until stopped (or, with until_idle, until no job is available)."""
        done = 0
        while not self.stop.is_set():
            outcome = self.run_once()
            if outcome is not None:
                done += 1
                continue
            if until_idle:
                break
            self.queue.wait(self.status, timeout_s=self.settings.worker_poll_s)
        return done

    def run_once(self) -> Outcome | None:
        """Claim one job and see it through; None when no job is available."""
        job = self.queue.claim(self.work)
        if job is None:
            self.work.rollback()
            return None
        try:
            return self._handle(job)
        except BaseException:
            self.work.rollback()  # the job's lock goes with it, so the job is taken again
            raise

    def _handle(self, job: Job) -> Outcome:
        row = self.status.execute(
            "UPDATE reports SET status = 'processing', attempts = attempts + 1,"
            " started_at = now(), updated_at = now() WHERE id = %s"
            " RETURNING attempts, sha256, filename",
            (job.report_id,),
        ).fetchone()
        if row is None:  # the report was deleted; its job row goes with it
            self.work.commit()
            return Outcome(job.report_id, "deleted")
        attempts, max_attempts = int(row["attempts"]), self.settings.worker_max_attempts
        if attempts > max_attempts:
            return self._fail(
                job,
                f"gave up after {max_attempts} attempts; the worker stopped while "
                "processing it each time",
            )
        try:
            data = self.blobs.get(row["sha256"])
        except NotFound as exc:
            return self._fail(job, f"the uploaded file is missing from the blob store: {exc}")
        except Exception as exc:  # storage hiccup: worth another try
            return self._retry(job, attempts, f"reading the file failed: {exc}")
        try:
            parsed = self.parser.parse(
                data, filename=row["filename"], max_pages=self.settings.max_pages
            )
        except ParseError as exc:
            return self._fail(job, str(exc))
        try:
            with self.work.transaction():
                section_id = store_report(self.work, report_id=job.report_id, parsed=parsed)
                embedded = self._embed(section_id)
                self.work.execute(
                    "UPDATE reports SET status = 'processed', layout = %s, error = NULL,"
                    " warnings = %s::jsonb, embedded_comments = %s, embedding_space = %s,"
                    " finished_at = now(), updated_at = now() WHERE id = %s",
                    (
                        parsed.layout,
                        _json(parsed.warnings),
                        embedded,
                        self.space.name,
                        job.report_id,
                    ),
                )
                self.queue.finish(self.work, job)
        except psycopg.OperationalError:
            raise  # the connection is gone: the lock went with it, and the job is taken again
        except Exception as exc:  # a store or embedding fault: back off and try again
            self.work.rollback()
            return self._retry(job, attempts, f"storing failed: {type(exc).__name__}: {exc}")
        self.work.commit()
        log.info("report %s processed (%s)", job.report_id, parsed.layout)
        return Outcome(job.report_id, "processed")

    def _embed(self, section_id: int) -> int:
        """Embed the section's new or changed comments; returns how many it has embedded."""
        embed_sections(
            self.work,
            space=self.space,
            embedder=self.model,
            section_ids=[section_id],
            batch_size=self.settings.embedding_batch_size,
        )
        return count_embedded(self.work, space=self.space, section_id=section_id)

    def _fail(self, job: Job, error: str) -> Outcome:
        self.work.execute(
            "UPDATE reports SET status = 'failed', error = %s, finished_at = now(),"
            " updated_at = now() WHERE id = %s",
            (error, job.report_id),
        )
        self.queue.finish(self.work, job)
        self.work.commit()
        log.warning("report %s failed: %s", job.report_id, error)
        return Outcome(job.report_id, "failed", error)

    def _retry(self, job: Job, attempts: int, error: str) -> Outcome:
        if attempts >= self.settings.worker_max_attempts:
            return self._fail(job, f"{error} (after {attempts} attempts)")
        delay = min(
            self.settings.worker_backoff_s * 2 ** (attempts - 1),
            self.settings.worker_backoff_max_s,
        )
        self.queue.retry_later(self.work, job, delay_s=delay, error=error)
        self.work.execute(
            "UPDATE reports SET status = 'queued', error = %s, updated_at = now() WHERE id = %s",
            (f"retrying in {delay:g} s: {error}", job.report_id),
        )
        self.work.commit()
        log.warning("report %s will be retried in %.1f s: %s", job.report_id, delay, error)
        return Outcome(job.report_id, "retry", error)


def _json(values: list[str]) -> str:
    return json.dumps(values)


def run_worker(settings: Settings, url: str, blobs: BlobStore, queue: JobQueue) -> None:
    """Run until SIGTERM/SIGINT; the job in hand is finished first."""
    worker = Worker(settings=settings, url=url, blobs=blobs, queue=queue)

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("worker stopping after the current job (signal %s)", signum)
        worker.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("worker started")
    try:
        while not worker.stop.is_set():
            try:
                worker.run()
            except psycopg.OperationalError as exc:
                log.error("database unavailable (%s); reconnecting in 2 s", exc)
                time.sleep(2)
                worker.close()
                worker = Worker(
                    settings=settings,
                    url=url,
                    blobs=blobs,
                    queue=queue,
                    stop=worker.stop,
                    embedder=worker.model,
                )
    finally:
        worker.close()
