"""One section from several reports: merges without loss, conflicts, identity, deletions.

The property test compares the database, after any sequence of uploads and deletes of
overlapping reports, with the merge of the surviving reports computed here from the parsers'
JSON, independently of ingestion.merge.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.db import Conn, connect
from core.report import Comment, ParsedReport
from devtools.corpus.content import generate_surveys, project
from ingestion.deletion import delete_report
from ingestion.identity import merge_instructors, split_instructor
from ingestion.queue import PostgresQueue
from ingestion.reports import create_report
from ingestion.store import store_report

FIELDS = (
    "section",
    "responses",
    "response_rate",
    "course_mean",
    "dept_mean",
    "univ_mean",
    "course_median",
    "dept_median",
    "univ_median",
    "std_dev",
    "distribution",
)
_counter = iter(range(1, 10**9))


def _survey(index: int = 0, seed: int = 5) -> Any:
    surveys = [s for s in generate_surveys(40, seed) if s.comments and s.frequencies]
    return surveys[index]


def variants(index: int) -> list[ParsedReport]:
    """The PDF, the Excel export, and a corrected PDF of one section."""
    survey = _survey(index)
    pdf = project(survey, survey.pdf_layout)
    xlsx = project(survey, "xlsx")
    xlsx = xlsx.model_copy(update={"comments": xlsx.comments[: len(xlsx.comments) // 2]})
    first = pdf.questions[0]
    fixed_mean = round((first.course_mean or 3.0) - 0.11, 2)
    corrected = pdf.model_copy(
        update={
            "questions": [first.model_copy(update={"course_mean": fixed_mean}), *pdf.questions[1:]],
            "comments": [
                *pdf.comments[:-1],
                Comment(
                    prompt=pdf.comments[-1].prompt,
                    number=pdf.comments[-1].number,
                    text="A corrected comment text.",
                ),
            ],
        }
    )
    return [pdf, xlsx, corrected]


def upload(conn: Conn, parsed: ParsedReport) -> int:
    sha = f"{next(_counter):064x}"
    created = create_report(
        conn,
        queue=PostgresQueue(),
        sha256=sha,
        filename=f"{sha[-6:]}.{parsed.layout}",
        media_type="application/pdf",
        size_bytes=1,
    )
    report_id = int(created.report["id"])
    with conn.transaction():
        store_report(conn, report_id=report_id, parsed=parsed)
    return report_id


# ---------------------------------------------------------------- the independent merge


def expected(reports: dict[int, ParsedReport]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(course, term, section) -> what the merged section must hold."""
    by_section: dict[tuple[str, str, str], list[tuple[int, ParsedReport]]] = {}
    for rid, r in reports.items():
        by_section.setdefault((r.course.code, r.term.label, r.course.section), []).append((rid, r))
    out = {}
    for key, found in by_section.items():
        newest_first = [r for _, r in sorted(found, key=lambda x: -x[0])]

        def first(values: list[Any]) -> Any:
            return next((v for v in values if v is not None), None)

        questions: dict[str, dict[str, Any]] = {}
        for r in newest_first:
            for q in r.questions:
                row = questions.setdefault(q.text, {})
                for name in FIELDS:
                    if row.get(name) is None:
                        row[name] = getattr(q, name)
        comments: dict[tuple[str, int], str] = {}
        bins: dict[tuple[str, str], int] = {}
        for r in newest_first:
            for c in r.comments:
                comments.setdefault((c.prompt, c.number), c.text)
            for f in r.frequencies:
                for label, count in f.bins.items():
                    bins.setdefault((f.text, label), count)
        out[key] = {
            "enrollment": first([r.enrollment for r in newest_first]),
            "declines": first([r.declines for r in newest_first]),
            "crn": first([r.course.crn for r in newest_first]),
            "questions": questions,
            "comments": comments,
            "bins": bins,
            "instructors": [(i.last, i.first) for i in newest_first[0].instructors],
        }
    return out


