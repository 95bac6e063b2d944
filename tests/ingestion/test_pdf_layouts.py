"""Round trips render -> parse for both PDF layouts over every variant and every style axis, the
completeness checks that fail a report, and the refusals."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4, letter
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
from devtools.bench.parse import format_parse_benchmark, run_parse_benchmark
from devtools.corpus import pdf_collegenet
from devtools.corpus.pdf_blue import render_blue
from devtools.corpus.pdf_collegenet import NUMBER_COLUMN, render_collegenet
from devtools.corpus.style import CLASSIC, RenderStyle, available_families
from ingestion.parsers.pdf import parse_pdf
from ingestion.parsers.pdftext import open_pdf, read_page

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
ENROLLMENT = 45


def question(section: str, text: str, k: int, layout: str, **over: object) -> Question:
    """A question whose numbers agree with each other the way a real report's do."""
    dist = {"5": 10 + k % 4, "4": 8, "3": 3 + k % 2, "2": 1, "1": k % 2, "na": k % 3}
    responses = sum(v for key, v in dist.items() if key != "na")
    q = Question(
        section=section,
        text=text,
        responses=responses,
        response_rate=None if layout == "blue" else round(responses / ENROLLMENT, 2),
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
        enrollment=ENROLLMENT,
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


def render(report: ParsedReport, seed: int, style: RenderStyle | None = None) -> bytes:
    """Render with the report's own layout, in a drawn style unless one is given."""
    if report.layout == "blue":
        return render_blue(report, seed=seed, style=style)
    return render_collegenet(report, seed=seed, style=style)


def parse(data: bytes) -> ParsedReport:
    return parse_pdf(data, filename="report.pdf", sha256="0" * 64)


def round_trip(report: ParsedReport, seed: int, style: RenderStyle | None = None) -> None:
    """Parse the rendered report and demand exact equality with the truth (warnings aside)."""
    parsed = parse(render(report, seed, style))
    assert parsed.model_copy(update={"warnings": []}).model_dump() == report.model_dump()


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
@pytest.mark.parametrize("seed", range(8))
def test_full_report_round_trips_in_drawn_styles(layout: str, seed: int) -> None:
    round_trip(build(layout), seed)


def _axis_cases() -> list[tuple[str, object]]:
    cases: list[tuple[str, object]] = [("family", f) for f in available_families()]
    cases += [("page", A4), ("page", letter), ("margin", 36.0), ("margin", 72.0)]
    cases += [("size", 7.0), ("size", 9.5), ("title_size", 16.0), ("title_width", 0.45)]
    cases += [("value_width", 24.0), ("value_width", 60.0)]
    cases += [("header_align", a) for a in ("left", "center", "right")]
    cases += [("header_valign", a) for a in ("top", "middle", "bottom")]
    cases += [("cell_align", a) for a in ("left", "center", "right")]
    cases += [("cell_valign", a) for a in ("top", "middle", "bottom")]
    cases += [("rules", r) for r in ("grid", "rows", "frame", "none")]
    cases += [("shaded_header", False), ("repeat_header", False)]
    cases += [("table_per_question", True), ("distribution_inside", False)]
    cases += [("number_own_line", 0.0), ("number_own_line", 1.0), ("flush_comments", True)]
    cases += [("bullet", b) for b in ("•", "-", "◦")]
    cases += [("running_header", h) for h in ("report", "code-term", "title-term", "none")]
    cases += [("footer", f) for f in ("page-of", "slash", "page", "dashes", "university")]
    cases += [("footer_align", "left"), ("shuffle", True)]
    return cases


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
@pytest.mark.parametrize(("axis", "value"), _axis_cases(), ids=lambda v: str(v)[:12])
def test_each_style_axis_round_trips(layout: str, axis: str, value: object) -> None:
    """One axis changed from the classic drawing at a time, so a failure names its axis."""
    style = dataclasses.replace(CLASSIC, **{axis: value})
    if axis == "bullet" and value == "◦":
        style = dataclasses.replace(style, family=available_families()[-1])
    round_trip(build(layout), 3, style)


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_narrow_columns_wrap_headers_and_numbers_mid_word(layout: str) -> None:
    style = dataclasses.replace(CLASSIC, value_width=24.0, size=9.5, cell_valign="bottom")
    doc = open_pdf(render(build(layout), 0, style))
    texts = {s.text for line in read_page(doc, 0).lines for s in line.segments}
    doc.close()
    assert "Number" not in texts  # `Number` broke mid-word
    assert layout == "blue" or "%" in texts  # and `71%` broke onto two lines
    round_trip(build(layout), 0, style)


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_a_long_title_wraps_and_still_reads(layout: str) -> None:
    title = "Advanced Topics in Computational Models of Language Acquisition (Seminar) 3"
    report = build(layout, term="Full Summer 2024")
    report = report.model_copy(update={"course": report.course.model_copy(update={"title": title})})
    style = dataclasses.replace(CLASSIC, title_size=16.0, title_width=0.45)
    doc = open_pdf(render(report, 0, style))
    first = read_page(doc, 0).lines[:3]
    doc.close()
    assert not any("Full Summer 2024" in line.text and title in line.text for line in first)
    round_trip(report, 0, style)


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
@pytest.mark.parametrize("repeat", [True, False])
def test_long_table_continues_across_pages(layout: str, repeat: bool) -> None:
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
    for valign in ("top", "middle", "bottom"):
        style = dataclasses.replace(CLASSIC, repeat_header=repeat, cell_valign=valign)
        round_trip(report, 1, style)


def test_comment_lines_starting_with_numbers_are_exercised() -> None:
    """The list comment must really wrap onto text lines that begin with a digit."""
    doc = open_pdf(render(build("collegenet"), 0, CLASSIC))
    text_x = CLASSIC.margin + NUMBER_COLUMN
    starts = [
        line.text
        for index in range(len(doc))
        for line in read_page(doc, index).lines
        if abs(line.x - text_x) < 1 and line.text[0].isdigit()
    ]
    doc.close()
    assert starts


# --- completeness checks: each one fails a report that violates it --------------------------


def _failure(report: ParsedReport, style: RenderStyle = CLASSIC) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(render(report, 2, style))
    return info.value


def test_a_count_line_that_disagrees_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_collegenet, "count_line", lambda n: f"({n + 1} comments)")
    error = _failure(build("collegenet"))
    assert error.reason == "comment_count" and "says 5 comments, found 4" in str(error)


