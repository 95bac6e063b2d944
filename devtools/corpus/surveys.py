"""Instructors' own survey exports with known answers, in every format TraceLens reads: Google
Forms and Qualtrics CSV, Microsoft Forms xlsx, and comments in Word, plain text and e-mail.

The truth is what the parser must return (layout `survey-*`): each free-text answer a comment
under its question (columns left to right, respondents in order), each 1-5 column summarised
with the same arithmetic TRACE's figures use (devtools.corpus.content.RatedQuestion). Course,
term and title are written into the file (`in_file`) or left to the upload form (`fields`).
"""

from __future__ import annotations

import csv
import io
import json
import random
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Literal

import docx
from openpyxl import Workbook

from core.report import Comment, Course, Layout, ParsedReport, Question, Term, parse_term
from devtools.corpus.catalogue import COURSES
from devtools.corpus.comments import CommentContext, compose_comment
from devtools.corpus.content import RatedQuestion

ExportKind = Literal["google-forms", "qualtrics", "microsoft-forms", "docx", "txt", "eml"]
KINDS: tuple[ExportKind, ...] = (
    "google-forms",
    "qualtrics",
    "microsoft-forms",
    "docx",
    "txt",
    "eml",
)
LAYOUTS: dict[ExportKind, Layout] = {
    "google-forms": "survey-csv",
    "qualtrics": "survey-csv",
    "microsoft-forms": "survey-xlsx",
    "docx": "survey-docx",
    "txt": "survey-txt",
    "eml": "survey-eml",
}
SUFFIX = {"survey-csv": "csv", "survey-xlsx": "xlsx", "survey-docx": "docx"}
TITLES = ("Mid-term feedback", "Week 6 check-in", "Lab survey", "Project retrospective")
FREE_TEXT = (
    ("strengths", "What is working well in this course so far?"),
    ("improve", "What would help you learn better in the second half of the term?"),
    ("self", "What could you do differently to get more out of this course?"),
)
LIKERT = (
    "The pace of the lectures is right for me.",
    "The homework helps me understand the material.",
    "I know where to get help when I am stuck.",
)
AGREE_LABELS = ("Strongly agree", "Agree", "Neutral", "Disagree", "Strongly disagree")
NO_RESPONSE = "[No Response]"
TERMS = ("Fall 2025", "Spring 2026", "Summer 1 2026", "Fall 2026")


@dataclass
class SurveyExport:
    """A rendered export, the fields its upload needs, and what parsing it must give."""

    kind: ExportKind
    filename: str
    data: bytes
    truth: ParsedReport
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class _Answers:
    course: Course
    term: Term
    title: str
    free: list[tuple[str, list[str]]]
    """(question, one answer per respondent, "" when blank)"""
    scales: list[tuple[str, list[int | None]]]
    """(statement, 1-5 or None (no answer) per respondent; 0 is N/A)"""


def _draw(rng: random.Random, kind: ExportKind) -> _Answers:
    subject = rng.choice(list(COURSES))
    number, _ = rng.choice(COURSES[subject])
    section = rng.choice(("01", "02", "03"))
    term = parse_term(rng.choice(TERMS))
    assert term is not None
    respondents = rng.randint(4, 30)
    ctx = CommentContext(("the professor", "the instructor", "Prof. Lee"), subject, False)
    free = []
    for kind_, prompt in rng.sample(FREE_TEXT, k=rng.randint(1, len(FREE_TEXT))):
        answers = [
            "" if rng.random() < 0.25 else compose_comment(rng, kind_, 0.6, ctx, long=False).text
            for _ in range(respondents)
        ]
        free.append((prompt, answers))
    scales: list[tuple[str, list[int | None]]] = []
    if kind in ("google-forms", "qualtrics", "microsoft-forms"):
        for statement in rng.sample(LIKERT, k=rng.randint(0, len(LIKERT))):
            centre = rng.uniform(2.5, 4.8)
            values: list[int | None] = []
            for _ in range(respondents):
                roll = rng.random()
                if roll < 0.1:
                    values.append(None)
                elif roll < 0.15 and kind != "qualtrics":
                    values.append(0)
                else:
                    values.append(max(1, min(5, round(rng.gauss(centre, 0.9)))))
            if any(v for v in values):
                scales.append((statement, values))
    course = Course(
        code=subject + number,
        subject=subject,
        number=number,
        section=section,
        title=rng.choice(TITLES),
        crn=None,
    )
    return _Answers(course, term, course.title, free, scales)


