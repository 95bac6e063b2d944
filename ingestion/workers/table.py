"""The table worker: takes jobs of the Postgres queue with FOR UPDATE SKIP LOCKED, processes them.

The job's row lock is held in `work`'s open transaction for as long as the report is being
processed; the rows it writes, the report's verdict and the job's deletion (or its new
`available_at`) commit together. A worker that dies — even by kill -9 — drops its connection,
PostgreSQL releases the lock, and the job is available again at once.

`run` works in batches: it takes jobs one after another into the same transaction, parsing
and storing each, until the stored reports hold `batch_comments` comments (or `batch_reports`
reports, or the queue stays empty for `batch_wait_s`), then embeds all their comments in one
pass and commits the lot. The model sees full batches instead of one report's fifteen
comments, and a kill -9 mid-batch rolls every report of the batch back to its job.

While one batch embeds, a filler thread already claims, fetches and parses the next one on a
second connection, in a transaction of its own: the model does not wait for parsing. The next
batch's rows are stored once this one has committed. (Storing no longer locks the shared rows,
courses, terms, questions and instructors, it finds (ingestion.store), so it could run in the
filler too; it was tried and measured no gain on 2 cores: the model's share of the worker's
wall time was 0.64 either way, `tracelens bench pipeline --reports 300` in-process A/B.) Each
batch still commits alone (its reports processed with their own vectors), and a kill -9 rolls
back both open batches.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
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
from ingestion.processing import Parsed, Processor, Stored, Verdict
from ingestion.queue.base import Job
from ingestion.queue.postgres import PostgresQueue

log = logging.getLogger(__name__)

QUEUE_STATS_EVERY_S = 10.0
"""While busy, queue depth and lag are measured at most this often (every idle poll when idle)."""

# A batch is embedded once its stored reports hold `settings.worker_batch_comments` comments
# (768) or `worker_batch_reports` reports (64, a bound on what one transaction holds locked).
# The model sorts a batch's comments by length and cuts them into its own batches: a pool of 256
# embedded 12% slower than one of 2,588 (114.7 against 129.7 comments/s), and `tracelens bench
# pipeline --reports 300` went from 0.45 to 0.54 of the embedder's rate with 768 (0.56 with 1,536).
BATCH_WAIT_S = 0.2
"""…or once the queue has had nothing for it this long (a report waits at most this much)."""


@dataclass
class Batch:
    """Jobs claimed in `conn`'s open transaction, with their reports stored or decided."""

    conn: Conn
    claimed: dict[int, Job] = field(default_factory=dict)
    parsed: list[Parsed] = field(default_factory=list)
    """Read ahead, stored by `finish`."""
    stored: list[Stored] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    rolled_back: bool = False
    """Filling it hit a deadlock: its jobs are to be processed one at a time."""


