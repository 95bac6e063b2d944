"""Migration 0008 on a database filled before provenance: every section becomes its one
report's source, and re-merging that source reproduces exactly what the tables held."""

from __future__ import annotations

from core.db import Database, connect, with_database
from core.db.migrate import available
from core.report import ParsedReport
from devtools.corpus.content import generate_surveys, project
from ingestion.store import remerge_section
from tests.ingestion.test_provenance import stored


def _legacy_rows(conn: object, report: ParsedReport) -> None:
    """What the store wrote before migration 0008, written by hand."""
    c = report.course
    run = conn.execute  # type: ignore[attr-defined]
    rid = run(
        "INSERT INTO reports (sha256, filename, media_type, size_bytes, layout, status)"
        " VALUES (%s, 'old.pdf', 'application/pdf', 1, %s, 'processed') RETURNING id",
        ("c" * 64, report.layout),
    ).fetchone()["id"]
    course = run(
        "INSERT INTO courses (subject, number, title) VALUES (%s, %s, %s) RETURNING id",
        (c.subject, c.number, c.title),
    ).fetchone()["id"]
    t = report.term
    term = run(
        "INSERT INTO terms (label, season, year, sort_key) VALUES (%s, %s, %s, %s) RETURNING id",
        (t.label, t.season, t.year, t.sort_key),
    ).fetchone()["id"]
    section = run(
        "INSERT INTO sections (course_id, term_id, section, crn, title, enrollment,"
        " responses_incl_declines, declines, report_id) VALUES (%s, %s, %s, %s, %s, %s, %s,"
        " %s, %s) RETURNING id",
        (
            course,
            term,
            c.section,
            c.crn,
            c.title,
            report.enrollment,
            report.responses_incl_declines,
            report.declines,
            rid,
        ),
    ).fetchone()["id"]
    for position, person in enumerate(report.instructors):
        iid = run(
            "INSERT INTO instructors (last_name, first_name) VALUES (%s, %s) RETURNING id",
            (person.last, person.first),
        ).fetchone()["id"]
        run("INSERT INTO section_instructors VALUES (%s, %s, %s)", (section, iid, position))
    for position, q in enumerate(report.questions):
        qid = run(
            "INSERT INTO questions (text, heading) VALUES (%s, %s) RETURNING id",
            (q.text, q.section),
        ).fetchone()["id"]
        d = q.distribution or {}
        run(
            "INSERT INTO question_scores VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s, %s, %s, %s, %s, %s)",
            (
                section,
                qid,
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
                *(d.get(k) for k in ("5", "4", "3", "2", "1", "na")),
            ),
        )
    for f in report.frequencies:
        for position, (label, count) in enumerate(f.bins.items()):
            run(
                "INSERT INTO frequency_counts VALUES (%s, %s, %s, %s, %s)",
                (section, f.text, label, position, count),
            )
    for m in report.comments:
        run(
            "INSERT INTO comments (section_id, prompt, number, text) VALUES (%s, %s, %s, %s)",
            (section, m.prompt, m.number, m.text),
        )


def test_sections_stored_before_provenance_become_sources(pg_server: Database) -> None:
    survey = next(s for s in generate_surveys(30, 4) if s.comments and s.frequencies)
    report = project(survey, survey.pdf_layout)
    with connect(pg_server.url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS legacy_0007")
        admin.execute("CREATE DATABASE legacy_0007")
    url = with_database(pg_server.url, "legacy_0007")
    steps = available()
    with connect(url) as conn:
        for version, _, sql in steps:
            if version < 8:
                conn.execute(sql.encode())
        _legacy_rows(conn, report)
        before = stored(conn)
        for version, _, sql in steps:  # 0008, then the later ones the store's code needs
            if version >= 8:
                conn.execute(sql.encode())
        source = conn.execute("SELECT report_id, section_id, parsed FROM report_sources").fetchone()
        assert source is not None
        kept = ParsedReport.model_validate(source["parsed"])
        assert kept.questions == report.questions and kept.comments == report.comments
        assert kept.frequencies == report.frequencies and kept.instructors == report.instructors
        remerge_section(conn, section_id=int(source["section_id"]))
        assert stored(conn) == before
        aliases = conn.execute("SELECT count(*) AS n FROM instructor_aliases").fetchone()
        assert aliases == {"n": len(report.instructors)}
    with connect(pg_server.url, autocommit=True) as admin:
        admin.execute("DROP DATABASE legacy_0007 WITH (FORCE)")
