"""Read models for the course and instructor dashboards, aggregated in SQL like the answers are.

The catalog endpoints return each section's raw scores; a dashboard needs them combined the way
`/v1/ask` combines them (means weighted by responses, rounded to the two decimals the reports
print), so the charts and the chat never disagree and the UI derives no statistics of its own.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from psycopg import sql

from core.auth.access import EVERYTHING, Access
from core.db import Conn
from core.errors import NotFound
from core.report import normalize_code
from enrichment.theme_definitions import GENERAL
from rag.answer.analytics.means import score_means
from rag.answer.qualitative import scope_counts, stored_theme_summary, stored_tones
from rag.search.filters import SearchFilters

WEIGHTED = "Σ mean·responses / Σ responses over sections (weighted by responses)"


def _midpoint_mean(bins: list[dict[str, Any]]) -> float | None:
    """Mean hours from bin midpoints ("5-8" counts as 6.5), as rag.answer.analytics estimates it."""
    total, weighted = 0, Decimal(0)
    for item in bins:
        low, _, high = str(item["bin"]).partition("-")
        if not (low.isdigit() and high.isdigit()):
            continue
        total += item["count"]
        weighted += (Decimal(low) + Decimal(high)) / 2 * item["count"]
    if not total:
        return None
    return float((weighted / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def frequencies(conn: Conn, *, course_id: int) -> list[dict[str, Any]]:
    """Each frequency prompt (hours per week) with its bins summed over the course's sections."""
    rows = conn.execute(
        "SELECT fc.prompt, fc.bin, min(fc.position) AS position, sum(fc.count)::int AS count,"
        " count(DISTINCT fc.section_id) AS sections FROM frequency_counts fc"
        " JOIN sections s ON s.id = fc.section_id"
        " WHERE s.course_id = %s AND s.source_type = 'trace'"
        " GROUP BY fc.prompt, fc.bin ORDER BY fc.prompt, position, fc.bin",
        (course_id,),
    ).fetchall()
    prompts: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        prompts.setdefault(row["prompt"], []).append(
            {"bin": row["bin"], "count": row["count"], "sections": row["sections"]}
        )
    return [
        {
            "prompt": prompt,
            "bins": [{"bin": b["bin"], "count": b["count"]} for b in bins],
            "n": sum(b["count"] for b in bins),
            "sections": max(b["sections"] for b in bins),
            "estimated_mean": _midpoint_mean(bins),
        }
        for prompt, bins in prompts.items()
    ]


def comment_themes(
    conn: Conn, *, filters: SearchFilters, top: int = 8, access: Access = EVERYTHING
) -> dict[str, Any]:
    """The most frequent themes of the scope's comments with their tone, and the tone mix.

    Read from the themes stored per comment by the worker (or `tracelens themes backfill`);
    a read writes nothing, so comments without stored themes are left out and said so.
    """
    counts = scope_counts(conn, filters=filters, access=access)
    themes = stored_theme_summary(
        conn, filters=filters, asked=GENERAL, of=counts.tagged, access=access
    )
    tones = stored_tones(conn, filters=filters, access=access)
    return {
        "comments": counts.total,
        "counted": counts.tagged,
        "sampled": counts.tagged < counts.total,
        "stale": counts.tagged - counts.current,
        "themes": [t.model_dump() for t in themes][:top],
        "tones": tones,
    }


def _course(conn: Conn, *, code: str) -> dict[str, Any]:
    course = conn.execute(
        "SELECT c.id, c.code, c.subject, c.number, c.title,"
        " count(s.id) FILTER (WHERE s.source_type = 'trace') AS sections,"
        " count(DISTINCT s.term_id) FILTER (WHERE s.source_type = 'trace') AS terms,"
        " count(s.id) FILTER (WHERE s.source_type = 'survey') AS surveys"
        " FROM courses c LEFT JOIN sections s ON s.course_id = c.id WHERE c.code = %s"
        " GROUP BY c.id",
        (normalize_code(code),),
    ).fetchone()
    if course is None:
        raise NotFound(f"no course {code!r}")
    return course


def course_dashboard(conn: Conn, *, code: str) -> dict[str, Any]:
    """A course's question means against dept/univ, its trend by term and section, and hours."""
    course = _course(conn, code=code)
    course_id = course.pop("id")
    where, params = sql.SQL("s.course_id = %s AND s.source_type = 'trace'"), [course_id]
    by_section = score_means(
        conn, where=where, params=params, by=("sort_key", "term", "section", "question")
    )
    return {
        **course,
        "method": WEIGHTED,
        "questions": score_means(conn, where=where, params=params, by=("question",)),
        "by_term": score_means(
            conn, where=where, params=params, by=("sort_key", "term", "question")
        ),
        "by_section": [{k: v for k, v in r.items() if k != "distribution"} for r in by_section],
        "frequencies": frequencies(conn, course_id=course_id),
    }


def course_themes(conn: Conn, *, code: str, access: Access = EVERYTHING) -> dict[str, Any]:
    """The course's comment themes and tone, from the stored tags (a read: nothing is tagged),
    over the comments `access` may read."""
    course = _course(conn, code=code)
    themes = comment_themes(conn, filters=SearchFilters(course=course["code"]), access=access)
    return {"code": course["code"], **themes}


def instructor_dashboard(conn: Conn, *, instructor_id: int) -> dict[str, Any]:
    """An instructor's question means overall and per course and term (weighted by responses)."""
    person = conn.execute(
        "SELECT i.id, i.last_name AS last, i.first_name AS first,"
        " count(si.section_id) AS sections FROM instructors i"
        " LEFT JOIN section_instructors si ON si.instructor_id = i.id WHERE i.id = %s"
        " GROUP BY i.id",
        (instructor_id,),
    ).fetchone()
    if person is None:
        raise NotFound(f"no instructor with id {instructor_id}")
    where = sql.SQL(
        "s.source_type = 'trace' AND EXISTS (SELECT 1 FROM section_instructors si"
        " WHERE si.section_id = s.id AND si.instructor_id = %s)"
    )
    params: list[Any] = [instructor_id]
    return {
        **person,
        "method": WEIGHTED,
        "questions": score_means(conn, where=where, params=params, by=("question",)),
        "by_course_term": score_means(
            conn,
            where=where,
            params=params,
            by=("sort_key", "term", "course_code", "course_title", "question"),
        ),
    }
