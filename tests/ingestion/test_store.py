"""Storing parsed reports: keys that make re-processing idempotent, against real PostgreSQL."""

from __future__ import annotations

from core.db import connect
from core.report import Comment, Course, Frequency, Instructor, ParsedReport, Question, Term
from ingestion.deletion import delete_report
from ingestion.queue import PostgresQueue
from ingestion.reports import create_report
from ingestion.store import store_report


def _report(section: str = "01", comments: list[str] | None = None, sha: str = "a") -> ParsedReport:
    texts = comments if comments is not None else ["Clear lectures.", "Too much homework."]
    return ParsedReport(
        file="x.pdf",
        sha256=sha * 64,
        layout="collegenet",
        course=Course(
            code="CS5800",
            subject="CS",
            number="5800",
            section=section,
            title="Algorithms",
            crn="41457",
        ),
        term=Term(label="Fall 2023", season="Fall", year=2023),
        instructors=[Instructor(last="Doe", first="Jane"), Instructor(last="Núñez", first="José")],
        enrollment=45,
        responses_incl_declines=32,
        declines=2,
        questions=[
            Question(
                section="Course Related Questions",
                text="The syllabus was accurate.",
                responses=30,
                response_rate=0.71,
                course_mean=4.21,
                dept_mean=4.05,
                univ_mean=4.18,
                course_median=4.0,
                dept_median=4.0,
                univ_median=4.0,
                std_dev=None,
                distribution=None,
            )
        ],
        frequencies=[Frequency(text="Hours per week?", bins={"1-4": 3, "5-8": 9})],
        comments=[Comment(prompt="Strengths?", number=i + 1, text=t) for i, t in enumerate(texts)],
        warnings=[],
    )


def _new_report(conn, sha: str) -> int:  # type: ignore[no-untyped-def]
    created = create_report(
        conn,
        queue=PostgresQueue(),
        sha256=sha * 64,
        filename="x.pdf",
        media_type="application/pdf",
        size_bytes=10,
    )
    return int(created.report["id"])


def _counts(conn) -> dict[str, int]:  # type: ignore[no-untyped-def]
    tables = [
        "courses",
        "terms",
        "sections",
        "instructors",
        "section_instructors",
        "questions",
        "question_scores",
        "frequency_counts",
        "comments",
    ]
    return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in tables}


def test_storing_twice_changes_nothing(db_url: str) -> None:
    with connect(db_url) as conn:
        rid = _new_report(conn, "a")
        first = store_report(conn, report_id=rid, parsed=_report())
        before = _counts(conn)
        ids = [r["id"] for r in conn.execute("SELECT id FROM comments ORDER BY id")]
        assert store_report(conn, report_id=rid, parsed=_report()) == first
        assert _counts(conn) == before
        assert [r["id"] for r in conn.execute("SELECT id FROM comments ORDER BY id")] == ids
        assert before["comments"] == 2 and before["section_instructors"] == 2
        row = conn.execute(
            "SELECT course_mean::float8 AS m, response_rate::float8 AS r FROM question_scores"
        ).fetchone()
        assert row == {"m": 4.21, "r": 0.71}


def test_a_second_section_is_a_new_row_not_a_merge(db_url: str) -> None:
    with connect(db_url) as conn:
        a = store_report(conn, report_id=_new_report(conn, "a"), parsed=_report("01"))
        b = store_report(conn, report_id=_new_report(conn, "b"), parsed=_report("02", ["Ok."]))
        assert a != b
        counts = _counts(conn)
        assert counts["sections"] == 2 and counts["courses"] == 1 and counts["comments"] == 3


def test_reprocessing_with_fewer_comments_removes_the_rest(db_url: str) -> None:
    with connect(db_url) as conn:
        rid = _new_report(conn, "a")
        store_report(conn, report_id=rid, parsed=_report(comments=["One.", "Two.", "Three."]))
        kept = conn.execute("SELECT id FROM comments WHERE number = 1").fetchone()
        store_report(conn, report_id=rid, parsed=_report(comments=["One."]))
        rows = conn.execute("SELECT id, text FROM comments").fetchall()
        assert rows == [{"id": kept["id"], "text": "One."}]  # type: ignore[index]


def test_delete_removes_everything_derived(db_url: str) -> None:
    with connect(db_url) as conn:
        rid = _new_report(conn, "a")
        store_report(conn, report_id=rid, parsed=_report())
        conn.commit()
        assert delete_report(conn, report_id=rid, principal="test") == "a" * 64
        assert set(_counts(conn).values()) == {0}
        assert conn.execute("SELECT count(*) AS n FROM jobs").fetchone() == {"n": 0}