def _truth(
    a: _Answers, layout: Layout, respondents: int | None, columns: list[str]
) -> ParsedReport:
    """What the parser must return; `columns` is the order questions stand in the file."""
    questions: list[Question] = []
    comments: list[Comment] = []
    free, scales = dict(a.free), dict(a.scales)
    for column in columns:
        if column in free:
            given = [" ".join(t.split()) for t in free[column] if t.strip()]
            comments += [Comment(prompt=column, number=i, text=t) for i, t in enumerate(given, 1)]
        else:
            values = scales[column]
            dist = {k: sum(1 for v in values if v == int(k)) for k in ("5", "4", "3", "2", "1")}
            dist["na"] = sum(1 for v in values if v == 0)
            rated = RatedQuestion("", column, "agreement", dist, 0.0, 0.0, 0.0, 0.0)
            questions.append(
                Question(
                    section=None,
                    text=column,
                    responses=rated.responses,
                    response_rate=None,
                    course_mean=rated.course_mean,
                    dept_mean=None,
                    univ_mean=None,
                    course_median=rated.course_median,
                    dept_median=None,
                    univ_median=None,
                    std_dev=rated.std_dev,
                    distribution=dist,
                )
            )
    return ParsedReport(
        file="",
        sha256="",
        layout=layout,
        course=a.course,
        term=a.term,
        instructors=[],
        enrollment=None,
        responses_incl_declines=respondents,
        declines=None,
        questions=questions,
        frequencies=[],
        comments=comments,
        warnings=[],
    )


def _label(value: int | None) -> str:
    if value is None:
        return ""
    return "N/A" if value == 0 else AGREE_LABELS[5 - value]


