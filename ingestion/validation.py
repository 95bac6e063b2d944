"""Upload validation: what a file is, by its bytes, and whether it can be opened at all."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from core.errors import ParseError, UnsupportedType, UploadRejected

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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
        return "a ZIP archive that is not an Excel workbook"
    head = data[:512]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "binary data of an unknown type"
    return "plain text"


def sniff(data: bytes) -> str:
    """The media type by magic bytes (never by name or header); 415 for anything else."""
    if not data:
        raise UploadRejected("the file is empty")
    # PDF readers accept the signature anywhere in the first 1 KiB.
    if b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return XLSX
        except zipfile.BadZipFile as exc:
            raise UploadRejected(f"corrupt ZIP/xlsx container: {exc}") from exc
    raise UnsupportedType(f"expected a PDF or an xlsx workbook, got {describe(data)}")


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
