"""Parse the TRACE Excel export by header names, so column order and extra columns do not matter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from core.errors import ParseError
from core.report import (
    Comment,
    Course,
    Instructor,
    ParsedReport,
    Question,
    normalize_quotes,
    parse_term,
)
from ingestion.limits import ParseLimits
from ingestion.parsers.checks import check_report
from ingestion.parsers.workbook import Row, read_workbook

KEYS = (
    "Course",
    "Title",
    "Term",
    "Instructor",
    "Course ID",
    "Enrollment",
    "Responses Incl Declines",
    "Declines",
)


COUNT_COLUMNS = (
    ("5", "Strongly Agree(5)"),
    ("4", "Agree(4)"),
    ("3", "Neutral(3)"),
    ("2", "Disagree(2)"),
    ("1", "Strongly Disagree(1)"),
    ("na", "Not(-1)"),
)


REQUIRED_COLUMNS = (
    "Question Text",
    *(c for _, c in COUNT_COLUMNS),
    "Mean",
    "Median",
    "Std Dev",
    "Response Count",
    "Response Rate",
)


_COURSE_RE = re.compile(r"^([A-Z]{2,5})\s*(\d{3,4}[A-Z]?)\s*-\s*([A-Z0-9]{1,4})$")


_RATE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")


class _Bad(ValueError):
    """A cell that does not hold the kind of value its column needs."""


def _norm(value: Any) -> str:
    """Header/key spelling that ignores case, spaces and typographic quotes."""
    return re.sub(r"\s+", "", normalize_quotes(str(value))).lower() if value is not None else ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _at(row: Row, index: int | None) -> Any:
    return row[index] if index is not None and index < len(row) else None


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise _Bad(value)


def _float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError as exc:
        raise _Bad(value) from exc


def _rate(value: Any) -> float:
    """`71%` (or a percent-formatted number 0.71) as the fraction 0.71."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if value <= 1 else float(value) / 100
    match = _RATE_RE.match(str(value).strip())
    if match is None:
        raise _Bad(value)
    number = match.group(1)
    return int(number) / 100 if number.isdigit() else float(number) / 100


def _columns(header: Row, required: Sequence[str], what: str) -> dict[str, int]:
    """Map each column name to its index; ParseError naming every missing required one."""
    index = {_norm(v): i for i, v in enumerate(header) if not _blank(v)}
    found = {name: index[_norm(name)] for name in required if _norm(name) in index}
    missing = [name for name in required if name not in found]
    if missing:
        raise ParseError(
            f"{what} lacks column(s) {', '.join(map(repr, missing))}", field=missing[0]
        )
    return found


