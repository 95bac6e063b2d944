"""Read functions over what the reports held: courses, their sections and scores, instructors."""

from __future__ import annotations

from typing import Any

from core.db import Conn, like_escape
from core.errors import NotFound
from core.report import normalize_code
from ingestion.identity import aliases

_SECTIONS = """
SELECT s.id, s.source_type, c.code AS course_code, s.title, s.section, s.crn, t.label AS term,
       t.season, t.year, s.enrollment, s.responses_incl_declines, s.declines,
       s.report_id, s.sources,
       (SELECT coalesce(json_agg(rs.report_id ORDER BY rs.report_id), '[]'::json)
          FROM report_sources rs WHERE rs.section_id = s.id) AS reports,
       (SELECT coalesce(json_agg(json_build_object('item', k.item, 'field', k.field,
                                                  'values', k."values") ORDER BY k.item, k.field),
                        '[]'::json)
          FROM section_conflicts k WHERE k.section_id = s.id) AS conflicts,
       (SELECT coalesce(json_agg(json_build_object('id', i.id, 'last', i.last_name,
                                                  'first', i.first_name) ORDER BY si.position),
                        '[]'::json)
          FROM section_instructors si JOIN instructors i ON i.id = si.instructor_id
         WHERE si.section_id = s.id) AS instructors
  FROM sections s JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id
"""


def list_courses(
    conn: Conn, *, subject: str | None = None, q: str | None = None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where, params = [], []
    if subject:
        where.append("c.subject = %s")
        params.append(subject.upper())
    if q:
        where.append("(c.code ILIKE %s OR c.title ILIKE %s)")
        params += [f"%{like_escape(normalize_code(q))}%", f"%{like_escape(q)}%"]
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    rows = conn.execute(
        "SELECT c.code, c.subject, c.number, c.title, count(s.id) AS sections,"
        " count(DISTINCT s.term_id) AS terms FROM courses c"
        " LEFT JOIN sections s ON s.course_id = c.id" + clause + " GROUP BY c.id"
        " ORDER BY c.code LIMIT %s OFFSET %s",
        [*params, limit, offset],
    ).fetchall()
    total = conn.execute("SELECT count(*) AS n FROM courses c" + clause, params).fetchone()
    return [dict(r) for r in rows], int(total["n"]) if total else 0


def get_course(conn: Conn, *, code: str) -> dict[str, Any]:
    """A course with every section (term, instructors) and each section's scores."""
    course = conn.execute(
        "SELECT id, code, subject, number, title FROM courses WHERE code = %s",
        (normalize_code(code),),
    ).fetchone()
    if course is None:
        raise NotFound(f"no course {code!r}")
    sections = conn.execute(
        _SECTIONS + " WHERE s.course_id = %s ORDER BY t.sort_key DESC, s.section",
        (course["id"],),
    ).fetchall()
    scores = _scores(conn, [s["id"] for s in sections])
    result = {k: v for k, v in course.items() if k != "id"}
    result["sections"] = [{**s, "scores": scores.get(s["id"], [])} for s in sections]
    result["terms"] = sorted({s["term"] for s in sections})
    result["instructors"] = _distinct_instructors(sections)
    return result


def _scores(conn: Conn, section_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = conn.execute(
        "SELECT qs.section_id, q.text AS question, qs.heading, qs.responses,"
        " qs.response_rate::float8, qs.course_mean::float8, qs.dept_mean::float8,"
        " qs.univ_mean::float8, qs.course_median::float8, qs.dept_median::float8,"
        " qs.univ_median::float8, qs.std_dev::float8, qs.sources,"
        " CASE WHEN qs.dist_5 IS NULL THEN NULL ELSE json_build_object('5', qs.dist_5,"
        " '4', qs.dist_4, '3', qs.dist_3, '2', qs.dist_2, '1', qs.dist_1, 'na', qs.dist_na)"
        " END AS distribution"
        " FROM question_scores qs JOIN questions q ON q.id = qs.question_id"
        " WHERE qs.section_id = ANY(%s) ORDER BY qs.section_id, qs.position",
        (section_ids,),
    ).fetchall()
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row.pop("section_id"), []).append(row)
    return grouped


def _distinct_instructors(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for section in sections:
        for person in section["instructors"]:
            seen.setdefault(person["id"], person)
    return sorted(seen.values(), key=lambda p: (p["last"], p["first"]))


def list_instructors(
    conn: Conn, *, q: str | None = None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    clause, params = "", []
    if q:
        clause = " WHERE (i.last_name || ', ' || i.first_name) ILIKE %s"
        params.append(f"%{like_escape(q)}%")
    rows = conn.execute(
        "SELECT i.id, i.last_name AS last, i.first_name AS first,"
        " count(si.section_id) AS sections FROM instructors i"
        " LEFT JOIN section_instructors si ON si.instructor_id = i.id" + clause + " GROUP BY i.id"
        " ORDER BY i.last_name, i.first_name LIMIT %s OFFSET %s",
        [*params, limit, offset],
    ).fetchall()
    total = conn.execute("SELECT count(*) AS n FROM instructors i" + clause, params).fetchone()
    return [dict(r) for r in rows], int(total["n"]) if total else 0


def get_instructor(conn: Conn, *, instructor_id: int) -> dict[str, Any]:
    """An instructor with every section they taught and its scores."""
    person = conn.execute(
        "SELECT id, last_name AS last, first_name AS first FROM instructors WHERE id = %s",
        (instructor_id,),
    ).fetchone()
    if person is None:
        raise NotFound(f"no instructor with id {instructor_id}")
    sections = conn.execute(
        _SECTIONS + " WHERE s.id IN (SELECT section_id FROM section_instructors"
        " WHERE instructor_id = %s) ORDER BY t.sort_key DESC, c.code, s.section",
        (instructor_id,),
    ).fetchall()
    scores = _scores(conn, [s["id"] for s in sections])
    return {
        **person,
        "aliases": aliases(conn, instructor_id=instructor_id),
        "sections": [{**s, "scores": scores.get(s["id"], [])} for s in sections],
    }
