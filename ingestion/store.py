"""Writing a parsed report into the catalogue tables, idempotently.

A section is keyed by (course, term, section). Storing a report replaces what the section held
(scores, frequencies, instructors) and keeps comment ids stable where the comment is unchanged,
so processing the same report twice changes nothing.
"""

from __future__ import annotations

from core.db import Conn
from core.report import DISTRIBUTION_KEYS, ParsedReport


def store_report(conn: Conn, *, report_id: int, parsed: ParsedReport) -> int:
    """Upsert everything `parsed` holds for its section; returns the section id."""
    course_id = _one(
        conn,
        "INSERT INTO courses (subject, number, title) VALUES (%s, %s, %s)"
        " ON CONFLICT (subject, number) DO UPDATE SET title = EXCLUDED.title RETURNING id",
        (parsed.course.subject, parsed.course.number, parsed.course.title),
    )
    term = parsed.term
    term_id = _one(
        conn,
        "INSERT INTO terms (label, season, year, sort_key) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (label) DO UPDATE SET label = EXCLUDED.label RETURNING id",
        (term.label, term.season, term.year, term.sort_key),
    )
    section_id = _one(
        conn,
        "INSERT INTO sections (course_id, term_id, section, crn, title, enrollment,"
        " responses_incl_declines, declines, report_id)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (course_id, term_id, section) DO UPDATE SET crn = EXCLUDED.crn,"
        " title = EXCLUDED.title, enrollment = EXCLUDED.enrollment,"
        " responses_incl_declines = EXCLUDED.responses_incl_declines,"
        " declines = EXCLUDED.declines, report_id = EXCLUDED.report_id RETURNING id",
        (
            course_id,
            term_id,
            parsed.course.section,
            parsed.course.crn,
            parsed.course.title,
            parsed.enrollment,
            parsed.responses_incl_declines,
            parsed.declines,
            report_id,
        ),
    )
    _store_instructors(conn, section_id, parsed)
    _store_scores(conn, section_id, parsed)
    _store_frequencies(conn, section_id, parsed)
    _store_comments(conn, section_id, parsed)
    return section_id


def _one(conn: Conn, sql: str, params: tuple[object, ...]) -> int:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row["id"])


def _store_instructors(conn: Conn, section_id: int, parsed: ParsedReport) -> None:
    conn.execute("DELETE FROM section_instructors WHERE section_id = %s", (section_id,))
    for position, person in enumerate(parsed.instructors):
        instructor_id = _one(
            conn,
            "INSERT INTO instructors (last_name, first_name) VALUES (%s, %s)"
            " ON CONFLICT (last_name, first_name) DO UPDATE SET last_name = EXCLUDED.last_name"
            " RETURNING id",
            (person.last, person.first),
        )
        conn.execute(
            "INSERT INTO section_instructors (section_id, instructor_id, position)"
            " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (section_id, instructor_id, position),
        )


def _store_scores(conn: Conn, section_id: int, parsed: ParsedReport) -> None:
    conn.execute("DELETE FROM question_scores WHERE section_id = %s", (section_id,))
    rows = []
    for position, q in enumerate(parsed.questions):
        question_id = _one(
            conn,
            "INSERT INTO questions (text, heading) VALUES (%s, %s) ON CONFLICT (text)"
            " DO UPDATE SET heading = coalesce(questions.heading, EXCLUDED.heading) RETURNING id",
            (q.text, q.section),
        )
        dist = q.distribution or {}
        rows.append(
            (
                section_id,
                question_id,
                position,
                q.section,
                q.responses,
                q.response_rate,
                q.course_mean,
                q.dept_mean,
                q.univ_mean,
                q.course_median,
                q.dept_median,
                q.univ_median,
                q.std_dev,
                *(dist.get(key) for key in DISTRIBUTION_KEYS),
            )
        )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO question_scores (section_id, question_id, position, heading, responses,"
            " response_rate, course_mean, dept_mean, univ_mean, course_median, dept_median,"
            " univ_median, std_dev, dist_5, dist_4, dist_3, dist_2, dist_1, dist_na)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (section_id, question_id) DO NOTHING",
            rows,
        )


def _store_frequencies(conn: Conn, section_id: int, parsed: ParsedReport) -> None:
    conn.execute("DELETE FROM frequency_counts WHERE section_id = %s", (section_id,))
    rows = [
        (section_id, block.text, label, position, count)
        for block in parsed.frequencies
        for position, (label, count) in enumerate(block.bins.items())
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO frequency_counts (section_id, prompt, bin, position, count)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            rows,
        )


def _store_comments(conn: Conn, section_id: int, parsed: ParsedReport) -> None:
    rows = [(section_id, c.prompt, c.number, c.text) for c in parsed.comments]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO comments (section_id, prompt, number, text) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (section_id, prompt, number) DO UPDATE SET text = EXCLUDED.text"
            " WHERE comments.text IS DISTINCT FROM EXCLUDED.text",
            rows,
        )
    keep = [[c.prompt for c in parsed.comments], [c.number for c in parsed.comments]]
    conn.execute(
        "DELETE FROM comments WHERE section_id = %s AND (prompt, number) NOT IN"
        " (SELECT * FROM unnest(%s::text[], %s::int[]))",
        (section_id, *keep),
    )
