"""Writing parsed reports: each report is kept as a source, and its section is re-merged.

A section is keyed by (course, term, section). Storing a report records its parse in
`report_sources` and rebuilds the section tables as the merge of every source of that section
(`ingestion.merge`), keeping comment ids stable where a comment is unchanged, so vectors and
theme tags survive and storing the same report twice changes nothing. Removing a source
(deleting its report) re-merges what is left, and drops the section when nothing is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg.types.json import Json, Jsonb

from core.db import Conn
from core.report import DISTRIBUTION_KEYS, ParsedReport, Term
from ingestion.audit import WORKER, record
from ingestion.identity import resolve_instructor
from ingestion.merge import QUESTION_FIELDS, Conflict, MergedSection, Source, merge


def store_report(conn: Conn, *, report_id: int, parsed: ParsedReport) -> int:
    """Keep `parsed` as report `report_id`'s source and re-merge its section; returns its id.

    A survey export is a section of its own (source_type `survey`, keyed also by its title),
    beside the TRACE section of its course and term; its title never renames the course.
    """
    survey = parsed.source_type == "survey"
    course_id = _course_id(
        conn,
        subject=parsed.course.subject,
        number=parsed.course.number,
        title=parsed.course.code if survey else parsed.course.title,
        retitle=not survey,
    )
    term_id = _term_id(conn, term=parsed.term)
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
    header = merged.header
    course = conn.execute(
        "UPDATE sections s SET title = %s, crn = %s, enrollment = %s,"
        " responses_incl_declines = %s, declines = %s, report_id = %s, sources = %s"
        " FROM courses c WHERE s.id = %s AND c.id = s.course_id RETURNING c.subject",
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
    ).fetchone()
    assert course is not None
    _store_instructors(conn, section_id, merged, str(course["subject"]))
    _store_scores(conn, section_id, merged)
    _store_frequencies(conn, section_id, merged)
    _store_comments(conn, section_id, merged)
    _store_conflicts(conn, section_id, merged.conflicts)


def _one(conn: Conn, sql: str, params: tuple[object, ...]) -> int:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row["id"])


def _course_id(conn: Conn, *, subject: str, number: str, title: str, retitle: bool) -> int:
    """The course's id, created on first sight; with `retitle` a changed title replaces the
    stored one (a TRACE report's; a survey's title never renames the course)."""
    for _ in range(2):  # a writer that inserted it meanwhile has committed: read it again
        row = conn.execute(
            "SELECT id, title FROM courses WHERE subject = %s AND number = %s", (subject, number)
        ).fetchone()
        if row is not None:
            if retitle and row["title"] != title:  # locks the row only when it changes
                conn.execute("UPDATE courses SET title = %s WHERE id = %s", (title, row["id"]))
            return int(row["id"])
        created = conn.execute(
            "INSERT INTO courses (subject, number, title) VALUES (%s, %s, %s)"
            " ON CONFLICT (subject, number) DO NOTHING RETURNING id",
            (subject, number, title),
        ).fetchone()
        if created is not None:
            return int(created["id"])
    raise RuntimeError(f"course {subject}{number} was neither found nor created")


def _term_id(conn: Conn, *, term: Term) -> int:
    """The term's id, created on first sight."""
    for _ in range(2):
        row = conn.execute("SELECT id FROM terms WHERE label = %s", (term.label,)).fetchone()
        if row is None:
            row = conn.execute(
                "INSERT INTO terms (label, season, year, sort_key) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (label) DO NOTHING RETURNING id",
                (term.label, term.season, term.year, term.sort_key),
            ).fetchone()
        if row is not None:
            return int(row["id"])
    raise RuntimeError(f"term {term.label!r} was neither found nor created")


def question_ids(conn: Conn, *, headings: Mapping[str, str | None]) -> dict[str, int]:
    """Each question's id by text, created on first sight (in text order, so two writers adding
    the same new questions wait on each other in one order and cannot deadlock); a heading is
    filled in where the stored question has none. One round trip when every question is known,
    and a known question is read, not locked."""
    ids: dict[str, int] = {}
    for _ in range(2):  # a writer that inserted some meanwhile has committed: read them again
        known = conn.execute(
            "SELECT id, text, heading FROM questions WHERE text = ANY(%s)",
            (sorted(t for t in headings if t not in ids),),
        ).fetchall()
        ids.update({str(r["text"]): int(r["id"]) for r in known})
        fill = sorted(
            (int(r["id"]), headings[r["text"]])
            for r in known
            if r["heading"] is None and headings[r["text"]] is not None
        )
        if fill:
            conn.execute(
                "UPDATE questions q SET heading = v.heading"
                " FROM unnest(%s::bigint[], %s::text[]) AS v(id, heading)"
                " WHERE q.id = v.id AND q.heading IS NULL",
                ([i for i, _ in fill], [h for _, h in fill]),
            )
        missing = sorted(t for t in headings if t not in ids)
        if not missing:
            return ids
        created = conn.execute(
            "INSERT INTO questions (text, heading)"
            " SELECT * FROM unnest(%s::text[], %s::text[]) ORDER BY 1"
            " ON CONFLICT (text) DO NOTHING RETURNING id, text",
            (missing, [headings[t] for t in missing]),
        ).fetchall()
        ids.update({str(r["text"]): int(r["id"]) for r in created})
        if len(ids) == len(headings):
            return ids
    raise RuntimeError(f"questions {sorted(set(headings) - set(ids))} neither found nor created")


