"""Writing parsed reports: each report is kept as a source, and its section is re-merged.

A section is keyed by (course, term, section). Storing a report records its parse in
`report_sources` and rebuilds the section tables as the merge of every source of that section
(`ingestion.merge`), keeping comment ids stable where a comment is unchanged, so vectors and
theme tags survive and storing the same report twice changes nothing. Removing a source
(deleting its report) re-merges what is left, and drops the section when nothing is.
"""

from __future__ import annotations

from psycopg.types.json import Json, Jsonb

from core.db import Conn
from core.report import DISTRIBUTION_KEYS, ParsedReport
from ingestion.audit import WORKER, record
from ingestion.identity import resolve_instructor
from ingestion.merge import Conflict, MergedSection, Source, merge


def store_report(conn: Conn, *, report_id: int, parsed: ParsedReport) -> int:
    """Keep `parsed` as report `report_id`'s source and re-merge its section; returns its id.

    A survey export is a section of its own (source_type `survey`, keyed also by its title),
    beside the TRACE section of its course and term; its title never renames the course.
    """
    survey = parsed.source_type == "survey"
    course_id = _one(
        conn,
        "INSERT INTO courses (subject, number, title) VALUES (%s, %s, %s)"
        " ON CONFLICT (subject, number) DO UPDATE SET title = "
        + ("courses.title" if survey else "EXCLUDED.title")
        + " RETURNING id",
        (
            parsed.course.subject,
            parsed.course.number,
            parsed.course.code if survey else parsed.course.title,
        ),
    )
    term = parsed.term
    term_id = _one(
        conn,
        "INSERT INTO terms (label, season, year, sort_key) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (label) DO UPDATE SET label = EXCLUDED.label RETURNING id",
        (term.label, term.season, term.year, term.sort_key),
    )
    # The upsert locks the section row: reports of one section are merged one at a time.
    section_id = _one(
        conn,
        "INSERT INTO sections (course_id, term_id, section, title, report_id, source_type,"
        " survey_key) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (course_id, term_id, section, source_type, survey_key)"
        " DO UPDATE SET course_id = EXCLUDED.course_id RETURNING id",
        (
            course_id,
            term_id,
            parsed.course.section,
            parsed.course.title,
            report_id,
            parsed.source_type,
            survey_key(parsed.course.title) if survey else "",
        ),
    )
    before = conn.execute(
        "SELECT section_id FROM report_sources WHERE report_id = %s", (report_id,)
    ).fetchone()
    conn.execute(
        "INSERT INTO report_sources (report_id, section_id, parsed) VALUES (%s, %s, %s)"
        " ON CONFLICT (report_id) DO UPDATE SET section_id = EXCLUDED.section_id,"
        " parsed = EXCLUDED.parsed, stored_at = now()",
        (report_id, section_id, Json(parsed.model_dump(mode="json"))),
    )
    remerge_section(conn, section_id=section_id)
    if before is not None and before["section_id"] != section_id:
        remerge_section(conn, section_id=int(before["section_id"]))
    return section_id


def survey_key(title: str) -> str:
    """What tells two surveys of one course and term apart: their title, case and spacing aside."""
    return " ".join(title.lower().split())


def remerge_section(conn: Conn, *, section_id: int) -> None:
    """Rebuild a section's tables from its sources; delete it when none is left."""
    rows = conn.execute(
        "SELECT report_id, parsed FROM report_sources WHERE section_id = %s ORDER BY report_id",
        (section_id,),
    ).fetchall()
    if not rows:
        conn.execute("DELETE FROM sections WHERE id = %s", (section_id,))
        return
    merged = merge(
        [Source(int(r["report_id"]), ParsedReport.model_validate(r["parsed"])) for r in rows]
    )
    course = conn.execute(
        "SELECT c.subject FROM sections s JOIN courses c ON c.id = s.course_id WHERE s.id = %s",
        (section_id,),
    ).fetchone()
    assert course is not None
    header = merged.header
    conn.execute(
        "UPDATE sections SET title = %s, crn = %s, enrollment = %s,"
        " responses_incl_declines = %s, declines = %s, report_id = %s, sources = %s"
        " WHERE id = %s",
        (
            header["title"].value,
            header["crn"].value,
            header["enrollment"].value,
            header["responses_incl_declines"].value,
            header["declines"].value,
            merged.newest,
            Jsonb({k: v.source for k, v in header.items() if v.source is not None}),
            section_id,
        ),
    )
    _store_instructors(conn, section_id, merged, str(course["subject"]))
    _store_scores(conn, section_id, merged)
    _store_frequencies(conn, section_id, merged)
    _store_comments(conn, section_id, merged)
    _store_conflicts(conn, section_id, merged.conflicts)