def stored(conn: Conn) -> dict[tuple[str, str, str], dict[str, Any]]:
    sections = conn.execute(
        "SELECT s.id, c.code, t.label, s.section, s.enrollment, s.declines, s.crn"
        " FROM sections s JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
    ).fetchall()
    out = {}
    for s in sections:
        scores = conn.execute(
            "SELECT q.text, qs.heading AS section, qs.responses, qs.response_rate::float8,"
            " qs.course_mean::float8, qs.dept_mean::float8, qs.univ_mean::float8,"
            " qs.course_median::float8, qs.dept_median::float8, qs.univ_median::float8,"
            " qs.std_dev::float8, qs.dist_5, qs.dist_4, qs.dist_3, qs.dist_2, qs.dist_1,"
            " qs.dist_na FROM question_scores qs JOIN questions q ON q.id = qs.question_id"
            " WHERE qs.section_id = %s",
            (s["id"],),
        ).fetchall()
        questions = {}
        for row in scores:
            dist = [row.pop(f"dist_{k}") for k in ("5", "4", "3", "2", "1", "na")]
            text = row.pop("text")
            row["distribution"] = (
                None
                if dist[0] is None
                else dict(zip(("5", "4", "3", "2", "1", "na"), dist, strict=True))
            )
            questions[text] = row
        comments = {
            (r["prompt"], r["number"]): r["text"]
            for r in conn.execute(
                "SELECT prompt, number, text FROM comments WHERE section_id = %s", (s["id"],)
            ).fetchall()
        }
        bins = {
            (r["prompt"], r["bin"]): r["count"]
            for r in conn.execute(
                "SELECT prompt, bin, count FROM frequency_counts WHERE section_id = %s", (s["id"],)
            ).fetchall()
        }
        people = conn.execute(
            "SELECT i.last_name, i.first_name FROM section_instructors si JOIN instructors i"
            " ON i.id = si.instructor_id WHERE si.section_id = %s ORDER BY si.position",
            (s["id"],),
        ).fetchall()
        out[(s["code"], s["label"], s["section"])] = {
            "enrollment": s["enrollment"],
            "declines": s["declines"],
            "crn": s["crn"],
            "questions": questions,
            "comments": comments,
            "bins": bins,
            "instructors": [(p["last_name"], p["first_name"]) for p in people],
        }
    return out


# ---------------------------------------------------------------- examples


def test_pdf_then_excel_and_back_lose_nothing(db_url: str) -> None:
    pdf, xlsx, _ = variants(0)
    for order in ((pdf, xlsx), (xlsx, pdf)):
        with connect(db_url) as conn:
            conn.execute(
                "TRUNCATE reports, sections, courses, terms, instructors, questions CASCADE"
            )
            ids = [upload(conn, r) for r in order]
            reports = dict(zip(ids, order, strict=True))
            assert stored(conn) == expected(reports)
            section = conn.execute("SELECT id, sources FROM sections").fetchone()
            assert section is not None
            scored = conn.execute(
                "SELECT sources FROM question_scores WHERE section_id = %s LIMIT 1",
                (section["id"],),
            ).fetchone()
            assert scored is not None
            pdf_id = ids[order.index(pdf)]
            xlsx_id = ids[order.index(xlsx)]
            assert scored["sources"]["dept_mean"] == pdf_id  # only the PDF prints it
            assert scored["sources"]["std_dev"] == xlsx_id  # only the export prints it
            for rid in ids:  # deleting either leaves the other's data whole
                conn.commit()
                delete_report(conn, report_id=rid, principal="test")
                left = {k: v for k, v in reports.items() if k != rid}
                assert stored(conn) == expected(left)
                upload_back = upload(conn, reports[rid])
                reports = {**left, upload_back: reports[rid]}


def test_two_reports_disagreeing_are_a_conflict_with_both_values(db_url: str) -> None:
    pdf, _, corrected = variants(1)
    with connect(db_url) as conn:
        old = upload(conn, pdf)
        new = upload(conn, corrected)
        rows = conn.execute(
            'SELECT item, field, "values" FROM section_conflicts ORDER BY item'
        ).fetchall()
        fields = {(r["item"].split(":")[0], r["field"]) for r in rows}
        assert fields == {("comment", "text"), ("question", "course_mean")}
        mean = next(r for r in rows if r["field"] == "course_mean")
        assert [v["report_id"] for v in mean["values"]] == [new, old]
        assert mean["values"][0]["value"] == corrected.questions[0].course_mean
        assert mean["values"][1]["value"] == pdf.questions[0].course_mean
        shown = conn.execute(
            "SELECT course_mean::float8 AS m FROM question_scores qs JOIN"
            " questions q ON q.id = qs.question_id WHERE q.text = %s",
            (pdf.questions[0].text,),
        ).fetchone()
        assert shown == {"m": corrected.questions[0].course_mean}
        audit = conn.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'conflict'")
        assert audit.fetchone() == {"n": 2}
        conn.commit()
        delete_report(conn, report_id=new, principal="test")
        assert conn.execute("SELECT count(*) AS n FROM section_conflicts").fetchone() == {"n": 0}


