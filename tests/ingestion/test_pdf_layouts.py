"""Round trips render -> parse for both PDF layouts over every variant, plus the refusals."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import letter
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from core.errors import ParseError
from core.report import (
    Comment,
    Course,
    Frequency,
    Instructor,
    ParsedReport,
    Question,
    Term,
    parse_term,
)
from ingestion.bench_parse import format_parse_benchmark, run_parse_benchmark
from ingestion.corpus.pdf_blue import render_blue
from ingestion.corpus.pdf_collegenet import TEXT_X, render_collegenet
from ingestion.parsers.collegenet import read_comments
from ingestion.parsers.pdf import parse_pdf
from ingestion.parsers.pdftext import Line, Segment, open_pdf, read_page

STRENGTHS = "What were the strengths of this course and/or this instructor?"
BETTER = "What could the instructor do to make this course better?"
INCLUSIVE = (
    "Please expand on the instructor's strengths and/or areas for improvement in facilitating "
    "inclusive learning."
)
ONLINE_PROMPT = (
    "Please comment on your experience of the online course environment in the open-ended text box."
)
EFFECTIVENESS = "What is your overall rating of this instructor's teaching effectiveness?"
HOURS = "What is the average number of hours per week you devoted to this course outside of class?"
LIST_COMMENT = " ".join(f"{k} exams were hard." for k in range(2, 40))


def question(section: str, text: str, k: int, layout: str, **over: object) -> Question:
    """A question with deterministic, plausible numbers for the given layout."""
    dist = {"5": 10 + k % 4, "4": 8, "3": 3 + k % 2, "2": 1, "1": k % 2, "na": k % 3}
    q = Question(
        section=section,
        text=text,
        responses=30 - k % 3,
        response_rate=None if layout == "blue" else (71 - k % 5) / 100,
        course_mean=round(4.0 + (k % 9) / 10 + 0.01 * (k % 7), 2),
        dept_mean=4.05,
        univ_mean=round(4.18 - 0.01 * k, 2),
        course_median=4.0 + (k % 2),
        dept_median=4.0,
        univ_median=4.5,
        std_dev=None,
        distribution=dist if layout == "blue" else None,
    )
    return q.model_copy(update=over)


def build(
    layout: str, *, term: str = "Fall 2023", full: bool = True, **over: object
) -> ParsedReport:
    """A hand-built truth report, projected to what `layout` prints."""
    blue = layout == "blue"
    long_q = (
        "Studio critiques and the weekly lab write-ups, including the optional readings, gave me "
        "2 or 3 concrete ideas to improve each project in this course's second half."
    )
    sections = [
        (
            "Course Related Questions",
            "The syllabus was accurate and helpful in delineating "
            "expectations and course outcomes.",
        ),
        ("Course Related Questions", long_q),
        ("Learning Related Questions", "I learned a lot in this course."),
        ("Learning Related Questions", 'The "flipped" sessions worked for me.'),
        ("Instructor Related Questions", "The instructor came to class prepared to teach."),
        ("Instructor Effectiveness", EFFECTIVENESS),
        (
            "Online Experience Questions",
            "Online course materials were organized to help me "
            "navigate through the course week by week.",
        ),
    ]
    questions = [question(s, t, k, layout) for k, (s, t) in enumerate(sections)]
    questions[3] = questions[3].model_copy(update={"dept_mean": None, "univ_median": None})
    comments = [
        Comment(prompt=STRENGTHS, number=1, text="Clear lectures — the café examples helped."),
        Comment(prompt=STRENGTHS, number=2, text="2 exams were hard but fair; 3/5 overall."),
        Comment(prompt=STRENGTHS, number=3, text=LIST_COMMENT),
        Comment(prompt=STRENGTHS, number=4, text="Señor Núñez’s “office hours” were über useful."),
        *(
            Comment(prompt=BETTER, number=n, text=f"Comment {n}: more practice problems. " * 6)
            for n in range(1, 41)
        ),
        Comment(prompt=INCLUSIVE, number=1, text="12"),
        Comment(prompt=ONLINE_PROMPT, number=1, text="Zoom worked; 1) audio 2) chat."),
    ]
    comments = [c.model_copy(update={"text": " ".join(c.text.split())}) for c in comments]
    parsed_term = parse_term(term)
    assert parsed_term is not None
    report = ParsedReport(
        file="report.pdf",
        sha256="0" * 64,
        layout=layout,  # type: ignore[arg-type]
        course=Course(
            code="CS5800",
            subject="CS",
            number="5800",
            section="01",
            title="Special Topics (AI Ethics) 2",
            crn="41457",
        ),
        term=parsed_term,
        instructors=[
            Instructor(last="O'Brien-Smith", first="Mary Ann"),
            Instructor(last="Núñez", first="José"),
            Instructor(last="St. John", first="J. R."),
        ],
        enrollment=45,
        responses_incl_declines=32,
        declines=None if blue else 2,
        questions=questions if full else questions[:2],
        frequencies=[
            Frequency(text=HOURS, bins={"1-4": 3, "5-8": 9, "9-12": 0, "13-16": 2, "17-20": 1})
        ]
        if full
        else [],
        comments=comments if full else [],
        warnings=[],
    )
    return report.model_copy(update=over)


def render(report: ParsedReport, seed: int) -> bytes:
    """Render with the report's own layout."""
    if report.layout == "blue":
        return render_blue(report, seed=seed)
    return render_collegenet(report, seed=seed)


