"""Upload validation: what a file is, by its bytes, and whether it can be opened at all.

Accepted, by content (never by name or header): PDF and xlsx (TRACE reports; an xlsx may also be
a survey export), and for saved Blue pages and instructors' survey exports HTML, CSV, DOCX,
e-mail (.eml) and plain text. Text must be UTF-8 (a BOM allowed): other encodings are refused
with the advice to save the file as UTF-8.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from dataclasses import dataclass

from core.errors import ParseError, UnsupportedType, UploadRejected

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
CSV = "text/csv"
EML = "message/rfc822"
TEXT = "text/plain"
MEDIA_TYPES = (PDF, XLSX, DOCX, HTML, CSV, EML, TEXT)

_HTML_START = re.compile(
    rb"^\s*<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p"
    rb"|!--)[\s>]",
    re.IGNORECASE,
)
"""The WHATWG sniffing rule: text whose first tag is one of these is HTML."""
_HEADER_LINE = re.compile(r"^[!-9;-~]+:[ \t]")
_MAIL_HEADERS = {"from", "received", "mime-version", "message-id", "return-path"}

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office (OLE) file such as .xls or .doc"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
]


@dataclass(frozen=True)
class CheckedUpload:
    media_type: str


def describe(data: bytes) -> str:
    """Name what a file looks like, for error messages."""
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            return what
    if data.startswith(b"PK\x03\x04"):
        return "a ZIP archive that is neither an Excel workbook nor a Word document"
    if b"\0" in data[:8192]:
        return "binary data of an unknown type"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 4090:  # not a character cut at the edge
            return "text that is not UTF-8 (save it as UTF-8, e.g. Excel's `CSV UTF-8`)"
    return "plain text"


def sniff(data: bytes) -> str:
    """The media type by its bytes (never by name or header); 415 for anything else."""
    if not data:
        raise UploadRejected("the file is empty")
    # PDF readers accept the signature anywhere in the first 1 KiB.
    if b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise UploadRejected(f"corrupt ZIP/xlsx container: {exc}") from exc
        if "xl/workbook.xml" in names:
            return XLSX
        if "word/document.xml" in names:
            return DOCX
    text = _text(data)
    if text is None:
        raise UnsupportedType(
            "expected a PDF, an xlsx or docx file, or UTF-8 text (HTML, CSV, e-mail, plain text),"
            f" got {describe(data)}"
        )
    return sniff_text(text)


def _text(data: bytes) -> str | None:
    """The file as UTF-8 text (a BOM allowed), or None for binary or another encoding."""
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def sniff_text(text: str) -> str:
    """HTML, an e-mail, CSV or plain text, from how the text begins."""
    if _HTML_START.match(text[:1024].encode("utf-8", "replace")):
        return HTML
    lines = text.lstrip("\r\n").splitlines()
    head = list(itertools.takewhile(lambda line: line.strip() != "", lines[:200]))
    if (
        head
        and _HEADER_LINE.match(head[0])
        and all(_HEADER_LINE.match(line) or line[:1] in (" ", "\t") for line in head)
    ):
        names = {line.split(":", 1)[0].lower() for line in head if _HEADER_LINE.match(line)}
        if names & _MAIL_HEADERS:
            return EML
    if _is_csv(text):
        return CSV
    return TEXT


def _is_csv(text: str) -> bool:
    """Comma-separated records: the first ones (up to 20) all have the same two or more fields."""
    reader = csv.reader(io.StringIO(text[:65536]))
    widths = set()
    try:
        for row in itertools.islice(reader, 20):
            if row:
                widths.add(len(row))
    except csv.Error:
        return False
    return len(widths) == 1 and min(widths) >= 2


_ENCRYPT = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")


def check_pdf(data: bytes) -> None:
    """Refuse encrypted and truncated PDFs at upload without opening them.

    PDFium is not thread-safe and not for hostile bytes in the API process: everything that
    needs it happens in the parse sandbox (ingestion.sandbox), where the worker reads the file.
    """
    if _ENCRYPT.search(data):
        raise ParseError("encrypted PDF: the report is password-protected", reason="encrypted")
    if b"%%EOF" not in data[-2048:]:
        raise ParseError("corrupt or truncated PDF: it has no end-of-file marker", reason="corrupt")


def check_upload(data: bytes) -> CheckedUpload:
    """Everything knowable about an upload before it is stored and queued."""
    media_type = sniff(data)
    if media_type == PDF:
        check_pdf(data)
    return CheckedUpload(media_type=media_type)
