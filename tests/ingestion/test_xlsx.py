"""The xlsx parser against rendered exports: round trip, header-name lookup, and clear failures."""

from __future__ import annotations

import random
from collections.abc import Callable
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.errors import ParseError
from core.report import ParsedReport
from devtools.corpus.content import generate_surveys, project
from devtools.corpus.xlsx_render import TABLE_COLUMNS, render_xlsx
from ingestion.parsers.xlsx import parse_xlsx


def _truth(index: int = 0, seed: int = 11) -> ParsedReport:
    return project(generate_surveys(index + 1, seed)[index], "xlsx")


def _expected(report: ParsedReport) -> ParsedReport:
    return report.model_copy(update={"file": "r.xlsx", "sha256": "abc"})


def _parse(data: bytes) -> ParsedReport:
    return parse_xlsx(data, filename="r.xlsx", sha256="abc")


def _edit(data: bytes, change: Callable[[Worksheet], None]) -> bytes:
    """Apply `change` to the first sheet of a rendered workbook and serialise it again."""
    wb = load_workbook(BytesIO(data))
    sheet = wb.worksheets[0]
    change(sheet)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _header_row(ws: Worksheet) -> int:
    for row in ws.iter_rows():
        if any(c.value == "Question Text" for c in row):
            return int(row[0].row)
    raise AssertionError("no header row")


def _set_key(name: str, value: object) -> Callable[[Worksheet], None]:
    def change(ws: Worksheet) -> None:
        for row in ws.iter_rows():
            if row[0].value == name:
                row[1].value = value

    return change


def test_round_trip_over_many_surveys() -> None:
    for index, survey in enumerate(generate_surveys(40, seed=5)):
        truth = project(survey, "xlsx")
        assert _parse(render_xlsx(truth, seed=index)) == _expected(truth)


def test_render_is_byte_stable() -> None:
    truth = _truth()
    assert render_xlsx(truth, seed=3) == render_xlsx(truth, seed=3)


def test_columns_are_found_by_name_in_any_order() -> None:
    truth = _truth(1)

    def shuffle(ws: Worksheet) -> None:
        head = _header_row(ws)
        width = len(TABLE_COLUMNS)
        order = list(range(width))
        random.Random(4).shuffle(order)
        for r in range(head, ws.max_row + 1):
            values = [ws.cell(r, c + 1).value for c in range(width)]
            for c, src in enumerate(order):
                ws.cell(r, c + 1).value = values[src]

    assert _parse(_edit(render_xlsx(truth, seed=1), shuffle)) == _expected(truth)


def test_extra_columns_and_key_rows_are_ignored() -> None:
    truth = _truth(2)

    def add(ws: Worksheet) -> None:
        head = _header_row(ws)
        ws.cell(head, len(TABLE_COLUMNS) + 1).value = "Benchmark"
        ws.cell(head + 1, len(TABLE_COLUMNS) + 1).value = "n/a"
        ws.insert_rows(1)
        ws.cell(1, 1).value = "Report Generated"
        ws.cell(1, 2).value = "2024-01-01"

    assert _parse(_edit(render_xlsx(truth, seed=2), add)) == _expected(truth)


def test_missing_column_names_it() -> None:
    def drop(ws: Worksheet) -> None:
        ws.delete_cols(TABLE_COLUMNS.index("Std Dev") + 1)

    with pytest.raises(ParseError, match="Std Dev") as err:
        _parse(_edit(render_xlsx(_truth(), seed=0), drop))
    assert err.value.field == "Std Dev"


def test_missing_key_row_names_it() -> None:
    def drop(ws: Worksheet) -> None:
        for row in ws.iter_rows():
            if row[0].value == "Course ID":
                ws.delete_rows(int(row[0].row))
                return

    with pytest.raises(ParseError) as err:
        _parse(_edit(render_xlsx(_truth(), seed=0), drop))
    assert err.value.field == "Course ID"


def test_unknown_term_label() -> None:
    data = _edit(render_xlsx(_truth(), seed=0), _set_key("Term", "Autumn 2023"))
    with pytest.raises(ParseError, match="Autumn 2023") as err:
        _parse(data)
    assert err.value.field == "term"


def test_bad_course_code() -> None:
    data = _edit(render_xlsx(_truth(), seed=0), _set_key("Course", "Algorithms"))
    with pytest.raises(ParseError) as err:
        _parse(data)
    assert err.value.field == "Course"


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04" + b"\0" * 100])
def test_corrupt_bytes(data: bytes) -> None:
    with pytest.raises(ParseError) as err:
        _parse(data)
    assert err.value.field == "file"


def test_truncated_workbook() -> None:
    data = render_xlsx(_truth(), seed=0)
    with pytest.raises(ParseError):
        _parse(data[: len(data) // 2])


def test_zip_that_is_not_a_workbook() -> None:
    wb = Workbook()
    out = BytesIO()
    wb.save(out)
    with pytest.raises(ParseError) as err:
        _parse(out.getvalue())
    assert err.value.field == "Question Text"


def test_a_count_that_disagrees_with_its_distribution_fails() -> None:
    def spoil(ws: Worksheet) -> None:
        count = TABLE_COLUMNS.index("Response Count") + 1
        ws.cell(_header_row(ws) + 1, count).value = 999

    with pytest.raises(ParseError, match="999 responses but only") as info:
        _parse(_edit(render_xlsx(_truth(3), seed=3), spoil))
    assert info.value.reason == "checksum"


def test_an_unreadable_mean_fails_instead_of_going_missing() -> None:
    def spoil(ws: Worksheet) -> None:
        mean = TABLE_COLUMNS.index("Mean") + 1
        ws.cell(_header_row(ws) + 2, mean).value = "high"

    with pytest.raises(ParseError, match="no response count or course mean"):
        _parse(_edit(render_xlsx(_truth(3), seed=3), spoil))


def test_a_missing_declines_row_is_null_with_a_warning() -> None:
    def spoil(ws: Worksheet) -> None:
        for row in ws.iter_rows():
            if row[0].value == "Declines":
                row[1].value = None

    parsed = _parse(_edit(render_xlsx(_truth(3), seed=3), spoil))
    assert parsed.declines is None


def test_report_without_comments_sheet() -> None:
    surveys = generate_surveys(200, seed=9)
    truth = project(next(s for s in surveys if not s.comments), "xlsx")
    data = render_xlsx(truth, seed=0)
    assert load_workbook(BytesIO(data), read_only=True).sheetnames == ["TRACE Report"]
    assert _parse(data).comments == []
