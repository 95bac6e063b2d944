"""Survey exports with one row per respondent: CSV (partitioned by unstructured, every cell kept
as text) and xlsx (openpyxl, under the TRACE export's caps).

Shapes: Google Forms (`Timestamp`, `Email Address`, then the questions), Qualtrics (a row of
column ids, a row of question texts, a row of `{"ImportId": …}`, then the answers) and Microsoft
Forms (`ID`, `Start time`, `Completion time`, `Email`, `Name`, …), or any table whose first row
names its columns. Each shape's respondent columns (timestamps, ids, names, e-mail addresses,
IP addresses, locations) are never stored; `Course`, `Term`, `Title` and `Section` columns are
the survey's own metadata when they hold one value. Every other column is a question.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from core.errors import ParseError
from core.report import ParsedReport
from ingestion.limits import ParseLimits
from ingestion.parsers.survey import SurveyBuilder, UploadFields, text_of
from ingestion.parsers.workbook import check_container, sheet_rows

RESPONDENT_COLUMNS = frozenset(
    name.lower()
    for name in (
        # Google Forms
        "Timestamp",
        "Email Address",
        "Score",
        # Microsoft Forms
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
        "Total points",
        "Quiz feedback",
        # Qualtrics (the question-text row's spellings)
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
    )
)
"""Who answered and when: metadata of a response, never stored (names and addresses least)."""
SURVEY_META = ("course", "term", "title", "section")


def shape_of(rows: Sequence[Sequence[str]]) -> tuple[str, int, int]:
    """(shape, index of the question-text row, index of the first answer row)."""
    first = [c.strip().lower() for c in rows[0]]
    third = rows[2] if len(rows) > 2 else ()
    if any(c.strip().startswith('{"ImportId"') for c in third) and (
        "responseid" in first or "startdate" in first
    ):
        return "qualtrics", 1, 3
    if first[:1] == ["timestamp"]:
        return "google-forms", 0, 1
    if first[:3] == ["id", "start time", "completion time"]:
        return "microsoft-forms", 0, 1
    return "table", 0, 1


def read_table(builder: SurveyBuilder, rows: list[list[str]], limits: ParseLimits) -> None:
    """Map a respondent table onto the builder: metadata, summaries, comments."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ParseError("the survey export is empty", reason="no_answers")
    if len(rows) > limits.max_sheet_rows or max(map(len, rows)) > limits.max_sheet_columns:
        raise ParseError(
            f"the export holds more than {limits.max_sheet_rows} rows or"
            f" {limits.max_sheet_columns} columns",
            reason="too_large",
        )
    shape, head, first = shape_of(rows)
    header = rows[head]
    answers = rows[first:]
    builder.respondents = len(answers)
    builder.warnings.append(f"read as a {shape} export of {len(answers)} responses")
    seen: dict[str, int] = {}
    skipped: list[str] = []
    for index, name in enumerate(header):
        column = [r[index] if index < len(r) else "" for r in answers]
        label = text_of(name)
        if label.lower() in RESPONDENT_COLUMNS:
            skipped.append(label)
            continue
        if label.lower() in SURVEY_META:
            _meta_column(builder, label, column)
            continue
        if not label:
            if any(c.strip() for c in column):
                raise ParseError(
                    f"column {index + 1} holds answers but has no question in its header",
                    reason="unmapped",
                )
            continue
        prompt = builder.prompt(label)
        if prompt in seen:
            raise ParseError(
                f"columns {seen[prompt] + 1} and {index + 1} are both headed {prompt[:60]!r}:"
                " their answers cannot be told apart",
                reason="unmapped",
            )
        seen[prompt] = index
        builder.add_column(prompt, column)
    if skipped:
        builder.warnings.append("respondent columns not stored: " + ", ".join(skipped))


def _meta_column(builder: SurveyBuilder, label: str, column: list[str]) -> None:
    values = sorted({text_of(c) for c in column if text_of(c)})
    if len(values) > 1:
        raise ParseError(
            f"column {label!r} holds {len(values)} values ({', '.join(values[:3])}): a survey"
            " export describes one course and term",
            field=label,
            reason="conflicting_field",
        )
    if values:
        builder.set_meta(label, values[0])


def parse_survey_csv(
    data: bytes,
    *,
    filename: str,
    sha256: str,
    fields: UploadFields,
    limits: ParseLimits,
) -> ParsedReport:
    """A CSV survey export, partitioned by unstructured (one table, every cell as text)."""
    # start-up speed: partition imports unstructured (seconds); only CSV exports need it here
    from ingestion.parsers.partition import partition_csv

    blocks = partition_csv(data)
    rows = [list(r) for b in blocks if b.kind == "table" for r in b.rows]
    builder = SurveyBuilder(filename=filename, layout="survey-csv", fields=fields)
    read_table(builder, rows, limits)
    return builder.build(sha256=sha256)


def parse_survey_xlsx(
    data: bytes,
    *,
    filename: str,
    sha256: str,
    fields: UploadFields,
    limits: ParseLimits,
) -> ParsedReport:
    """An xlsx survey export (Microsoft Forms, or a spreadsheet of responses): the first
    sheet, under the xlsx caps (zip bombs, declared and real sizes)."""
    return parse_survey_rows(
        first_sheet(data, filename, limits),
        filename=filename,
        sha256=sha256,
        fields=fields,
        limits=limits,
    )


def parse_survey_rows(
    sheet: Sequence[Sequence[Any]],
    *,
    filename: str,
    sha256: str,
    fields: UploadFields,
    limits: ParseLimits,
) -> ParsedReport:
    """An xlsx survey export from its first sheet's rows (ingestion.parse reads them once)."""
    rows = [[text_of(_cell(v)) for v in row] for row in sheet]
    builder = SurveyBuilder(filename=filename, layout="survey-xlsx", fields=fields)
    read_table(builder, rows, limits)
    return builder.build(sha256=sha256)


def _cell(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def first_sheet(data: bytes, filename: str, limits: ParseLimits) -> list[tuple[Any, ...]]:
    check_container(data, filename, limits)
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ParseError(f"{filename!r} is not a readable xlsx workbook: {exc}") from exc
    try:
        return sheet_rows(book[book.sheetnames[0]], limits, filename)
    finally:
        book.close()


TRACE_MARKS = frozenset({"question text", "responses incl declines"})


def is_trace_workbook(data: bytes, filename: str, limits: ParseLimits) -> bool:
    """A TRACE Excel export has a `Question Text` header or a `Responses Incl Declines` key
    among its first rows; anything else is a survey export."""
    return is_trace_sheet(first_sheet(data, filename, limits))


def is_trace_sheet(rows: Sequence[Sequence[Any]]) -> bool:
    """`is_trace_workbook` on the first sheet's rows."""
    return any(text_of(v).lower() in TRACE_MARKS for row in rows[:60] for v in row)