def test_same_name_in_two_departments_is_two_people_until_merged(db_url: str) -> None:
    a, b = _survey(0), _survey(2)
    assert a.course.subject != b.course.subject
    left = project(a, a.pdf_layout)
    right = project(b, b.pdf_layout)
    same = left.instructors[:1]
    left = left.model_copy(update={"instructors": same})
    spelled = [same[0].model_copy(update={"last": same[0].last.upper()})]
    right = right.model_copy(update={"instructors": spelled})
    with connect(db_url) as conn:
        upload(conn, left)
        upload(conn, right)
        people = conn.execute("SELECT id FROM instructors ORDER BY id").fetchall()
        assert len(people) == 2
        keep, drop = (int(p["id"]) for p in people)
        conn.commit()
        merge_instructors(conn, keep=keep, drop=drop, principal="admin")
        rows = conn.execute("SELECT DISTINCT instructor_id FROM section_instructors").fetchall()
        assert rows == [{"instructor_id": keep}]
        # a new report of the second department now resolves to the merged person
        upload(
            conn,
            right.model_copy(update={"course": right.course.model_copy(update={"section": "99"})}),
        )
        assert conn.execute("SELECT count(*) AS n FROM instructors").fetchone() == {"n": 1}
        split = split_instructor(
            conn, instructor_id=keep, subject=b.course.subject, principal="admin"
        )
        owners = conn.execute(
            "SELECT c.subject, si.instructor_id FROM section_instructors si JOIN sections s"
            " ON s.id = si.section_id JOIN courses c ON c.id = s.course_id"
        ).fetchall()
        assert {(r["subject"], r["instructor_id"]) for r in owners} == {
            (a.course.subject, keep),
            (b.course.subject, split),
        }
        actions = [r["action"] for r in conn.execute("SELECT action FROM audit_log ORDER BY id")]
        assert "merge" in actions and "split" in actions


def test_the_audit_log_is_append_only(db_url: str) -> None:
    with connect(db_url) as conn:
        upload(conn, variants(0)[0])
        conn.execute("INSERT INTO audit_log (principal, action) VALUES ('t', 'x')")
        with pytest.raises(Exception, match="append-only"):
            conn.execute("DELETE FROM audit_log")


# ---------------------------------------------------------------- the property


OPS = st.lists(
    st.tuples(st.sampled_from(["upload", "delete"]), st.integers(0, 5)), min_size=1, max_size=7
)


@pytest.fixture(scope="module")
def pool() -> list[ParsedReport]:
    """Six reports over two sections: each section's PDF, export and corrected PDF."""
    return [*variants(0), *variants(1)]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_database_is_always_the_merge_of_the_surviving_reports(
    db_url: str, pool: list[ParsedReport], ops: list[tuple[str, int]]
) -> None:
    with connect(db_url) as conn:
        conn.execute("TRUNCATE reports, sections, courses, terms, instructors, questions CASCADE")
        conn.commit()
        alive: dict[int, ParsedReport] = {}
        for op, k in ops:
            if op == "upload":
                alive[upload(conn, pool[k])] = pool[k]
            elif alive:
                victim = sorted(alive)[k % len(alive)]
                conn.commit()
                delete_report(conn, report_id=victim, principal="test")
                del alive[victim]
            assert stored(conn) == expected(alive)
        conn.commit()


def test_the_orphan_sweep_cannot_fail_against_a_concurrent_upload(db_url: str) -> None:
    """A delete that empties a course while another upload of that course is in flight."""
    first, _, _ = variants(0)
    second = first.model_copy(
        update={"course": first.course.model_copy(update={"section": "77", "crn": "99999"})}
    )
    with connect(db_url) as deleting, connect(db_url) as storing:
        old = upload(deleting, first)
        deleting.commit()
        new = create_report(
            storing,
            queue=PostgresQueue(),
            sha256="d" * 64,
            filename="new.pdf",
            media_type="application/pdf",
            size_bytes=1,
        ).report["id"]
        store_report(storing, report_id=int(new), parsed=second)  # open: holds the course row
        delete_report(deleting, report_id=old, principal="test")  # must neither block nor fail
        storing.commit()
        courses = storing.execute("SELECT code FROM courses").fetchall()
        assert courses == [{"code": first.course.code}]
        assert stored(storing) == expected({int(new): second})
