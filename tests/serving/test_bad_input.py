"""Every kind of bad upload gets its documented status or error, and nothing is lost."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest

from core.settings import Settings
from tests.conftest import work_queue


def _pdf(lines: list[str], pages: int = 1, encrypt: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    for _ in range(pages):
        for i, line in enumerate(lines):
            c.drawString(72, 720 - 14 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def _edit_xlsx(path: Path, edit: str) -> bytes:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            if edit == "term" and cell.value == "Term":
                sheet.cell(row=cell.row, column=cell.column + 1, value="Autumn 2023")
            if edit == "columns" and cell.value in ("Mean", "Response Count"):
                cell.value = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _post(api: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return api.post("/v1/reports", files={"file": (name, data)})


@pytest.mark.parametrize(
    ("name", "data", "status", "code", "message"),
    [
        ("empty.pdf", b"", 400, "upload_rejected", "empty"),
        ("notes.pdf", b"Instructor: \x00\x01 binary", 415, "unsupported_type", "binary data"),
        ("notes.txt", "Caf\u00e9 notes".encode("cp1252"), 415, "unsupported_type", "not UTF-8"),
        (
            "photo.pdf",
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200,
            415,
            "unsupported_type",
            "JPEG",
        ),
        ("cut.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", 422, "parse_error", "truncated PDF"),
    ],
)
def test_refused_at_upload(
    api: httpx.Client, name: str, data: bytes, status: int, code: str, message: str
) -> None:
    response = _post(api, name, data)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and message in error["message"]
    assert api.get("/v1/reports").json()["total"] == 0


def test_encrypted_pdf_is_refused_with_the_reason(api: httpx.Client) -> None:
    response = _post(api, "locked.pdf", _pdf(["Algorithms (Fall 2023)"], encrypt="pw"))
    assert response.status_code == 422
    assert "encrypted" in response.json()["error"]["message"]


def test_truncated_trace_pdf_never_crashes(
    api: httpx.Client, settings: Settings, corpus: Path
) -> None:
    data = sorted(corpus.glob("*.pdf"))[0].read_bytes()
    response = _post(api, "half.pdf", data[: len(data) // 2])
    if response.status_code == 202:  # PDFium can repair some truncations; the worker decides
        work_queue(settings)
        report = api.get(response.json()["status_url"]).json()
        assert report["status"] in ("processed", "failed")
        if report["status"] == "failed":
            assert report["error"]
    else:
        assert response.status_code == 422
        assert "truncated PDF" in response.json()["error"]["message"]


def test_over_the_size_cap_is_413(api: httpx.Client) -> None:
    data = b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024)
    response = _post(api, "huge.pdf", data)
    assert response.status_code == 413
    assert "limit is 20,971,520 bytes" in response.json()["error"]["message"]


def test_size_cap_holds_while_streaming_without_a_length(api: httpx.Client) -> None:
    boundary = "tracelensboundary"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n'
        ).encode()
        for _ in range(30):  # 30 MiB, sent chunked: no Content-Length to go by
            yield b"0" * (1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    response = api.post(
        "/v1/reports",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413


def test_missing_file_field_is_400(api: httpx.Client) -> None:
    response = api.post("/v1/reports", files={"document": ("a.pdf", b"%PDF-1.4")})
    assert response.status_code == 400
    assert "'file'" in response.json()["error"]["message"]
    assert api.post("/v1/reports", json={"file": "x"}).status_code == 400


def _accepted_then_failed(api: httpx.Client, settings: Settings, name: str, data: bytes) -> str:
    response = _post(api, name, data)
    assert response.status_code == 202, response.text
    work_queue(settings)
    report = api.get(response.json()["status_url"]).json()
    assert report["status"] == "failed", report
    return str(report["error"])


def test_thousand_page_pdf_fails_on_the_page_cap(api: httpx.Client, settings: Settings) -> None:
    error = _accepted_then_failed(api, settings, "long.pdf", _pdf(["Page"], pages=1000))
    assert "1000" in error and "200" in error


def test_non_trace_pdf_fails_with_reason(api: httpx.Client, settings: Settings) -> None:
    data = _pdf(["Quarterly Budget Review", "Revenue grew 4% over the quarter."])
    error = _accepted_then_failed(api, settings, "budget.pdf", data)
    assert "TRACE" in error


def test_xlsx_with_missing_columns_names_them(
    api: httpx.Client, settings: Settings, corpus: Path
) -> None:
    source = sorted(corpus.glob("*.xlsx"))[0]
    error = _accepted_then_failed(api, settings, source.name, _edit_xlsx(source, "columns"))
    assert "Mean" in error and "Response Count" in error


def test_unknown_term_is_named(api: httpx.Client, settings: Settings, corpus: Path) -> None:
    source = sorted(corpus.glob("*.xlsx"))[0]
    error = _accepted_then_failed(api, settings, source.name, _edit_xlsx(source, "term"))
    assert "Autumn 2023" in error and "term" in error