class _Parser:
    """Holds the warnings while one workbook is read."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.warnings: list[str] = []

    def keys(self, rows: list[Row]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for row in rows:
            cells = [v for v in row if not _blank(v)]
            if cells:
                values.setdefault(_norm(cells[0]), cells[1] if len(cells) > 1 else None)
        out = {}
        for key in KEYS:
            if _norm(key) not in values:
                raise ParseError(
                    f"{self.filename!r} lacks the {key!r} row", field=key, reason="missing_field"
                )
            out[key] = values[_norm(key)]
        return out

    def optional_int(self, value: Any, field: str) -> int | None:
        if _blank(value):
            self.warnings.append(f"{field} is empty")
            return None
        try:
            return _int(value)
        except _Bad:
            self.warnings.append(f"{field} {value!r} is not a whole number")
            return None

    def course(self, keys: dict[str, Any]) -> Course:
        code = _text(keys["Course"] or "").upper()
        match = _COURSE_RE.match(code)
        if match is None:
            raise ParseError(
                f"course {code!r} is not like CS5800-01", field="Course", reason="missing_field"
            )
        subject, number, section = match.groups()
        title = _text(keys["Title"] or "")
        if not title:
            raise ParseError("course title is empty", field="Title", reason="missing_field")
        crn_value = keys["Course ID"]
        try:
            crn = str(_int(crn_value))
        except _Bad:
            crn = _text(crn_value) if not _blank(crn_value) else ""
            if not crn:
                raise ParseError(
                    "Course ID is empty", field="Course ID", reason="missing_field"
                ) from None
            self.warnings.append(f"Course ID {crn!r} is not a number")
        return Course(
            code=subject + number,
            subject=subject,
            number=number,
            section=section,
            title=title,
            crn=crn,
        )

    def instructors(self, value: Any) -> list[Instructor]:
        names = [n.strip() for n in _text(value or "").split(";") if n.strip()]
        if not names:
            raise ParseError("no instructor named", field="Instructor", reason="missing_field")
        out = []
        for name in names:
            last, sep, first = name.partition(",")
            if not sep:
                self.warnings.append(f"instructor {name!r} is not 'Last, First'")
            out.append(Instructor(last=last.strip(), first=first.strip()))
        return out

    def question(self, row: Row, cols: dict[str, int], line: int) -> Question | None:
        def cell(name: str) -> Any:
            return _at(row, cols[name])

        if _blank(cell("Question Text")):
            if any(not _blank(v) for v in row):
                self.warnings.append(f"table row {line} has no question text; skipped")
            return None
        text = normalize_quotes(_text(cell("Question Text")))
        distribution: dict[str, int] | None = {}
        try:
            distribution = {k: 0 if _blank(cell(c)) else _int(cell(c)) for k, c in COUNT_COLUMNS}
        except _Bad:
            self.warnings.append(f"question {text!r}: option counts are not whole numbers")
            distribution = None

        def number(name: str, convert: Any) -> Any:
            value = cell(name)
            if _blank(value):
                self.warnings.append(f"question {text!r}: {name} is empty")
                return None
            try:
                return convert(value)
            except _Bad:
                self.warnings.append(f"question {text!r}: {name} {value!r} is not a number")
                return None

        responses = number("Response Count", _int)
        if (
            distribution is not None
            and responses is not None
            and responses != sum(distribution[k] for k in ("5", "4", "3", "2", "1"))
        ):
            self.warnings.append(
                f"question {text!r}: Response Count {responses} differs from "
                "the sum of the option counts"
            )
        return Question(
            section=None,
            text=text,
            responses=responses,
            response_rate=number("Response Rate", _rate),
            course_mean=number("Mean", _float),
            dept_mean=None,
            univ_mean=None,
            course_median=number("Median", _float),
            dept_median=None,
            univ_median=None,
            std_dev=number("Std Dev", _float),
            distribution=distribution,
        )

    def comments(self, rows: list[Row]) -> list[Comment]:
        start = next((i for i, r in enumerate(rows) if any(_norm(v) == "comment" for v in r)), None)
        if start is None:
            raise ParseError("the Comments sheet has no header row", field="Comment")
        cols = _columns(rows[start], ("Question", "Comment"), "the Comments sheet")
        num_col = next((i for i, v in enumerate(rows[start]) if _norm(v) == "number"), None)
        out: list[Comment] = []
        seen: dict[str, int] = {}
        for row in rows[start + 1 :]:
            text = _text(_at(row, cols["Comment"]) or "")
            if not text or text == "[No Response]":
                continue
            prompt = normalize_quotes(_text(_at(row, cols["Question"]) or ""))
            if not prompt:
                self.warnings.append(f"comment {text[:40]!r} has no question; skipped")
                continue
            seen[prompt] = seen.get(prompt, 0) + 1
            try:
                number = _int(_at(row, num_col))
            except _Bad:
                self.warnings.append(f"comment {text[:40]!r} has no usable number")
                number = seen[prompt]
            out.append(Comment(prompt=prompt, number=number, text=text))
        return out


def parse_xlsx(
    data: bytes, *, filename: str, sha256: str, limits: ParseLimits | None = None
) -> ParsedReport:
    """Read a TRACE Excel export into a ParsedReport; ParseError names what is missing."""
    main, comment_rows = read_workbook(data, filename, limits or ParseLimits())
    return parse_xlsx_rows(main, comment_rows, filename=filename, sha256=sha256)


def parse_xlsx_rows(
    main: list[Row], comment_rows: list[Row] | None, *, filename: str, sha256: str
) -> ParsedReport:
    """A TRACE Excel export from its sheets' rows (ingestion.parse reads the workbook once)."""
    p = _Parser(filename)
    head = next((i for i, r in enumerate(main) if any(_norm(v) == "questiontext" for v in r)), None)
    if head is None:
        raise ParseError(
            f"{filename!r} has no question table", field="Question Text", reason="no_ratings"
        )
    keys = p.keys(main[:head])
    label = _text(keys["Term"] or "")
    term = parse_term(label)
    if term is None:
        raise ParseError(f"unknown term label {label!r}", field="term", reason="unknown_term")
    cols = _columns(main[head], REQUIRED_COLUMNS, "the question table")
    questions = [
        q
        for line, row in enumerate(main[head + 1 :], head + 2)
        if (q := p.question(row, cols, line)) is not None
    ]
    report = ParsedReport(
        file=filename,
        sha256=sha256,
        layout="xlsx",
        course=p.course(keys),
        term=term,
        instructors=p.instructors(keys["Instructor"]),
        enrollment=p.optional_int(keys["Enrollment"], "Enrollment"),
        responses_incl_declines=p.optional_int(
            keys["Responses Incl Declines"], "Responses Incl Declines"
        ),
        declines=p.optional_int(keys["Declines"], "Declines"),
        questions=questions,
        frequencies=[],
        comments=[] if comment_rows is None else p.comments(comment_rows),
        warnings=p.warnings,
    )
    check_report(report)
    return report
