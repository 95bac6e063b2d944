"""Accepting one report file: validate, store the bytes, write the report row and its job."""

from __future__ import annotations

from pathlib import PurePath

from core.blobs import BlobStore, sha256_hex
from core.db import Conn
from ingestion.audit import record
from ingestion.parsers.survey import UploadFields
from ingestion.queue import JobQueue
from ingestion.reports import Created, create_report
from ingestion.validation import check_upload


def safe_filename(name: str) -> str:
    """The base name only (no client paths), at most 255 characters."""
    return PurePath(name.replace("\\", "/")).name[:255] or "upload"


def accept_file(
    conn: Conn,
    *,
    blobs: BlobStore,
    queue: JobQueue,
    data: bytes,
    filename: str,
    principal: str = "system",
    fields: UploadFields | None = None,
) -> Created:
    """Validate and queue a report; raises an UploadRejected/ParseError that says why not.

    `fields` (course, term, title) describe a survey export; they go to the parser with the
    file (clean them with ingestion.parsers.survey.clean_fields first).

    The blob is written before the row, so a queued job always finds its file; a crash in
    between leaves only an unreferenced blob, never a job without a file. The same bytes as a
    report whose file a redaction removed are a duplicate, and their blob goes again.
    """
    checked = check_upload(data)
    sha256 = sha256_hex(data)
    blobs.put(data)
    with conn.transaction():
        created = create_report(
            conn,
            queue=queue,
            sha256=sha256,
            filename=safe_filename(filename),
            media_type=checked.media_type,
            size_bytes=len(data),
            fields=fields,
        )
        record(
            conn,
            principal=principal,
            action="upload" if created.created else "upload_duplicate",
            report_id=created.report["id"],
            details={
                "filename": safe_filename(filename),
                "sha256": created.report["sha256"],
                **(fields.given() if fields else {}),
            },
        )
        removed = (
            not created.created
            and conn.execute(
                "SELECT 1 FROM reports WHERE sha256 = %s AND file_removed_at IS NOT NULL", (sha256,)
            ).fetchone()
        )
    if removed:
        blobs.delete(sha256)
    return created
