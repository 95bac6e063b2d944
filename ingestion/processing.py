"""Processing reports — fetch, parse, store, embed — whatever queue delivered them.

`Processor.process` records its verdict on the report row inside the caller's transaction and
leaves the commit to the caller, so a queue can finish its job (delete the job row, or commit
the Kafka offset after the commit) atomically with the work. Attempts are counted on a separate
autocommit connection, so they survive a worker killed mid-report.

The table worker batches: `prepare` stores one report's rows (parse, store) in the open
transaction, and `complete` embeds and tags the comments of several stored reports at once and
marks them processed, so the model sees batches that span reports. Everything stays in one
transaction until the commit: a report is `processed` only with its comments embedded, and a
worker killed mid-batch leaves nothing behind (the reports are simply taken again).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import psycopg
from psycopg.types.json import Jsonb

from core.blobs import BlobStore
from core.db import Conn, connect
from core.errors import NotFound, ParseError
from core.observability import count_job, observe_embedding, report_context, stage_timer
from core.report import ParsedReport
from core.settings import Settings
from embeddings.active import ModelInService, active_space
from embeddings.base import Embedder
from embeddings.indexing import count_embedded, embed_sections
from enrichment.sentiment import Sentiment, score_comment, split_sentences
from enrichment.tagging import tag_comments
from ingestion.limits import limits_of
from ingestion.parsers.survey import UploadFields
from ingestion.sandbox import ParserProcess
from ingestion.store import store_report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    """A report whose rows are in the open transaction, its comments not embedded yet."""

    report_id: int
    section_id: int
    layout: str
    warnings: list[str]
    attempts: int
    comments: int
    """How many comments the report holds (batches are sized by them)."""
    tones: Mapping[tuple[str, str], Sentiment] = field(default_factory=dict)
    """Its comments' sentiment by (text, prompt), scored when it was read (see Parsed)."""


@dataclass(frozen=True)
class Parsed:
    """A report fetched and parsed, not stored yet."""

    report_id: int
    attempts: int
    report: ParsedReport
    tones: Mapping[tuple[str, str], Sentiment] = field(default_factory=dict)
    """Its comments' sentiment by (text, prompt): scored as it is read, which the table worker
    does ahead, while the batch before embeds (VADER is a tenth of a batch's time)."""

    @property
    def comments(self) -> int:
        return len(self.report.comments)


@dataclass(frozen=True)
class Verdict:
    """What happened to a report: done (processed or failed for good), or retry after a delay."""

    report_id: int
    status: Literal["processed", "failed", "retry", "deleted"]
    error: str | None = None
    attempts: int = 0
    delay_s: float = 0.0
    exhausted: bool = False
    """A failure after the last retry (what a dead-letter queue is for)."""


def backoff_s(settings: Settings, attempts: int) -> float:
    """Exponential backoff: base, 2·base, 4·base … capped."""
    return float(
        min(settings.worker_backoff_s * 2 ** max(attempts - 1, 0), settings.worker_backoff_max_s)
    )


