"""Batch loading: a term's worth of downloads through the same validation, queue and worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from core.blobs import BlobStore
from core.db import connect
from core.errors import TraceLensError
from core.settings import Settings
from ingestion.intake import accept_file
from ingestion.queue import JobQueue
from ingestion.worker import Worker

REPORT_SUFFIXES = {".pdf", ".xlsx"}


@dataclass
class IngestSummary:
    processed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"processed: {len(self.processed)}",
            f"duplicates: {len(self.duplicates)} (already uploaded)",
            f"failed: {len(self.failed)}",
        ]
        out += [f"  {name}: {why}" for name, why in self.failed]
        out.append(f"rejected at upload: {len(self.rejected)}")
        out += [f"  {name}: {why}" for name, why in self.rejected]
        return out


def find_reports(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and report files (.pdf, .xlsx) under any folder, in a stable order."""
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
                    conn, blobs=blobs, queue=queue, data=path.read_bytes(), filename=path.name
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

        stop = threading.Event()
        thread = None
        if run_worker and pending and settings.queue_backend == "kafka":
            run_worker = False  # Kafka workers run as their own processes (tracelens worker)
        if run_worker and pending:
            thread = threading.Thread(
                target=_work, args=(settings, url, blobs, queue, stop), daemon=True
            )
            thread.start()
        deadline = time.monotonic() + timeout_s
        try:
            while pending and time.monotonic() < deadline:
                rows = conn.execute(
                    "SELECT id, status, error FROM reports WHERE id = ANY(%s)"
                    " AND status IN ('processed', 'failed')",
                    (list(pending),),
                ).fetchall()
                for row in rows:
                    name = pending.pop(row["id"])
                    if row["status"] == "processed":
                        if name not in summary.duplicates:
                            summary.processed.append(name)
                    else:
                        summary.failed.append((name, row["error"] or "unknown error"))
                    bar.update()
                if pending:
                    time.sleep(0.2)
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=60)
            bar.close()
    for name in pending.values():
        summary.failed.append((name, f"not finished within {timeout_s:g} s; still queued"))
    return summary


def _work(
    settings: Settings, url: str, blobs: BlobStore, queue: JobQueue, stop: threading.Event
) -> None:
    worker = Worker(settings=settings, url=url, blobs=blobs, queue=queue, stop=stop)
    try:
        worker.run()
    finally:
        worker.close()
