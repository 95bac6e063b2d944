"""Report uploads and their status."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from ingestion.deletion import collect_blobs, delete_report
from ingestion.intake import accept_file
from ingestion.parsers.survey import clean_fields
from ingestion.reports import (
    Created,
    get_report,
    list_reports,
    retry_report,
)
from serving.auth import sees_all_reports
from serving.deps import ConnDep, PrincipalDep, ServicesDep
from serving.limits import MAX_OFFSET, check_upload_quota, rate_limited
from serving.schemas import ReportList, ReportOut, UploadAccepted
from serving.uploads import read_upload

router = APIRouter(prefix="/v1/reports", tags=["reports"])
SURVEY_FIELDS = ("course", "term", "title")

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "course": {
                            "type": "string",
                            "description": "a survey export's course, e.g. CS5800-01",
                        },
                        "term": {
                            "type": "string",
                            "description": "a survey export's term, e.g. Fall 2025",
                        },
                        "title": {"type": "string", "description": "a survey export's title"},
                    },
                }
            }
        },
    }
}


def _report_out(row: dict[str, Any], request: Request) -> ReportOut:
    return ReportOut.from_row(
        row, status_url=str(request.url_for("read_report", report_id=row["id"]))
    )


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=UploadAccepted,
    openapi_extra=_UPLOAD_BODY,
    dependencies=[
        rate_limited("upload", lambda s: s.rate_limit_upload),
        Depends(check_upload_quota),
    ],
    responses={200: {"model": UploadAccepted, "description": "Same file uploaded before"}},
)
async def upload_report(
    request: Request, response: Response, services: ServicesDep, principal: PrincipalDep
) -> UploadAccepted:
    """Accept a TRACE report (PDF, xlsx, a saved Blue HTML page) or a survey export (CSV, xlsx,
    DOCX, text, e-mail) with its optional `course`, `term` and `title`; 202 with its status
    URL, 200 if already uploaded."""
    upload = await read_upload(
        request,
        field_name="file",
        max_bytes=services.settings.max_upload_bytes,
        text_fields=SURVEY_FIELDS,
    )
    fields = clean_fields(**{name: upload.fields.get(name) for name in SURVEY_FIELDS})

    def _accept() -> Created:
        with services.pool.connection() as conn:
            return accept_file(
                conn,
                blobs=services.blobs,
                queue=services.queue,
                data=upload.data,
                filename=upload.filename,
                principal=principal.subject,
                fields=fields,
            )

    created = await run_in_threadpool(_accept)
    if not created.created:
        response.status_code = status.HTTP_200_OK
    out = _report_out(created.report, request)
    hint = None
    if out.status == "failed":
        retry = request.url_for("retry_report", report_id=out.id)
        hint = (
            "this file was uploaded before and failed; once the cause is fixed (a parser "
            f"upgrade), POST {retry} parses it again"
        )
    return UploadAccepted(
        id=out.id,
        status=out.status,
        status_url=out.status_url,
        duplicate=not created.created,
        error=out.error if out.status == "failed" else None,
        error_code=out.error_code if out.status == "failed" else None,
        hint=hint,
    )


@router.get("", response_model=ReportList)
def read_reports(
    request: Request,
    conn: ConnDep,
    principal: PrincipalDep,
    status_: Literal["queued", "processing", "processed", "failed"] | None = Query(
        None, alias="status"
    ),
    course: str | None = Query(None, max_length=40),
    term: str | None = Query(None, max_length=40),
    reason: str | None = Query(
        None, max_length=40, description="failed reports with this error_code"
    ),
    source: Literal["trace", "survey"] | None = Query(
        None, description="processed reports of TRACE sections or of survey exports"
    ),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> ReportList:
    rows, total = list_reports(
        conn,
        status=status_,
        course=course,
        term=term,
        reason=reason,
        source=source,
        uploaded_by=None if sees_all_reports(principal) else principal.subject,
        limit=limit,
        offset=offset,
    )
    return ReportList(
        items=[_report_out(r, request) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{report_id}", response_model=ReportOut, name="read_report")
def read_report(
    report_id: int, request: Request, conn: ConnDep, principal: PrincipalDep
) -> ReportOut:
    """A report's status; an uploader sees the reports they uploaded (404 for others)."""
    mine = None if sees_all_reports(principal) else principal.subject
    return _report_out(get_report(conn, report_id=report_id, uploaded_by=mine), request)


@router.post(
    "/{report_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReportOut,
    name="retry_report",
    responses={409: {"description": "The report has not failed"}},
)
def retry(
    report_id: int, request: Request, services: ServicesDep, principal: PrincipalDep
) -> ReportOut:
    """Queue a failed report again, after a parser upgrade; 409 unless it failed."""
    with services.pool.connection() as conn:
        row = retry_report(
            conn, queue=services.queue, report_id=report_id, principal=principal.subject
        )
    return _report_out(row, request)


@router.delete("/{report_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_report(report_id: int, services: ServicesDep, principal: PrincipalDep) -> Response:
    """Delete a report and whatever only it supported; its file goes after the commit."""

    def _delete() -> None:
        with services.pool.connection() as conn:
            delete_report(conn, report_id=report_id, principal=principal.subject)
            collect_blobs(conn, services.blobs)

    await run_in_threadpool(_delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
