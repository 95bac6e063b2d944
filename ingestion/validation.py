"""Upload validation: what a file is, by its bytes, and whether it can be opened at all."""

from __future__ import annotations

import io
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
    pages: int | None


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


def check_pdf(data: bytes) -> int:
    """Open a PDF to reject encrypted or unreadable files early; returns the page count."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise ParseError("encrypted PDF: the report is password-protected") from exc
        raise ParseError(f"corrupt PDF: {reason}") from exc
    try:
        return len(doc)
    finally:
        doc.close()


def check_upload(data: bytes) -> CheckedUpload:
    """Everything knowable about an upload before it is stored and queued."""
    media_type = sniff(data)
    pages = check_pdf(data) if media_type == PDF else None
    if pages == 0:
        raise ParseError("corrupt PDF: it has no pages")
    return CheckedUpload(media_type=media_type, pages=pages)