def _table(
    rng: random.Random, a: _Answers, kind: ExportKind, in_file: bool
) -> tuple[bytes, list[str]]:
    """A respondent table in the kind's shape; returns its bytes and its question order."""
    columns = [q for q, _ in a.free] + [s for s, _ in a.scales]
    rng.shuffle(columns)
    answers = {**dict(a.free), **{s: [_label(v) for v in vals] for s, vals in a.scales}}
    if kind == "qualtrics":
        answers.update({s: ["" if v is None else str(v) for v in vals] for s, vals in a.scales})
    n = len(a.free[0][1])
    start = datetime(2025, 10, 1, 9, 0) + timedelta(days=rng.randint(0, 200))
    stamps = [start + timedelta(minutes=7 * i + rng.randint(0, 6)) for i in range(n)]
    meta = [
        ("Course", f"{a.course.code}-{a.course.section}"),
        ("Term", a.term.label),
        ("Title", a.title),
    ]
    extra = meta if in_file else []
    if kind == "google-forms":
        head = ["Timestamp", "Email Address", *columns, *(k for k, _ in extra)]
        rows = [
            [t.strftime("%Y/%m/%d %I:%M:%S %p EST"), f"student{i}@northeastern.edu"]
            + [answers[c][i] for c in columns]
            + [v for _, v in extra]
            for i, t in enumerate(stamps)
        ]
        return _csv([head, *rows]), columns
    if kind == "qualtrics":
        ids = [
            "StartDate",
            "EndDate",
            "Status",
            "IPAddress",
            "Progress",
            "Duration (in seconds)",
            "Finished",
            "RecordedDate",
            "ResponseId",
            "RecipientLastName",
            "RecipientFirstName",
            "RecipientEmail",
            "ExternalReference",
            "LocationLatitude",
            "LocationLongitude",
            "DistributionChannel",
            "UserLanguage",
        ]
        texts = [
            "Start Date",
            "End Date",
            "Response Type",
            "IP Address",
            "Progress",
            "Duration (in seconds)",
            "Finished",
            "Recorded Date",
            "Response ID",
            "Recipient Last Name",
            "Recipient First Name",
            "Recipient Email",
            "External Data Reference",
            "Location Latitude",
            "Location Longitude",
            "Distribution Channel",
            "User Language",
        ]
        qids = [f"Q{i + 1}" for i in range(len(columns))] + [k for k, _ in extra]
        imports = (
            [json.dumps({"ImportId": i[0].lower() + i[1:]}) for i in ids]
            + [json.dumps({"ImportId": f"QID{i + 1}_TEXT"}) for i in range(len(columns))]
            + [json.dumps({"ImportId": k}) for k, _ in extra]
        )
        rows = []
        for i, t in enumerate(stamps):
            done = t + timedelta(minutes=rng.randint(2, 15))
            rows.append(
                [
                    t.isoformat(" "),
                    done.isoformat(" "),
                    "IP Address",
                    f"10.0.{i}.7",
                    "100",
                    str(int((done - t).total_seconds())),
                    "True",
                    done.isoformat(" "),
                    f"R_{rng.getrandbits(40):010x}",
                    "",
                    "",
                    "",
                    "",
                    "42.3398",
                    "-71.0892",
                    "anonymous",
                    "EN",
                ]
                + [answers[c][i] for c in columns]
                + [v for _, v in extra]
            )
        table = [ids + qids, texts + columns + [k for k, _ in extra], imports, *rows]
        return b"\xef\xbb\xbf" + _csv(table), columns
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["ID", "Start time", "Completion time", "Email", "Name", *columns, *(k for k, _ in extra)]
    )
    for i, t in enumerate(stamps):
        sheet.append(
            [
                i + 1,
                t,
                t + timedelta(minutes=5),
                "anonymous",
                None,
                *(answers[c][i] or None for c in columns),
                *(v for _, v in extra),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), columns


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _with_blanks(rng: random.Random, answers: list[str]) -> list[str]:
    """The answers given, with `[No Response]` slotted in as some exports print blanks."""
    given = [t for t in answers if t.strip()]
    for _ in range(rng.randrange(2)):
        given.insert(rng.randrange(len(given) + 1), NO_RESPONSE)
    return given


def _text_lines(rng: random.Random, a: _Answers, in_file: bool, *, title: bool) -> list[str]:
    """The comments as a person pastes them: metadata lines, questions, bulleted answers."""
    lines: list[str] = []
    if in_file:
        lines += [f"Course: {a.course.code}-{a.course.section}", f"Term: {a.term.label}"]
        if title:
            lines.append(f"Title: {a.title}")
        lines.append("")
    for prompt, answers in a.free:
        lines.append(f"Q: {prompt}" if rng.random() < 0.3 else prompt)
        style = rng.choice(("-", "*", "•", "numbered", "paragraphs"))
        if rng.random() < 0.5:
            lines.append("")
        for k, text in enumerate(_with_blanks(rng, answers), 1):
            if style == "paragraphs":
                lines += [text, ""]
                continue
            mark = f"{k}." if style == "numbered" else style
            wrapped = textwrap.wrap(text, 72, break_on_hyphens=False, break_long_words=False)
            lines.append(f"{mark} {wrapped[0]}")
            lines += [f"   {rest}" for rest in wrapped[1:]]
        lines.append("")
    return lines


def _docx(rng: random.Random, a: _Answers, in_file: bool) -> bytes:
    doc = docx.Document()
    if in_file:
        doc.add_paragraph(f"Course: {a.course.code}-{a.course.section}")
        doc.add_paragraph(f"Term: {a.term.label}")
        doc.add_paragraph(f"Title: {a.title}")
    for prompt, answers in a.free:
        if rng.random() < 0.5:
            doc.add_heading(prompt, level=rng.choice((1, 2, 3)))
        else:
            doc.add_paragraph(prompt)
        style = rng.choice(("List Bullet", "List Number", "Normal"))
        for text in _with_blanks(rng, answers):
            doc.add_paragraph(text, style=style)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _eml(rng: random.Random, a: _Answers, in_file: bool) -> bytes:
    message = EmailMessage()
    message["From"] = "TA <ta@northeastern.edu>"
    message["To"] = "Professor <prof@northeastern.edu>"
    message["Date"] = "Mon, 20 Oct 2025 09:30:00 -0400"
    if in_file:
        message["Subject"] = a.title
    body = "\n".join(_text_lines(rng, a, in_file, title=False))
    message.set_content(body + "\n-- \nCourse TA\nNortheastern University\n")
    if rng.random() < 0.5:
        message.add_alternative(f"<html><body><pre>{body}</pre></body></html>", subtype="html")
    return message.as_bytes()


def make_export(kind: ExportKind, *, seed: int, in_file: bool) -> SurveyExport:
    """One export of `kind` with known answers; `fields` are what its upload must say."""
    rng = random.Random(f"survey-export|{kind}|{seed}")
    a = _draw(rng, kind)
    layout = LAYOUTS[kind]
    respondents: int | None = None
    if kind in ("google-forms", "qualtrics", "microsoft-forms"):
        data, columns = _table(rng, a, kind, in_file)
        respondents = len(a.free[0][1])
    elif kind == "docx":
        data, columns = _docx(rng, a, in_file), [q for q, _ in a.free]
    elif kind == "eml":
        data, columns = _eml(rng, a, in_file), [q for q, _ in a.free]
    else:
        body = "\n".join(_text_lines(rng, a, in_file, title=True)) + "\n"
        data, columns = body.encode("utf-8"), [q for q, _ in a.free]
    stem = f"{a.course.code.lower()}-{a.term.label.lower().replace(' ', '')}-{kind}-{seed}"
    filename = f"{stem}.{SUFFIX.get(layout, layout.removeprefix('survey-'))}"
    truth = _truth(a, layout, respondents, columns)
    fields = (
        {}
        if in_file
        else {
            "course": f"{a.course.code}-{a.course.section}",
            "term": a.term.label,
            "title": a.title,
        }
    )
    return SurveyExport(kind, filename, data, truth.model_copy(update={"file": filename}), fields)
