"""An uploaded xlsx is opened once: the load that tells a TRACE export from a survey feeds the
parser, and both kinds parse as their own parsers read them."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from devtools.corpus.content import generate_surveys, project
from devtools.corpus.surveys import make_export
from devtools.corpus.xlsx_render import render_xlsx
from ingestion.limits import ParseLimits
from ingestion.parse import parse_report
from ingestion.parsers import survey_table, workbook
from ingestion.parsers.survey import UploadFields
from ingestion.parsers.survey_table import parse_survey_xlsx
from ingestion.parsers.xlsx import parse_xlsx


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts openpyxl workbook loads by the xlsx parsers' modules (the real load runs)."""
    counted: list[int] = []
    real = workbook.load_workbook

    def counting(*args: Any, **kwargs: Any) -> Any:
        counted.append(1)
        return real(*args, **kwargs)

    for module in (workbook, survey_table):
        monkeypatch.setattr(module, "load_workbook", counting)
    return counted


def test_a_trace_export_is_loaded_once_and_parsed_as_before(loads: list[int]) -> None:
    data = render_xlsx(project(generate_surveys(1, 3)[0], "xlsx"), seed=1)
    parsed = parse_report(data, filename="r.xlsx")
    assert len(loads) == 1
    sha = hashlib.sha256(data).hexdigest()
    assert parsed == parse_xlsx(data, filename="r.xlsx", sha256=sha)
    assert parsed.layout == "xlsx" and parsed.comments


def test_a_survey_workbook_is_loaded_once_and_parsed_as_before(loads: list[int]) -> None:
    export = make_export("microsoft-forms", seed=2, in_file=True)
    fields = UploadFields(**export.fields)
    parsed = parse_report(export.data, filename=export.filename, fields=fields)
    assert len(loads) == 1
    sha = hashlib.sha256(export.data).hexdigest()
    loads.clear()
    alone = parse_survey_xlsx(
        export.data, filename=export.filename, sha256=sha, fields=fields, limits=ParseLimits()
    )
    assert len(loads) == 1  # the survey parser alone loads it too: the counter sees it
    assert parsed == alone
    assert parsed.layout == "survey-xlsx" and parsed.source_type == "survey"
