"""Opening an xlsx workbook under the caps: zip bombs and declared sheet sizes refused before
openpyxl reads it, and rows read only while they stay within the caps. The TRACE export's
parser and survey exports in xlsx both open workbooks this way."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from core.errors import ParseError
from ingestion.limits import ParseLimits

Row = tuple[Any, ...]


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.decode():
        number = number * 26 + ord(ch) - 64
    return number


def check_archive(data: bytes, filename: str, limits: ParseLimits, *, kind: str) -> None:
    """Refuse a zip container (xlsx, docx) that is corrupt or unpacks too far (a zip bomb)
    before any reader inflates it."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ParseError(
            f"{filename!r} is a corrupt {kind} container: {exc}", field="file", reason="corrupt"
        ) from exc
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        if total > limits.max_unzipped_bytes:
            raise ParseError(
                f"{filename!r} unpacks to {total} bytes, more than the cap of"
                f" {limits.max_unzipped_bytes}",
                reason="too_large",
            )
        for m in members:
            if m.file_size > 1 << 20 and m.file_size > limits.max_zip_ratio * max(
                m.compress_size, 1
            ):
                raise ParseError(
                    f"{filename!r}: {m.filename} packs {m.file_size} bytes into {m.compress_size}"
                    " (a zip bomb)",
                    reason="too_large",
                )


def check_container(data: bytes, filename: str, limits: ParseLimits) -> None:
    """Refuse zip bombs and declared sheet sizes over the caps before openpyxl sees the file."""
    check_archive(data, filename, limits, kind="xlsx")
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for m in archive.infolist():
            if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
                with archive.open(m) as sheet:
                    head = sheet.read(4096)
                found = _DIMENSION.search(head)
                if found:
                    columns, rows = _column_number(found.group(1)), int(found.group(2))
                    if rows > limits.max_sheet_rows or columns > limits.max_sheet_columns:
                        raise ParseError(
                            f"{filename!r}: a sheet declares {rows} rows x {columns} columns,"
                            f" more than the cap of {limits.max_sheet_rows} x"
                            f" {limits.max_sheet_columns}",
                            reason="too_large",
                        )


def sheet_rows(sheet: Any, limits: ParseLimits, filename: str) -> list[Row]:
    """A sheet's rows, refusing one that holds more rows or columns than the caps."""
    out: list[Row] = []
    for row in sheet.iter_rows(values_only=True):
        if len(out) >= limits.max_sheet_rows or len(row) > limits.max_sheet_columns:
            raise ParseError(
                f"{filename!r}: a sheet holds more than {limits.max_sheet_rows} rows or"
                f" {limits.max_sheet_columns} columns",
                reason="too_large",
            )
        out.append(tuple(row))
    return out


def read_workbook(
    data: bytes, filename: str, limits: ParseLimits
) -> tuple[list[Row], list[Row] | None]:
    """Rows of the first sheet and of the Comments sheet (None when absent)."""
    check_container(data, filename, limits)
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ParseError(
            f"{filename!r} is not a readable xlsx workbook: {exc}", field="file"
        ) from exc
    try:
        names = wb.sheetnames
        if not names:
            raise ParseError(f"{filename!r} has no sheets", field="file", reason="corrupt")
        main = sheet_rows(wb[names[0]], limits, filename)
        sheet = next((n for n in names[1:] if n.strip().lower() == "comments"), None)
        comments = None if sheet is None else sheet_rows(wb[sheet], limits, filename)
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(
            f"{filename!r} is a corrupt xlsx workbook: {exc}", field="file", reason="corrupt"
        ) from exc
    finally:
        wb.close()
    return main, comments