@dataclass
class Worker:
    settings: Settings
    url: str
    blobs: BlobStore
    queue: PostgresQueue
    model: ModelInService
    stop: threading.Event = field(default_factory=threading.Event)
    batch_comments: int | None = None
    """A batch's comments; settings.worker_batch_comments when None."""
    batch_reports: int | None = None
    """A batch's reports; settings.worker_batch_reports when None."""
    batch_wait_s: float = BATCH_WAIT_S
    fill_ahead: bool = True
    """Take and store the next batch while this one embeds (on a second connection)."""

    def __post_init__(self) -> None:
        self._max_comments = self.batch_comments or self.settings.worker_batch_comments
        self._max_reports = self.batch_reports or self.settings.worker_batch_reports
        self.processor = Processor(self.settings, self.url, self.blobs, self.model)
        self.work: Conn = connect(self.url, role="worker")
        self.spare: Conn = connect(self.url, role="worker")
        self._filler = ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker-fill")
        self._queue_measured = 0.0
        # Files of reports deleted while no one could remove them (a crash after the commit).
        collect_blobs(self.processor.status, self.blobs)

    def close(self) -> None:
        self._filler.shutdown(wait=True)
        self.processor.close()
        self.work.close()
        self.spare.close()

    def run(self, *, until_idle: bool = False) -> int:
        """Process jobs until stopped (or, with until_idle, until no job is available); a batch
        already taken when the stop comes is finished first."""
        done = 0
        ahead: Future[Batch] | None = None
        try:
            while True:
                if ahead is not None:
                    batch, ahead = ahead.result(), None
                elif self.stop.is_set():
                    break
                else:
                    batch = self.take(self.work)
                if batch.claimed and self.fill_ahead and not self.stop.is_set():
                    other = self.spare if batch.conn is self.work else self.work
                    ahead = self._filler.submit(self.take, other)
                verdicts = self.finish(batch)
                if verdicts:
                    done += len(verdicts)
                    self.measure_queue(idle=False)
                    continue
                if ahead is not None:
                    continue
                self.measure_queue(idle=True)
                if until_idle:
                    break
                self.queue.wait(self.processor.status, timeout_s=self.settings.worker_poll_s)
        finally:
            if ahead is not None:  # this one failed: the batch taken ahead goes back too
                # (an error of its own was raised after it rolled back: nothing left to undo)
                with contextlib.suppress(BaseException):
                    ahead.result().conn.rollback()
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

    def run_batch(self) -> list[Verdict]:
        """Claim jobs into one transaction, store their reports, embed all their comments at
        once and commit; the verdicts (empty when no job was available)."""
        return self.finish(self.take(self.work))

    def take(self, conn: Conn) -> Batch:
        """Claim and store reports in `conn`'s transaction until the batch is full or the queue
        stays empty (the filler thread runs this for the next batch)."""
        batch = Batch(conn)
        try:
            self._fill(batch)
        except psycopg.errors.TransactionRollback as exc:  # a deadlock with another worker
            log.warning(
                "batch of %d reports rolled back (%s); one at a time", len(batch.claimed), exc
            )
            conn.rollback()
            batch.rolled_back = True
        except BaseException:
            conn.rollback()  # every job's lock goes with it, so the jobs are taken again
            raise
        return batch

    def finish(self, batch: Batch) -> list[Verdict]:
        """Embed the batch's comments, settle its jobs and commit; the verdicts."""
        conn, claimed = batch.conn, batch.claimed
        try:
            if batch.rolled_back:
                return self._one_by_one(conn, list(claimed))
            if not claimed:
                conn.rollback()
                return []
            try:
                self._store(batch)
                done = self.processor.complete(conn, batch.stored)
            except psycopg.OperationalError as exc:
                if not isinstance(exc, psycopg.errors.TransactionRollback):
                    raise  # the connection is gone: the jobs are taken again
                log.warning(
                    "batch of %d reports rolled back (%s); one at a time", len(claimed), exc
                )
                conn.rollback()
                return self._one_by_one(conn, list(claimed))
            except Exception as exc:  # one report's fault must not fail the others: one by one
                log.warning("batch of %d reports failed (%s); one at a time", len(claimed), exc)
                conn.rollback()
                return self._one_by_one(conn, list(claimed))
            for verdict in [*batch.verdicts, *done]:
                self._settle(conn, claimed[verdict.report_id], verdict)
            conn.commit()
            return [*batch.verdicts, *done]
        except BaseException:
            conn.rollback()  # every job's lock goes with it, so the jobs are taken again
            raise

    def _store(self, batch: Batch) -> None:
        """Store the reports read ahead (each in a savepoint; a store fault is its verdict)."""
        for parsed in batch.parsed:
            outcome = self.processor.store(batch.conn, parsed)
            if isinstance(outcome, Verdict):
                batch.verdicts.append(outcome)
            else:
                batch.stored.append(outcome)
        batch.parsed.clear()

    def _fill(self, batch: Batch) -> None:
        """Take and store reports until the batch is full or the queue stays empty."""
        conn, claimed = batch.conn, batch.claimed
        comments = 0
        deadline: float | None = None
        while len(claimed) < self._max_reports and comments < self._max_comments:
            job = self.queue.claim(conn, exclude=[j.id for j in claimed.values()])
            if job is None:
                if not batch.parsed or self.stop.is_set():
                    return
                deadline = deadline or time.monotonic() + self.batch_wait_s
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.queue.wait(self.processor.status, timeout_s=left)
                continue
            claimed[job.report_id] = job
            outcome = self.processor.read(conn, job.report_id)
            if isinstance(outcome, Verdict):
                batch.verdicts.append(outcome)
            else:
                batch.parsed.append(outcome)
                comments += outcome.comments

    def _settle(self, conn: Conn, job: Job, verdict: Verdict) -> None:
        if verdict.status == "retry":
            self.queue.retry_later(conn, job, delay_s=verdict.delay_s, error=verdict.error or "")
        else:
            self.queue.finish(conn, job)

    def _one_by_one(self, conn: Conn, report_ids: list[int]) -> list[Verdict]:
        """Process each report of a failed batch in a transaction of its own."""
        out = []
        for report_id in report_ids:
            job = self.queue.claim(conn, report_ids=[report_id])
            if job is None:
                conn.rollback()
                continue
            try:
                verdict = self.processor.process(conn, report_id)
                self._settle(conn, job, verdict)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            out.append(verdict)
        return out


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
