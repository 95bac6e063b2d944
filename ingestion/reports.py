"""Data functions for report rows: create with their job, read, list, retry (deletion is
ingestion.deletion)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.db import Conn
from core.errors import Conflict, NotFound
from ingestion.audit import record
from ingestion.parsers.survey import UploadFields
from ingestion.queue import JobQueue

_SUMMARY = """
SELECT r.id, r.sha256, r.filename, r.media_type, r.size_bytes, r.layout, r.status, r.error,
       r.form_course, r.form_term, r.form_title, s.source_type,
       r.error_code, r.attempts, r.warnings, r.embedded_comments, r.embedding_space,
       r.created_at, r.updated_at, r.started_at, r.finished_at, r.file_removed_at,
       s.id AS section_id, c.code AS course_code, s.section, s.title, t.label AS term,
       s.crn, s.enrollment, s.responses_incl_declines, s.declines,
       json_array_length(rs.parsed->'questions') AS questions,
       json_array_length(rs.parsed->'comments') AS comments,
       (SELECT count(*) FROM report_sources o WHERE o.section_id = s.id) AS sources,
       (SELECT count(*) FROM section_conflicts k WHERE k.section_id = s.id) AS conflicts,
       (SELECT coalesce(json_agg(json_build_object('id', i.id, 'last', i.last_name,
                                                  'first', i.first_name) ORDER BY si.position),
                        '[]'::json)
          FROM section_instructors si JOIN instructors i ON i.id = si.instructor_id
         WHERE si.section_id = s.id) AS instructors
  FROM reports r
  LEFT JOIN report_sources rs ON rs.report_id = r.id
  LEFT JOIN sections s ON s.id = rs.section_id
  LEFT JOIN courses c ON c.id = s.course_id
  LEFT JOIN terms t ON t.id = s.term_id
"""


@dataclass(frozen=True)
class Created:
    report: dict[str, Any]
    created: bool


def create_report(
    conn: Conn,
    *,
    queue: JobQueue,
    sha256: str,
    filename: str,
    media_type: str,
    size_bytes: int,
    fields: UploadFields | None = None,
) -> Created:
    """Insert the report row and its job in one transaction; same bytes return the existing row
    (whatever form fields came with them this time)."""
    fields = fields or UploadFields()
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO reports (sha256, filename, media_type, size_bytes, form_course,"
            " form_term, form_title) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (sha256) DO NOTHING RETURNING id",
            (
                sha256,
                filename,
                media_type,
                size_bytes,
                fields.course,
                fields.term,
                fields.title,
            ),
        ).fetchone()
        if row is not None:
            queue.enqueue(conn, report_id=row["id"])
            return Created(report=get_report(conn, report_id=row["id"]), created=True)
    existing = conn.execute("SELECT id FROM reports WHERE sha256 = %s", (sha256,)).fetchone()
    if existing is None:  # deleted between the two statements
        raise NotFound(f"report with sha256 {sha256} vanished while uploading; retry")
    return Created(report=get_report(conn, report_id=existing["id"]), created=False)


_UPLOADED_BY = (
    "EXISTS (SELECT 1 FROM audit_log a WHERE a.report_id = r.id AND a.action = 'upload'"
    " AND a.principal = %s)"
)
"""The reports a principal uploaded (what an uploader may see the status of)."""


def get_report(conn: Conn, *, report_id: int, uploaded_by: str | None = None) -> dict[str, Any]:
    """A report's summary; NotFound also when `uploaded_by` is given and did not upload it."""
    mine = "" if uploaded_by is None else " AND " + _UPLOADED_BY
    params = [report_id] if uploaded_by is None else [report_id, uploaded_by]
    row = conn.execute(_SUMMARY + " WHERE r.id = %s" + mine, params).fetchone()
    if row is None:
        raise NotFound(f"no report with id {report_id}")
    return dict(row)


def list_reports(
    conn: Conn,
    *,
    status: str | None = None,
    course: str | None = None,
    term: str | None = None,
    reason: str | None = None,
    source: str | None = None,
    uploaded_by: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of reports, newest first, and the total that match the filters (`source`:
    `trace` or `survey`, the kind of section a processed report describes; `uploaded_by`: the
    reports that principal uploaded)."""
    where, params = _filters(status=status, course=course, term=term, reason=reason, source=source)
    if uploaded_by is not None:
        where += (" AND " if where else " WHERE ") + _UPLOADED_BY
        params.append(uploaded_by)
    rows = conn.execute(
        _SUMMARY + where + " ORDER BY r.id DESC LIMIT %s OFFSET %s", [*params, limit, offset]
    ).fetchall()
    total = conn.execute(
        "SELECT count(*) AS n FROM reports r LEFT JOIN report_sources rs ON rs.report_id = r.id"
        " LEFT JOIN sections s ON s.id = rs.section_id"
        " LEFT JOIN courses c ON c.id = s.course_id LEFT JOIN terms t ON t.id = s.term_id" + where,
        params,
    ).fetchone()
    return [dict(r) for r in rows], int(total["n"]) if total else 0


def _filters(**values: str | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    columns = {
        "status": "r.status",
        "course": "c.code",
        "term": "t.label",
        "reason": "r.error_code",
        "source": "s.source_type",
    }
    for name, value in values.items():
        if value is not None:
            clauses.append(f"{columns[name]} = %s")
            params.append(value.upper().replace(" ", "") if name == "course" else value)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def retry_report(conn: Conn, *, queue: JobQueue, report_id: int, principal: str) -> dict[str, Any]:
    """Queue a failed report again (after a parser upgrade); Conflict unless it failed."""
    with conn.transaction():
        row = conn.execute(
            "SELECT status FROM reports WHERE id = %s FOR UPDATE", (report_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no report with id {report_id}")
        if row["status"] != "failed":
            raise Conflict(
                f"report {report_id} is {row['status']}; only failed reports are retried"
            )
        requeue_failed(conn, queue=queue, report_ids=[report_id], principal=principal)
    return get_report(conn, report_id=report_id)


def requeue_failed(
    conn: Conn,
    *,
    queue: JobQueue,
    principal: str,
    report_ids: list[int] | None = None,
    reason: str | None = None,
) -> list[int]:
    """Reset failed reports (all, these ids, or those failed for `reason`) to queued and enqueue
    them, in the caller's transaction; returns their ids."""
    rows = conn.execute(
        "UPDATE reports SET status = 'queued', error = NULL, error_code = NULL, attempts = 0,"
        " warnings = '[]'::jsonb, started_at = NULL, finished_at = NULL, updated_at = now()"
        " WHERE status = 'failed' AND (%(ids)s::bigint[] IS NULL OR id = ANY(%(ids)s))"
        " AND (%(reason)s::text IS NULL OR error_code = %(reason)s) RETURNING id",
        {"ids": report_ids, "reason": reason},
    ).fetchall()
    ids = sorted(int(r["id"]) for r in rows)
    for report_id in ids:
        queue.enqueue(conn, report_id=report_id)
        record(conn, principal=principal, action="retry", report_id=report_id)
    return ids
