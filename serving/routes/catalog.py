"""What the reports held: courses, sections, scores and instructors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from core.auth.access import below_minimum
from core.settings import Settings
from ingestion.catalog import get_course, get_instructor, list_courses, list_instructors
from serving.deps import ConnDep, PrincipalDep, SettingsDep
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


def _flagged(found: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Each section with `below_minimum`: fewer responses than the minimum, so its comments and
    themes are shown to admins only (its scores to everyone)."""
    found["sections"] = [
        {
            **s,
            "below_minimum": below_minimum(
                s.get("responses_incl_declines"),
                s.get("declines"),
                min_responses=settings.min_responses,
            ),
        }
        for s in found.get("sections", [])
    ]
    return found


@router.get("/courses/{code}")
def read_course(
    code: str, conn: ConnDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    """A course's sections (each flagged `below_minimum` when its comments are withheld), terms,
    instructors and per-question scores."""
    return _flagged(get_course(conn, code=code), settings)


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
def read_instructor(
    instructor_id: int, conn: ConnDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    """An instructor's sections (flagged as a course's are) and their scores."""
    return _flagged(get_instructor(conn, instructor_id=instructor_id), settings)