def round_trip(report: ParsedReport, seed: int) -> None:
    """Parse the rendered report and demand exact equality with the truth."""
    data = render(report, seed)
    parsed = parse_pdf(data, filename=report.file, sha256=report.sha256)
    assert parsed.model_dump() == report.model_dump()


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
@pytest.mark.parametrize("seed", range(6))
def test_full_report_round_trips(layout: str, seed: int) -> None:
    round_trip(build(layout), seed)


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_minimal_report_round_trips(layout: str) -> None:
    report = build(layout, full=False, instructors=[Instructor(last="Doe", first="Jane")])
    round_trip(report, seed=1)


@pytest.mark.parametrize(
    "term",
    [
        "Fall 2023",
        "Spring 2024",
        "Summer 1 2024",
        "Summer 2 2024",
        "Full Summer 2024",
        "Winter 2024",
    ],
)
@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_every_term_label(layout: str, term: str) -> None:
    round_trip(build(layout, term=term, full=False), seed=3)


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_long_table_continues_across_pages(layout: str) -> None:
    custom = [
        question(
            "Learning Related Questions",
            f"Department question {k}: the labs for unit {k} "
            "were well organised and matched the lectures.",
            k,
            layout,
        )
        for k in range(60)
    ]
    report = build(layout, questions=custom)
    for seed in range(4):  # headers repeated on some seeds, not on others
        round_trip(report, seed)


def test_comment_lines_starting_with_numbers_are_exercised() -> None:
    """The list comment must really wrap onto text lines that begin with a digit."""
    doc = open_pdf(render(build("collegenet"), 0))
    starts = [
        line.text
        for index in range(len(doc))
        for line in read_page(doc, index).lines
        if abs(line.x - TEXT_X) < 1 and line.text[0].isdigit()
    ]
    doc.close()
    assert starts


def test_collegenet_count_mismatch_is_a_warning() -> None:
    def line(y: float, *cells: tuple[float, str]) -> tuple[int, Line]:
        return 2, Line(y, [Segment(x, x + 5 * len(t), y, t) for x, t in cells])

    lines = [
        line(700, (54, f"Q: {STRENGTHS}")),
        line(690, (54, "(3 comments)")),
        line(680, (54, "1"), (78, "Good course.")),
        line(670, (78, "2 exams were hard.")),
        line(660, (54, "2")),
        line(650, (78, "Fine.")),
    ]
    warnings: list[str] = []
    comments = read_comments(lines, 0, 54.0, warnings)
    assert [(c.number, c.text) for c in comments] == [
        (1, "Good course. 2 exams were hard."),
        (2, "Fine."),
    ]
    assert warnings == [f"prompt {STRENGTHS!r}: count line says 3 comments, found 2"]


def _pdf(text: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=letter, **kwargs)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def test_encrypted_pdf_is_refused() -> None:
    data = _pdf("Course ID: 1", encrypt=StandardEncryption("secret", "owner"))
    with pytest.raises(ParseError, match="encrypted PDF"):
        parse_pdf(data, filename="f", sha256="s")


def test_truncated_pdf_is_refused() -> None:
    data = render(build("collegenet"), 0)
    with pytest.raises(ParseError, match="corrupt or truncated"):
        parse_pdf(data[: len(data) // 2], filename="f", sha256="s")


def test_non_pdf_and_non_trace_are_refused() -> None:
    with pytest.raises(ParseError, match="not a PDF"):
        parse_pdf(b"hello", filename="f", sha256="s")
    with pytest.raises(ParseError, match="not a TRACE report"):
        parse_pdf(_pdf("Quarterly sales figures"), filename="f", sha256="s")


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_missing_course_id_names_field_and_page(layout: str) -> None:
    report = build(layout, full=False)
    report = report.model_copy(update={"course": report.course.model_copy(update={"crn": None})})
    with pytest.raises(ParseError) as info:
        parse_pdf(render(report, 0), filename="f", sha256="s")
    assert info.value.field == "Course ID" and info.value.page == 1


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_unknown_term_is_refused(layout: str) -> None:
    report = build(layout, full=False, term="Fall 2023")
    report = report.model_copy(update={"term": Term(label="Autumn 2023", season="Fall", year=2023)})
    with pytest.raises(ParseError, match="'Autumn 2023' is not a TRACE term") as info:
        parse_pdf(render(report, 0), filename="f", sha256="s")
    assert info.value.field == "term"


def test_page_cap() -> None:
    data = render(build("collegenet"), 0)
    with pytest.raises(ParseError, match=r"has \d+ pages, more than the cap of 2"):
        parse_pdf(data, filename="f", sha256="s", max_pages=2)


def test_benchmark_runs_on_a_small_corpus(tmp_path: Path) -> None:
    for layout in ("collegenet", "blue"):
        (tmp_path / f"{layout}.pdf").write_bytes(render(build(layout, full=False), 0))
    result = run_parse_benchmark(tmp_path)
    assert result["files"] == 2 and result["pages"] >= 2 and result["parse_failures"] == 0
    assert result["ours_pages_per_s"] > 0 and result["pdfminer_pages_per_s"] > 0
    assert "pages/s" in format_parse_benchmark(result)
