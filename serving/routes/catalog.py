"""What the reports held: courses, sections, scores and instructors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from ingestion.catalog import get_course, get_instructor, list_courses, list_instructors
from serving.deps import ConnDep, PrincipalDep
from serving.limits import MAX_OFFSET

router = APIRouter(prefix="/v1", tags=["catalog"])


@router.get("/courses")
def read_courses(
    conn: ConnDep,
    principal: PrincipalDep,
    subject: str | None = None,
    q: str | None = Query(None, max_length=200, description="Matches course code or title"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    items, total = list_courses(conn, subject=subject, q=q, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/courses/{code}")
def read_course(code: str, conn: ConnDep, principal: PrincipalDep) -> dict[str, Any]:
    """A course's sections, terms, instructors and per-question scores."""
    return get_course(conn, code=code)


@router.get("/instructors")
def read_instructors(
    conn: ConnDep,
    principal: PrincipalDep,
    q: str | None = Query(None, max_length=200, description="Matches 'Last, First'"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    items, total = list_instructors(conn, q=q, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/instructors/{instructor_id}")
def read_instructor(instructor_id: int, conn: ConnDep, principal: PrincipalDep) -> dict[str, Any]:
    return get_instructor(conn, instructor_id=instructor_id)
