"""Survey exports: every format round-trips its known answers exactly, with course and term from
the file or from the upload form, and what cannot be mapped is refused with its reason."""

from __future__ import annotations

import csv
import hashlib
import io
from email.message import EmailMessage

import pytest

from core.errors import ParseError, UploadRejected
from devtools.corpus.surveys import KINDS, ExportKind, make_export
from ingestion.parse import parse_report
from ingestion.parsers.survey import UploadFields, clean_fields

SEEDS = range(6)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("in_file", [True, False], ids=["in-file", "from-form"])
def test_each_format_round_trips_its_answers(kind: ExportKind, in_file: bool) -> None:
    for seed in SEEDS:
        export = make_export(kind, seed=seed, in_file=in_file)
        parsed = parse_report(
            export.data, filename=export.filename, fields=UploadFields(**export.fields)
        )
        truth = export.truth.model_copy(update={"sha256": hashlib.sha256(export.data).hexdigest()})
        assert parsed.model_dump(exclude={"warnings"}) == truth.model_dump(exclude={"warnings"})
        assert parsed.source_type == "survey" and parsed.instructors == []
        assert parsed.comments, "every generated export holds comments"


def test_likert_columns_are_summarised_in_the_table_formats() -> None:
    summarised = [
        q
        for kind in ("google-forms", "qualtrics", "microsoft-forms")
        for seed in SEEDS
        for q in make_export(kind, seed=seed, in_file=True).truth.questions
    ]
    assert len(summarised) >= 6
    for q in summarised:
        assert q.distribution is not None and q.responses == sum(q.distribution[k] for k in "54321")
        assert q.course_mean is not None and 1 <= q.course_mean <= 5


def test_respondent_columns_are_never_stored() -> None:
    export = make_export("google-forms", seed=1, in_file=True)
    parsed = parse_report(export.data, filename=export.filename)
    assert not any("@northeastern.edu" in c.text for c in parsed.comments)
    assert not any(c.prompt in ("Timestamp", "Email Address") for c in parsed.comments)
    assert any("Email Address" in w for w in parsed.warnings)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


FORM = UploadFields(course="CS5800-01", term="Fall 2025", title="Mid-term")


@pytest.mark.parametrize(
    ("data", "fields", "reason", "words"),
    [
        (
            _csv([["Timestamp", "Hours per week?"], ["t1", "12"], ["t2", "3"]]),
            FORM,
            "unmapped",
            "outside the 1-5 scale",
        ),
        (
            _csv([["Timestamp", "What went well?"], ["t1", "Labs"]]),
            UploadFields(),
            "missing_field",
            "needs its course",
        ),
        (
            _csv([["Timestamp", "What went well?"], ["t1", "Labs"]]),
            UploadFields(course="CS5800"),
            "missing_field",
            "needs its term",
        ),
        (
            _csv([["What went well?", "Course", "Term"], ["Labs", "CS5800", "Fall 2025"]]),
            UploadFields(course="CS3500"),
            "conflicting_field",
            "the upload form says course",
        ),
        (
            _csv([["Course", "What went well?"], ["CS5800", "Labs"], ["CS3500", "Talks"]]),
            UploadFields(term="Fall 2025"),
            "conflicting_field",
            "describes one course",
        ),
        (
            _csv([["Q?", "Q?"], ["a", "b"]]),
            FORM,
            "unmapped",
            "both headed",
        ),
        (
            _csv([["What went well?", ""], ["a", "b"]]),
            FORM,
            "unmapped",
            "no question in its header",
        ),
        (
            _csv([["Timestamp", "What went well?"], ["t1", ""]]),
            FORM,
            "no_answers",
            "no answers",
        ),
        (
            b"Hi all, here are the comments.\n\nWhat went well?\n- Labs\n",
            FORM,
            "unmapped",
            "before the first question",
        ),
        (
            b"What went well?\n> quoted reply\n",
            FORM,
            "unmapped",
            "quoted e-mail text",
        ),
        (
            _csv([["Timestamp", "What went well?"], ["t1", "Labs"]]),
            UploadFields(course="CS5800", term="Autumn 2025"),
            "unknown_term",
            "Autumn 2025",
        ),
    ],
)
def test_what_cannot_be_mapped_is_refused_with_its_reason(
    data: bytes, fields: UploadFields, reason: str, words: str
) -> None:
    with pytest.raises(ParseError) as err:
        parse_report(data, filename="export.csv", fields=fields)
    assert err.value.reason == reason, str(err.value)
    assert words in str(err.value)


def test_an_email_with_an_attachment_is_refused() -> None:
    message = EmailMessage()
    message["From"] = "ta@northeastern.edu"
    message["Subject"] = "Comments"
    message.set_content("Course: CS5800\nTerm: Fall 2025\n\nWhat went well?\n- Labs\n")
    message.add_attachment(b"a,b\n1,2\n", maintype="text", subtype="csv", filename="more.csv")
    with pytest.raises(ParseError) as err:
        parse_report(message.as_bytes(), filename="comments.eml")
    assert err.value.reason == "unmapped" and "more.csv" in str(err.value)


def test_a_docx_table_is_refused() -> None:
    import docx

    doc = docx.Document()
    doc.add_paragraph("What went well?")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Question"
    table.cell(1, 0).text = "Labs"
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(ParseError) as err:
        parse_report(out.getvalue(), filename="c.docx", fields=FORM)
    assert err.value.reason == "unmapped" and "table" in str(err.value)


def test_without_a_title_the_file_name_titles_it() -> None:
    data = _csv([["Timestamp", "What went well?"], ["t1", "Labs"]])
    parsed = parse_report(
        data, filename="feedback.csv", fields=UploadFields(course="CS5800", term="Fall 2025")
    )
    assert parsed.course.title == "feedback.csv" and parsed.course.section == ""
    assert any("titled 'feedback.csv'" in w for w in parsed.warnings)


def test_form_fields_are_cleaned_and_checked_at_upload() -> None:
    fields = clean_fields(course=" cs5800-01 ", term="Fall  2025", title="  Mid  term ")
    assert fields == UploadFields(course="CS5800-01", term="Fall 2025", title="Mid term")
    assert clean_fields(course="", term=None, title=" ").given() == {}
    for bad in ({"course": "Algorithms"}, {"term": "Fall"}, {"title": "x" * 201}):
        with pytest.raises(UploadRejected):
            clean_fields(**{"course": None, "term": None, "title": None, **bad})


def test_a_trace_report_ignores_form_fields_with_a_warning() -> None:
    from devtools.corpus.content import generate_surveys, project
    from devtools.corpus.xlsx_render import render_xlsx

    data = render_xlsx(project(generate_surveys(1, 3)[0], "xlsx"), seed=1)
    parsed = parse_report(data, filename="r.xlsx", fields=FORM)
    assert parsed.layout == "xlsx" and parsed.source_type == "trace"
    assert any("were not used" in w for w in parsed.warnings)
