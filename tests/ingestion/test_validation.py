import io
import zipfile

import pytest

from core.errors import ParseError, UnsupportedType, UploadRejected
from ingestion.validation import (
    CSV,
    DOCX,
    EML,
    HTML,
    PDF,
    TEXT,
    XLSX,
    check_upload,
    sniff,
)


def _pdf(pages: int = 1, encrypt: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    for i in range(pages):
        c.drawString(72, 720, f"page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def test_types_come_from_magic_bytes() -> None:
    assert sniff(_pdf()) == PDF
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert sniff(buf.getvalue()) == XLSX


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xd8\xff\xe0JFIF", "JPEG"),
        ("Caf\u00e9, na\u00efve comments".encode("cp1252"), "not UTF-8"),
        (b"\x00\x01\x02binary\x00", "binary data"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"PK\x03\x04" + b"\0" * 30, "corrupt ZIP"),
    ],
)
def test_other_types_are_refused_with_what_they_are(data: bytes, message: str) -> None:
    with pytest.raises((UnsupportedType, UploadRejected), match=message):
        sniff(data)


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"<!DOCTYPE html>\n<html><body><h1>x</h1></body></html>", HTML),
        (b"\xef\xbb\xbf  <html lang='en'><head>", HTML),
        (b"<!-- saved from url=(0042)https://example.org -->\n<html>", HTML),
        (b"From: ta@northeastern.edu\nTo: prof@x.edu\nSubject: Comments\n\nWhat?\n- a\n", EML),
        (b"Received: from mail\n  by relay\nMIME-Version: 1.0\n\nbody", EML),
        (b'Timestamp,What went well?\n2025-10-01,"Labs, mostly"\n', CSV),
        (b"\xef\xbb\xbfStartDate,Q1\r\nStart Date,Q1 text\r\n", CSV),
        (b"Course: CS5800-01\nTerm: Fall 2025\n\nWhat went well?\n- Labs, mostly\n", TEXT),
        (b"Course ID: 41457\nthis is text, not a PDF", TEXT),
    ],
)
def test_text_types_come_from_their_content(data: bytes, media_type: str) -> None:
    assert sniff(data) == media_type


def test_a_word_document_by_its_parts() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    assert sniff(buf.getvalue()) == DOCX
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(UnsupportedType, match="neither an Excel workbook nor a Word"):
        sniff(other.getvalue())


def test_empty_file() -> None:
    with pytest.raises(UploadRejected, match="empty"):
        sniff(b"")


def test_encrypted_and_truncated_pdfs_are_refused() -> None:
    with pytest.raises(ParseError, match="encrypted"):
        check_upload(_pdf(encrypt="secret"))
    with pytest.raises(ParseError, match="corrupt or truncated PDF"):
        check_upload(b"%PDF-1.4\n1 0 obj <<")


def test_upload_checks_never_open_the_pdf_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pypdfium2

    def opened(*args: object, **kwargs: object) -> None:
        raise AssertionError("PDFium must not run in the API process")

    monkeypatch.setattr(pypdfium2, "PdfDocument", opened)
    assert check_upload(_pdf(pages=3)).media_type == "application/pdf"
