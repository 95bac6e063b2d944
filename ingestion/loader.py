"""Batch loading: a term's worth of downloads through the same validation, queue and worker."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from core.blobs import BlobStore
from core.db import Conn, connect
from core.errors import TraceLensError
from core.settings import Settings
from embeddings.active import ModelInService
from ingestion.intake import accept_file
from ingestion.queue import JobQueue, PostgresQueue
from ingestion.reports import requeue_failed
from ingestion.workers.table import Worker

REPORT_SUFFIXES = {".pdf", ".xlsx", ".html", ".htm", ".csv", ".docx", ".eml", ".txt"}


@dataclass
class IngestSummary:
    processed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    """(file, reason code, message)"""
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"processed: {len(self.processed)}",
            f"duplicates: {len(self.duplicates)} (already uploaded)",
            f"failed: {len(self.failed)}",
        ]
        reasons = Counter(code for _, code, _ in self.failed)
        for code, count in reasons.most_common():
            out.append(f"  {code}: {count}")
            out += [f"    {name}: {why}" for name, c, why in self.failed if c == code]
        out.append(f"rejected at upload: {len(self.rejected)}")
        out += [f"  {name}: {why}" for name, why in self.rejected]
        if self.failed:
            out.append("once the cause is fixed: tracelens reparse --failed [--reason CODE]")
        return out


def find_reports(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and report files (TRACE reports and survey exports, by suffix) under any
    folder, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in REPORT_SUFFIXES)
        else:
            found.append(path)
    return found


def ingest(
    settings: Settings,
    url: str,
    *,
    blobs: BlobStore,
    queue: JobQueue,
    paths: list[Path],
    run_worker: bool = True,
    model: ModelInService | None = None,
    progress: bool = True,
    timeout_s: float = 3600.0,
) -> IngestSummary:
    """Queue every file, then wait until each has an end state; optionally work the queue too."""
    summary = IngestSummary()
    files = find_reports(paths)
    pending: dict[int, str] = {}
    bar = tqdm(total=len(files), desc="ingesting", unit="report", disable=not progress)
    with connect(url, autocommit=True) as conn:
        for path in files:
            try:
                created = accept_file(
                    conn,
                    blobs=blobs,
                    queue=queue,
                    data=path.read_bytes(),
                    filename=path.name,
                    principal="cli",
                )
            except (TraceLensError, OSError) as exc:
                summary.rejected.append((str(path), str(exc)))
                bar.update()
                continue
            report = created.report
            if not created.created and report["status"] in ("processed", "failed"):
                summary.duplicates.append(str(path))
                bar.update()
            else:
                if not created.created:
                    summary.duplicates.append(str(path))
                pending[report["id"]] = str(path)

        _Run(settings, url, blobs, queue, run_worker, model, timeout_s).wait(
            conn, pending, summary, bar
        )
    return summary


def reparse(
    settings: Settings,
    url: str,
    *,
    blobs: BlobStore,
    queue: JobQueue,
    reason: str | None = None,
    run_worker: bool = True,
    model: ModelInService | None = None,
    progress: bool = True,
    timeout_s: float = 3600.0,
) -> IngestSummary:
    """Queue failed reports again (all, or those failed for `reason`) and wait for their end."""
    summary = IngestSummary()
    with connect(url, autocommit=True) as conn:
        with conn.transaction():
            ids = requeue_failed(conn, queue=queue, reason=reason, principal="cli")
        names = conn.execute(
            "SELECT id, filename FROM reports WHERE id = ANY(%s)", (ids,)
        ).fetchall()
        pending = {int(r["id"]): str(r["filename"]) for r in names}
        bar = tqdm(total=len(pending), desc="reparsing", unit="report", disable=not progress)
        _Run(settings, url, blobs, queue, run_worker, model, timeout_s).wait(
            conn, pending, summary, bar
        )
    return summary


@dataclass(frozen=True)
class _Run:
    """What waiting for reports needs: where they go, and whether this process works them."""

    settings: Settings
    url: str
    blobs: BlobStore
    queue: JobQueue
    run_worker: bool
    model: ModelInService | None
    """The model a table worker in this process embeds with (given when it may run)."""
    timeout_s: float

    def wait(
        self,
        conn: Conn,
        pending: dict[int, str],
        summary: IngestSummary,
        bar: tqdm,
    ) -> None:
        """Wait until every pending report has an end state, working the queue meanwhile."""
        stop = threading.Event()
        thread = None
        # Kafka workers run as their own processes (tracelens worker)
        if self.run_worker and pending and self.queue.backend == PostgresQueue.backend:
            if self.model is None:
                raise ValueError("working the queue here needs the model in service")
            thread = threading.Thread(
                target=_work,
                args=(self.settings, self.url, self.blobs, self.model, stop),
                daemon=True,
            )
            thread.start()
        try:
            _collect(conn, pending, summary, bar, time.monotonic() + self.timeout_s)
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=60)
            bar.close()
        for name in pending.values():
            summary.failed.append(
                (name, "timeout", f"not finished within {self.timeout_s:g} s; still queued")
            )


def _collect(
    conn: Conn,
    pending: dict[int, str],
    summary: IngestSummary,
    bar: tqdm,
    deadline: float,
) -> None:
    """Move reports from `pending` into the summary as they reach processed or failed."""
    while pending and time.monotonic() < deadline:
        rows = conn.execute(
            "SELECT id, status, error, error_code FROM reports WHERE id = ANY(%s)"
            " AND status IN ('processed', 'failed')",
            (list(pending),),
        ).fetchall()
        for row in rows:
            name = pending.pop(row["id"])
            if row["status"] == "processed":
                if name not in summary.duplicates:
                    summary.processed.append(name)
            else:
                code, error = row["error_code"] or "unknown", row["error"] or "unknown error"
                summary.failed.append((name, code, error))
            bar.update()
        if pending:
            time.sleep(0.2)


def _work(
    settings: Settings, url: str, blobs: BlobStore, model: ModelInService, stop: threading.Event
) -> None:
    # The table queue holds no state: the worker takes jobs through a handle of its own.
    worker = Worker(
        settings=settings, url=url, blobs=blobs, queue=PostgresQueue(), model=model, stop=stop
    )
    try:
        worker.run()
    finally:
        worker.close()