def _one(conn: Conn, sql: str, params: tuple[object, ...]) -> int:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row["id"])


def _store_instructors(conn: Conn, section_id: int, merged: MergedSection, subject: str) -> None:
    conn.execute("DELETE FROM section_instructors WHERE section_id = %s", (section_id,))
    for position, person in enumerate(merged.instructors):
        instructor_id = resolve_instructor(conn, person=person, subject=subject)
        conn.execute(
            "INSERT INTO section_instructors (section_id, instructor_id, position)"
            " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (section_id, instructor_id, position),
        )


def _store_scores(conn: Conn, section_id: int, merged: MergedSection) -> None:
    conn.execute("DELETE FROM question_scores WHERE section_id = %s", (section_id,))
    rows = []
    for position, q in enumerate(merged.questions):
        v = {name: picked.value for name, picked in q.values.items()}
        question_id = _one(
            conn,
            "INSERT INTO questions (text, heading) VALUES (%s, %s) ON CONFLICT (text)"
            " DO UPDATE SET heading = coalesce(questions.heading, EXCLUDED.heading) RETURNING id",
            (q.text, v["section"]),
        )
        dist = v["distribution"] or {}
        sources = {k: p.source for k, p in q.values.items() if p.source is not None}
        rows.append(
            (
                section_id,
                question_id,
                position,
                v["section"],
                v["responses"],
                v["response_rate"],
                v["course_mean"],
                v["dept_mean"],
                v["univ_mean"],
                v["course_median"],
                v["dept_median"],
                v["univ_median"],
                v["std_dev"],
                *(dist.get(key) for key in DISTRIBUTION_KEYS),
                Jsonb(sources),
            )
        )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO question_scores (section_id, question_id, position, heading, responses,"
            " response_rate, course_mean, dept_mean, univ_mean, course_median, dept_median,"
            " univ_median, std_dev, dist_5, dist_4, dist_3, dist_2, dist_1, dist_na, sources)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s) ON CONFLICT (section_id, question_id) DO NOTHING",
            rows,
        )


def _store_frequencies(conn: Conn, section_id: int, merged: MergedSection) -> None:
    conn.execute("DELETE FROM frequency_counts WHERE section_id = %s", (section_id,))
    positions: dict[str, int] = {}
    rows = []
    for prompt, label, picked in merged.frequencies:
        position = positions[prompt] = positions.get(prompt, -1) + 1
        rows.append((section_id, prompt, label, position, picked.value, picked.source))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO frequency_counts (section_id, prompt, bin, position, count, report_id)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            rows,
        )


def _store_comments(conn: Conn, section_id: int, merged: MergedSection) -> None:
    rows = [
        (section_id, prompt, number, picked.value, picked.source)
        for prompt, number, picked in merged.comments
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO comments (section_id, prompt, number, text, report_id)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (section_id, prompt, number)"
            " DO UPDATE SET text = EXCLUDED.text, report_id = EXCLUDED.report_id"
            " WHERE comments.redacted_at IS NULL AND (comments.text, comments.report_id)"
            " IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.report_id)",  # a redaction sticks
            rows,
        )
    keep = [[p for p, _, _ in merged.comments], [n for _, n, _ in merged.comments]]
    conn.execute(
        "DELETE FROM comments WHERE section_id = %s AND (prompt, number) NOT IN"
        " (SELECT * FROM unnest(%s::text[], %s::int[]))",
        (section_id, *keep),
    )


def _store_conflicts(conn: Conn, section_id: int, conflicts: list[Conflict]) -> None:
    """Replace the section's conflicts; a conflict not seen before goes to the audit log."""
    known = {
        (r["item"], r["field"])
        for r in conn.execute(
            "SELECT item, field FROM section_conflicts WHERE section_id = %s", (section_id,)
        ).fetchall()
    }
    conn.execute("DELETE FROM section_conflicts WHERE section_id = %s", (section_id,))
    for c in conflicts:
        values = [{"report_id": rid, "value": value} for rid, value in c.values]
        conn.execute(
            'INSERT INTO section_conflicts (section_id, item, field, "values")'
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (section_id, c.item, c.field, Jsonb(values)),
        )
        if (c.item, c.field) not in known:
            record(
                conn,
                principal=WORKER,
                action="conflict",
                report_id=c.values[0][0],
                section_id=section_id,
                details={"item": c.item, "field": c.field, "values": values},
            )