def test_a_distribution_that_does_not_sum_to_the_responses_fails() -> None:
    report = build("blue")
    bad = report.questions[0].model_copy(update={"responses": 40})
    error = _failure(report.model_copy(update={"questions": [bad, *report.questions[1:]]}))
    assert error.reason == "checksum" and "distribution sums to" in str(error)


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_more_responses_than_enrolled_fails(layout: str) -> None:
    error = _failure(build(layout, enrollment=20))
    assert error.reason == "checksum" and "enrolled" in str(error)


def test_a_mean_outside_the_scale_fails() -> None:
    report = build("collegenet")
    bad = report.questions[2].model_copy(update={"dept_mean": 5.4})
    error = _failure(report.model_copy(update={"questions": [*report.questions[:2], bad]}))
    assert error.reason == "checksum" and "outside 1-5" in str(error)


def test_a_rate_that_is_not_responses_over_enrollment_fails() -> None:
    report = build("collegenet")
    bad = report.questions[0].model_copy(update={"response_rate": 0.9})
    error = _failure(report.model_copy(update={"questions": [bad, *report.questions[1:]]}))
    assert error.reason == "checksum" and "does not match" in str(error)


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_a_report_whose_tables_are_unreadable_fails_naming_the_page(layout: str) -> None:
    error = _failure(build(layout, questions=[]))
    assert error.reason == "no_ratings" and error.page == 1


def test_text_no_rule_claims_fails_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pdf_collegenet.draw_frequency_table

    def with_stray_text(flow, text, bins):  # type: ignore[no-untyped-def]
        real(flow, text, bins)
        flow.block(
            ["An unexpected paragraph the parser has never seen before."] * 12,
            flow.left,
            flow.style.fonts.regular,
            flow.style.size,
        )

    monkeypatch.setattr(pdf_collegenet, "draw_frequency_table", with_stray_text)
    error = _failure(build("collegenet"))
    assert error.reason == "unclaimed_text" and "could not be placed" in str(error)


def test_a_little_unclaimed_text_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pdf_collegenet.draw_frequency_table

    def with_a_note(flow, text, bins):  # type: ignore[no-untyped-def]
        real(flow, text, bins)
        flow.block(["Note."], flow.left, flow.style.fonts.regular, flow.style.size)

    monkeypatch.setattr(pdf_collegenet, "draw_frequency_table", with_a_note)
    parsed = parse(render(build("collegenet"), 2, CLASSIC))
    assert any("'Note.'" in w for w in parsed.warnings)


# --- refusals ------------------------------------------------------------------------------


def _pdf(text: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=letter, **kwargs)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def test_encrypted_pdf_is_refused() -> None:
    data = _pdf("Course ID: 1", encrypt=StandardEncryption("secret", "owner"))
    with pytest.raises(ParseError, match="encrypted PDF") as info:
        parse(data)
    assert info.value.reason == "encrypted"


def test_truncated_pdf_is_refused() -> None:
    data = render(build("collegenet"), 0)
    with pytest.raises(ParseError, match="corrupt or truncated"):
        parse(data[: len(data) // 2])


def test_non_pdf_and_non_trace_are_refused() -> None:
    with pytest.raises(ParseError, match="not a PDF"):
        parse(b"hello")
    with pytest.raises(ParseError, match="not a TRACE report") as info:
        parse(_pdf("Quarterly sales figures"))
    assert info.value.reason == "not_trace"


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_missing_course_id_names_field_and_page(layout: str) -> None:
    report = build(layout, full=False)
    report = report.model_copy(update={"course": report.course.model_copy(update={"crn": None})})
    with pytest.raises(ParseError) as info:
        parse(render(report, 0))
    assert info.value.field == "Course ID" and info.value.page == 1


@pytest.mark.parametrize("layout", ["collegenet", "blue"])
def test_unknown_term_is_refused(layout: str) -> None:
    report = build(layout, full=False, term="Fall 2023")
    report = report.model_copy(update={"term": Term(label="Autumn 2023", season="Fall", year=2023)})
    with pytest.raises(ParseError, match="'Autumn 2023' is not a TRACE term") as info:
        parse(render(report, 0))
    assert info.value.field == "term" and info.value.reason == "unknown_term"


def test_page_cap() -> None:
    data = render(build("collegenet"), 0)
    with pytest.raises(ParseError, match=r"has \d+ pages, more than the cap of 2"):
        parse_pdf(data, filename="f", sha256="s", max_pages=2)


def test_benchmark_runs_on_a_small_corpus(tmp_path: Path) -> None:
    for layout in ("collegenet", "blue"):
        (tmp_path / f"{layout}.pdf").write_bytes(render(build(layout, full=False), 0))
    result = run_parse_benchmark(tmp_path, rounds=2)
    assert result["files"] == 2 and result["pages"] >= 2 and result["parse_failures"] == 0
    assert len(result["rounds"]) == 2 and result["whole_process_speedup"] > 0
    assert result["ours_pages_per_s"] > 0 and result["pdfminer_pages_per_s"] > 0
    assert "pages/s" in format_parse_benchmark(result)
