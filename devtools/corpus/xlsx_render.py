"""Render a report as the TRACE Excel export, so the xlsx parser has byte-stable test files."""

from __future__ import annotations

import datetime
import random
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from core.report import ParsedReport

COUNT_COLUMNS = (
    ("5", "Strongly Agree(5)"),
    ("4", "Agree(4)"),
    ("3", "Neutral(3)"),
    ("2", "Disagree(2)"),
    ("1", "Strongly Disagree(1)"),
    ("na", "Not(-1)"),
)
TABLE_COLUMNS = (
    "Question-ID",
    "Question Abbrev",
    "Question Text",
    *(c for _, c in COUNT_COLUMNS),
    "Mean",
    "Median",
    "Std Dev",
    "Response Count",
    "Response Rate",
)
COMMENT_COLUMNS = ("Question", "Number", "Comment")
_FIXED_TIME = datetime.datetime(2024, 1, 1)


def _curly(rng: random.Random, text: str) -> str:
    """Sometimes print apostrophes typographically, as exports from Word-edited questions do."""
    return text.replace("'", "’") if rng.random() < 0.3 else text


def _wrapped(rng: random.Random, text: str) -> str:
    """Sometimes put line breaks into a long comment cell, as students type them."""
    if len(text) < 200 or rng.random() < 0.5:
        return text
    words = text.split(" ")
    cut = rng.randrange(1, len(words))
    return " ".join(words[:cut]) + rng.choice(("\n", "\n\n", " \n")) + " ".join(words[cut:])


def _abbrev(text: str) -> str:
    return " ".join(text.split()[:3]).rstrip(".?,")


def _key_rows(report: ParsedReport, rng: random.Random) -> list[tuple[str, object]]:
    c = report.course
    crn: object = c.crn
    if c.crn is not None and c.crn.isdigit() and rng.random() < 0.5:
        crn = int(c.crn)
    return [
        ("Course", f"{c.code}-{c.section}"),
        ("Title", c.title),
        ("Term", report.term.label),
        ("Instructor", "; ".join(f"{i.last}, {i.first}" for i in report.instructors)),
        ("Course ID", crn),
        ("Enrollment", report.enrollment),
        ("Responses Incl Declines", report.responses_incl_declines),
        ("Declines", report.declines),
    ]


def render_xlsx(report: ParsedReport, *, seed: int) -> bytes:
    """The Excel export of `report` (key rows, question table, Comments sheet); deterministic."""
    rng = random.Random(f"xlsx|{seed}")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "TRACE Report"
    for key, value in _key_rows(report, rng):
        ws.append([key, value])
    ws.append([])
    ws.append(list(TABLE_COLUMNS))
    id_style = rng.choice(("Q{:02d}", "{}", "Q{}"))
    for i, q in enumerate(report.questions, 1):
        if q.distribution is None:
            raise ValueError(f"xlsx export needs a distribution for {q.text!r}")
        rate = None if q.response_rate is None else f"{round(q.response_rate * 100)}%"
        ws.append(
            [
                id_style.format(i),
                _abbrev(q.text),
                _curly(rng, q.text),
                *(q.distribution[k] for k, _ in COUNT_COLUMNS),
                q.course_mean,
                q.course_median,
                q.std_dev,
                q.responses,
                rate,
            ]
        )
    if report.comments:
        cs = wb.create_sheet("Comments")
        cs.append(list(COMMENT_COLUMNS))
        curly_prompts = rng.random() < 0.3
        for c in report.comments:
            prompt = c.prompt.replace("'", "’") if curly_prompts else c.prompt
            cs.append([prompt, c.number, _wrapped(rng, c.text)])
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    """Serialise with fixed document and zip timestamps so equal input gives equal bytes."""
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    raw = BytesIO()
    with ZipFile(raw, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    out = BytesIO()
    with ZipFile(BytesIO(raw.getvalue())) as src, ZipFile(out, "w", ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