class Processor:
    def __init__(self, settings: Settings, url: str, blobs: BlobStore, model: ModelInService):
        self.settings = settings
        self.blobs = blobs
        self.parser = ParserProcess(
            timeout_s=settings.parse_timeout_s,
            limits=limits_of(settings),
            memory_mb=settings.parse_memory_mb,
        )
        self._parsing = threading.Lock()  # one file at a time in the child (the table worker
        # fills its next batch in a thread while a failed batch may go one by one in another)
        self.status: Conn = connect(url, autocommit=True, role="worker")
        self.status.execute("SET lock_timeout = '10s'")
        self.embedder: Embedder = model.embedder
        self.space = active_space(self.status, model=model)

    def close(self) -> None:
        self.parser.close()
        self.status.close()

    def process(self, work: Conn, report_id: int) -> Verdict:
        """See one report through; the verdict is written in `work`'s open transaction."""
        with report_context(report_id):
            try:
                verdict = self._process(work, report_id)
            except Exception:
                count_job("error")
                raise
            count_job(verdict.status)
            return verdict

    def prepare(self, work: Conn, report_id: int) -> Stored | Verdict:
        """Fetch, parse and store one report in `work`'s open transaction (a savepoint of its
        own); its comments wait for `complete`. A Verdict when it is already done with."""
        outcome = self.read(work, report_id)
        return outcome if isinstance(outcome, Verdict) else self.store(work, outcome)

    def read(self, work: Conn, report_id: int) -> Parsed | Verdict:
        """Count the attempt, fetch and parse one report (a verdict, if any, is written in
        `work`'s open transaction). It locks nothing but the report's own row, so the table
        worker reads the next batch while another transaction holds this one's rows."""
        with report_context(report_id):
            try:
                outcome = self._parse(work, report_id)
            except Exception:
                count_job("error")
                raise
            if isinstance(outcome, Verdict):
                count_job(outcome.status)
                return outcome
            attempts, parsed = outcome
            return Parsed(report_id, attempts, parsed, tones=score_comments(parsed))

    def store(self, work: Conn, parsed: Parsed) -> Stored | Verdict:
        """Store a parsed report's rows in `work`'s open transaction (a savepoint of its own)."""
        report_id, attempts = parsed.report_id, parsed.attempts
        with report_context(report_id):
            try:
                try:
                    with work.transaction():
                        return self._store(
                            work, report_id, parsed.report, attempts, tones=parsed.tones
                        )
                except psycopg.OperationalError:
                    raise
                except Exception as exc:  # a store fault: back off and try again
                    verdict = self._retry(
                        work, report_id, attempts, f"storing failed: {type(exc).__name__}: {exc}"
                    )
                    count_job(verdict.status)
                    return verdict
            except Exception:
                count_job("error")
                raise

    def complete(self, work: Conn, batch: list[Stored]) -> list[Verdict]:
        """Embed and tag the comments of every stored report in one pass and mark each
        processed, in a savepoint: a fault raises with none of it written (the caller decides
        what to do with the reports, each still stored but not processed)."""
        if not batch:
            return []
        with work.transaction():
            self._complete(work, batch)
        verdicts = []
        for stored in batch:
            with report_context(stored.report_id):  # the report's id (and span) on its record
                count_job("processed")
                log.info("report %s processed (%s)", stored.report_id, stored.layout)
            verdicts.append(Verdict(stored.report_id, "processed", attempts=stored.attempts))
        return verdicts

    def _process(self, work: Conn, report_id: int) -> Verdict:
        outcome = self._parse(work, report_id)
        if isinstance(outcome, Verdict):
            return outcome
        attempts, parsed = outcome
        try:
            with work.transaction():  # a savepoint: a fault here undoes only the partial rows
                stored = self._store(work, report_id, parsed, attempts)
                self._complete(work, [stored])
        except psycopg.OperationalError:
            raise  # the connection is gone; the caller's queue hands the report out again
        except Exception as exc:  # a store or embedding fault: back off and try again
            return self._retry(
                work, report_id, attempts, f"storing failed: {type(exc).__name__}: {exc}"
            )
        log.info("report %s processed (%s)", report_id, parsed.layout)
        return Verdict(report_id, "processed", attempts=attempts)

    def _parse(self, work: Conn, report_id: int) -> tuple[int, ParsedReport] | Verdict:
        """Count the attempt, fetch the file and parse it in the sandbox."""
        row = self.status.execute(
            "UPDATE reports SET status = 'processing', attempts = attempts + 1,"
            " started_at = now(), updated_at = now() WHERE id = %s"
            " RETURNING attempts, sha256, filename, status, form_course, form_term, form_title",
            (report_id,),
        ).fetchone()
        if row is None:
            return Verdict(report_id, "deleted")
        attempts, max_attempts = int(row["attempts"]), self.settings.worker_max_attempts
        if attempts > max_attempts:
            return self._fail(
                work,
                report_id,
                attempts,
                f"gave up after {max_attempts} attempts; the worker stopped while "
                "processing it each time",
                code="exhausted",
                exhausted=True,
            )
        try:
            with stage_timer("fetch"):
                data = self.blobs.get(row["sha256"])
        except NotFound as exc:
            return self._fail(
                work,
                report_id,
                attempts,
                f"the uploaded file is missing: {exc}",
                code="missing_file",
            )
        except Exception as exc:  # a storage hiccup: worth another try
            return self._retry(work, report_id, attempts, f"reading the file failed: {exc}")
        try:
            with stage_timer("parse"):
                fields = UploadFields(
                    course=row["form_course"], term=row["form_term"], title=row["form_title"]
                )
                with self._parsing:
                    parsed = self.parser.parse(data, filename=row["filename"], fields=fields)
        except ParseError as exc:
            return self._fail(work, report_id, attempts, str(exc), code=exc.reason)
        return attempts, parsed

    def _store(
        self,
        work: Conn,
        report_id: int,
        parsed: ParsedReport,
        attempts: int,
        *,
        tones: Mapping[tuple[str, str], Sentiment] | None = None,
    ) -> Stored:
        with stage_timer("store"):
            section_id = store_report(work, report_id=report_id, parsed=parsed)
        return Stored(
            report_id=report_id,
            section_id=section_id,
            layout=parsed.layout,
            warnings=list(parsed.warnings),
            attempts=attempts,
            comments=len(parsed.comments),
            tones=tones or {},
        )

    def _complete(self, work: Conn, batch: list[Stored]) -> None:
        """Embed (one pass over every report's comments), tag themes, mark processed."""
        section_ids = sorted({stored.section_id for stored in batch})
        # the active space's vectors of the comment text alone are what theme tagging embeds
        known: dict[str, np.ndarray] | None = {} if self.space.text_mode == "comment" else None
        with stage_timer("embed") as embedding:
            comments = embed_sections(
                work,
                space=self.space,
                embedder=self.embedder,
                section_ids=section_ids,
                batch_size=self.settings.embedding_batch_size,
                settings=self.settings,  # also into a space a re-embed is building
                collect=known,
                split=split_sentences,  # and the sentences theme tagging judges, same pass
            )
        observe_embedding(comments, embedding.seconds)
        with stage_timer("themes"):  # read by the qualitative route (enrichment.tagging)
            tones = {key: tone for stored in batch for key, tone in stored.tones.items()}
            tag_comments(
                work, embedder=self.embedder, section_ids=section_ids, known=known, tones=tones
            )
        embedded = count_embedded(work, space=self.space, section_ids=section_ids)
        work.execute(
            "UPDATE reports r SET status = 'processed', layout = v.layout, error = NULL,"
            " error_code = NULL, warnings = v.warnings, embedded_comments = v.embedded,"
            " embedding_space = %s, finished_at = now(), updated_at = now()"
            " FROM unnest(%s::bigint[], %s::text[], %s::jsonb[], %s::int[])"
            " AS v(id, layout, warnings, embedded) WHERE r.id = v.id",
            (
                self.space.name,
                [stored.report_id for stored in batch],
                [stored.layout for stored in batch],
                [Jsonb(stored.warnings) for stored in batch],
                [embedded[stored.section_id] for stored in batch],
            ),
        )

    def _fail(
        self,
        work: Conn,
        report_id: int,
        attempts: int,
        error: str,
        *,
        code: str,
        exhausted: bool = False,
    ) -> Verdict:
        work.execute(
            "UPDATE reports SET status = 'failed', error = %s, error_code = %s,"
            " finished_at = now(), updated_at = now() WHERE id = %s",
            (error, code, report_id),
        )
        log.warning("report %s failed: %s", report_id, error)
        return Verdict(report_id, "failed", error, attempts, exhausted=exhausted)

    def _retry(self, work: Conn, report_id: int, attempts: int, error: str) -> Verdict:
        if attempts >= self.settings.worker_max_attempts:
            return self._fail(
                work,
                report_id,
                attempts,
                f"{error} (after {attempts} attempts)",
                code="exhausted",
                exhausted=True,
            )
        delay = backoff_s(self.settings, attempts)
        work.execute(
            "UPDATE reports SET status = 'queued', error = %s, updated_at = now() WHERE id = %s",
            (f"retrying in {delay:g} s: {error}", report_id),
        )
        log.warning("report %s will be retried in %.1f s: %s", report_id, delay, error)
        return Verdict(report_id, "retry", error, attempts, delay_s=delay)


def score_comments(report: ParsedReport) -> dict[tuple[str, str], Sentiment]:
    """Each comment's sentiment by (text, prompt), as theme tagging stores it."""
    with stage_timer("sentiment"):
        return {(c.text, c.prompt): score_comment(c.text, prompt=c.prompt) for c in report.comments}
