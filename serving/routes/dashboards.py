"""Read-only aggregates for the UI's course and instructor dashboards."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from rag.answer.dashboards import course_dashboard, course_themes, instructor_dashboard
from serving.deps import ConnDep, PrincipalDep, SettingsDep

router = APIRouter(prefix="/v1/dashboards", tags=["dashboards"])


@router.get("/courses/{code}")
def read_course_dashboard(code: str, conn: ConnDep, principal: PrincipalDep) -> dict[str, Any]:
    """Per question: the course's weighted mean against dept/univ means and its distribution;
    the same by term and by section; hours per week."""
    return course_dashboard(conn, code=code)


@router.get("/courses/{code}/themes")
def read_course_themes(
    code: str, conn: ConnDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    """The most frequent themes of the course's comments with their tone, and how many comments
    are of each tone (from the themes stored per comment; a read tags nothing)."""
    return course_themes(conn, code=code, access=principal.access(settings))


@router.get("/instructors/{instructor_id}")
def read_instructor_dashboard(
    instructor_id: int, conn: ConnDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Per question, overall and per course and term: the instructor's weighted means."""
    return instructor_dashboard(conn, instructor_id=instructor_id)