def _store_instructors(conn: Conn, section_id: int, merged: MergedSection, subject: str) -> None:
    conn.execute("DELETE FROM section_instructors WHERE section_id = %s", (section_id,))
    ids = [resolve_instructor(conn, person=p, subject=subject) for p in merged.instructors]
    if not ids:
        return
    conn.execute(
        "INSERT INTO section_instructors (section_id, instructor_id, position)"
        " SELECT %s, * FROM unnest(%s::bigint[], %s::int[]) ON CONFLICT DO NOTHING",
        (section_id, ids, list(range(len(ids)))),
    )


def _store_scores(conn: Conn, section_id: int, merged: MergedSection) -> None:
    conn.execute("DELETE FROM question_scores WHERE section_id = %s", (section_id,))
    values = [{name: picked.value for name, picked in q.values.items()} for q in merged.questions]
    headings: dict[str, str | None] = {}
    for q, v in zip(merged.questions, values, strict=True):
        if headings.get(q.text) is None:  # the first heading printed for it
            headings[q.text] = v["section"]
    ids = question_ids(conn, headings=headings)
    dists = [v["distribution"] or {} for v in values]
    columns: list[list[Any]] = [
        [ids[q.text] for q in merged.questions],
        list(range(len(values))),
        *([v[name] for v in values] for name in _SCORE_FIELDS),
        *([d.get(key) for d in dists] for key in DISTRIBUTION_KEYS),
        [
            Jsonb({k: p.source for k, p in q.values.items() if p.source is not None})
            for q in merged.questions
        ],
    ]
    conn.execute(
        "INSERT INTO question_scores (section_id, question_id, position, heading, responses,"
        " response_rate, course_mean, dept_mean, univ_mean, course_median, dept_median,"
        " univ_median, std_dev, dist_5, dist_4, dist_3, dist_2, dist_1, dist_na, sources)"
        " SELECT %s, * FROM unnest(%s::bigint[], %s::int[], %s::text[], %s::int[],"
        " %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[],"
        " %s::numeric[], %s::numeric[], %s::numeric[], %s::int[], %s::int[], %s::int[],"
        " %s::int[], %s::int[], %s::int[], %s::jsonb[])"
        " ON CONFLICT (section_id, question_id) DO NOTHING",
        (section_id, *columns),
    )


_SCORE_FIELDS = tuple(f for f in QUESTION_FIELDS if f != "distribution")
"""A question's stored fields, in question_scores' column order (heading is its section)."""


def _store_frequencies(conn: Conn, section_id: int, merged: MergedSection) -> None:
    conn.execute("DELETE FROM frequency_counts WHERE section_id = %s", (section_id,))
    positions: dict[str, int] = {}
    rows = []
    for prompt, label, picked in merged.frequencies:
        position = positions[prompt] = positions.get(prompt, -1) + 1
        rows.append((prompt, label, position, picked.value, picked.source))
    conn.execute(
        "INSERT INTO frequency_counts (section_id, prompt, bin, position, count, report_id)"
        " SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::int[], %s::int[], %s::bigint[])"
        " ON CONFLICT DO NOTHING",
        (section_id, *_columns(rows, 5)),
    )


def _store_comments(conn: Conn, section_id: int, merged: MergedSection) -> None:
    rows = [
        (prompt, number, picked.value, picked.source) for prompt, number, picked in merged.comments
    ]
    prompts, numbers, texts, sources = _columns(rows, 4)
    conn.execute(
        "INSERT INTO comments (section_id, prompt, number, text, report_id)"
        " SELECT %s, * FROM unnest(%s::text[], %s::int[], %s::text[], %s::bigint[])"
        " ON CONFLICT (section_id, prompt, number)"
        " DO UPDATE SET text = EXCLUDED.text, report_id = EXCLUDED.report_id"
        " WHERE comments.redacted_at IS NULL AND (comments.text, comments.report_id)"
        " IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.report_id)",  # a redaction sticks
        (section_id, prompts, numbers, texts, sources),
    )
    conn.execute(
        "DELETE FROM comments WHERE section_id = %s AND (prompt, number) NOT IN"
        " (SELECT * FROM unnest(%s::text[], %s::int[]))",
        (section_id, prompts, numbers),
    )


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as columns (the arrays an INSERT … SELECT FROM unnest takes): one statement, not one
    per row."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def _store_conflicts(conn: Conn, section_id: int, conflicts: list[Conflict]) -> None:
    """Replace the section's conflicts; a conflict not seen before goes to the audit log."""
    known = {
        (r["item"], r["field"])
        for r in conn.execute(
            "DELETE FROM section_conflicts WHERE section_id = %s RETURNING item, field",
            (section_id,),
        ).fetchall()
    }
    if conflicts:
        conn.execute(
            'INSERT INTO section_conflicts (section_id, item, field, "values")'
            " SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::jsonb[])"
            " ON CONFLICT DO NOTHING",
            (
                section_id,
                [c.item for c in conflicts],
                [c.field for c in conflicts],
                [Jsonb(_values(c)) for c in conflicts],
            ),
        )
    for c in conflicts:
        if (c.item, c.field) not in known:
            record(
                conn,
                principal=WORKER,
                action="conflict",
                report_id=c.values[0][0],
                section_id=section_id,
                details={"item": c.item, "field": c.field, "values": _values(c)},
            )


def _values(conflict: Conflict) -> list[dict[str, Any]]:
    return [{"report_id": rid, "value": value} for rid, value in conflict.values]
