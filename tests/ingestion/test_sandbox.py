"""The parse sandbox: an empty environment, no network, memory and size caps, each refusal
named, and hostile files cut off early without exhausting the worker."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator

import pytest

from core.errors import ParseError
from devtools.corpus.content import generate_surveys, project
from devtools.corpus.xlsx_render import render_xlsx
from ingestion.limits import ParseLimits
from ingestion.sandbox import ParserProcess


@pytest.fixture
def sandbox() -> Iterator[ParserProcess]:
    parser = ParserProcess(timeout_s=20, limits=ParseLimits(max_comments=40))
    yield parser
    parser.close()


def _xlsx(**change: object) -> bytes:
    survey = next(s for s in generate_surveys(30, seed=12) if len(s.comments) > 3)
    report = project(survey, "xlsx").model_copy(update=change)
    return render_xlsx(report, seed=2)


def _rewrite(data: bytes, edit: dict[str, bytes]) -> bytes:
    """The same workbook with some members replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, edit.get(item.filename, src.read(item.filename)))
        for name in set(edit) - set(src.namelist()):
            dst.writestr(name, edit[name], compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _refused(sandbox: ParserProcess, data: bytes) -> ParseError:
    with pytest.raises(ParseError) as info:
        sandbox.parse(data, filename="bad.xlsx")
    return info.value


def test_the_child_sees_no_secrets_and_no_network(sandbox: ParserProcess) -> None:
    os.environ["TRACELENS_DATABASE_URL"] = "postgresql://secret@db/x"
    try:
        sandbox.parse(_xlsx(), filename="ok.xlsx")
    finally:
        del os.environ["TRACELENS_DATABASE_URL"]
    assert sandbox.pid is not None
    with open(f"/proc/{sandbox.pid}/environ", "rb") as env:
        names = {item.split(b"=")[0] for item in env.read().split(b"\0") if item}
    # Only what the child needs: a PATH, UTF-8, and unstructured's telemetry opt-outs.
    assert names == {
        b"PATH",
        b"PYTHONUTF8",
        b"PYTHONDONTWRITEBYTECODE",
        b"DO_NOT_TRACK",
        b"SCARF_NO_ANALYTICS",
        b"UNSTRUCTURED_DISABLE_NOTICE",
    }
    if os.geteuid() != 0:
        pytest.skip("a network namespace needs root here; the environment check ran")
    assert os.readlink(f"/proc/{sandbox.pid}/ns/net") != os.readlink("/proc/self/ns/net")


def test_a_declared_dimension_bomb_is_refused_before_loading(sandbox: ParserProcess) -> None:
    data = _xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    start = sheet.index(b"<dimension")
    end = sheet.index(b"/>", start) + 2
    bomb = sheet[:start] + b'<dimension ref="A1:XFD1048576"/>' + sheet[end:]
    error = _refused(sandbox, _rewrite(data, {"xl/worksheets/sheet1.xml": bomb}))
    assert error.reason == "too_large" and "1048576 rows x 16384 columns" in str(error)


def test_a_zip_bomb_is_refused(sandbox: ParserProcess) -> None:
    bomb = b"<sst>" + b" " * (80 * 1024 * 1024) + b"</sst>"
    data = _rewrite(_xlsx(), {"xl/sharedStrings.xml": bomb})
    assert len(data) < 200_000  # 80 MB of spaces packs into a small file
    error = _refused(sandbox, data)
    assert error.reason == "too_large" and ("unpacks to" in str(error) or "zip bomb" in str(error))


def test_too_many_comments_and_too_long_a_comment_are_refused(sandbox: ParserProcess) -> None:
    base = next(s for s in generate_surveys(30, seed=12) if len(s.comments) > 3)
    report = project(base, "xlsx")
    many = [c.model_copy(update={"number": i + 1}) for i in range(60) for c in report.comments[:1]]
    error = _refused(sandbox, render_xlsx(report.model_copy(update={"comments": many}), seed=1))
    assert error.reason == "too_large" and "60 comments, more than the cap of 40" in str(error)
    long = [report.comments[0].model_copy(update={"text": "word " * 3000})]
    error = _refused(sandbox, render_xlsx(report.model_copy(update={"comments": long}), seed=1))
    assert error.reason == "too_large" and "characters" in str(error)


def test_a_sheet_with_more_rows_than_the_cap_is_refused() -> None:
    parser = ParserProcess(timeout_s=20, limits=ParseLimits(max_sheet_rows=10))
    try:
        with pytest.raises(ParseError, match="rows") as info:
            parser.parse(_xlsx(), filename="long.xlsx")
        assert info.value.reason == "too_large"
    finally:
        parser.close()


def test_a_child_that_cannot_stay_within_its_memory_cap_fails_the_file() -> None:
    parser = ParserProcess(timeout_s=20, memory_mb=40)  # too little to even import the parser
    try:
        with pytest.raises(ParseError) as info:  # it dies, or fails, out of memory
            parser.parse(_xlsx(), filename="r.xlsx")
        assert info.value.reason in ("crash", "too_large")
    finally:
        parser.close()


def test_the_sandbox_recovers_for_the_next_file(sandbox: ParserProcess) -> None:
    first = sandbox.pid
    _refused(sandbox, b"PK\x03\x04 not really a workbook")
    assert sandbox.parse(_xlsx(), filename="ok.xlsx").layout == "xlsx"
    assert first is None or sandbox.pid is not None
