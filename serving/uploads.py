"""Reading a multipart upload as it streams in, so the size cap holds before the body is read."""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from core.errors import UploadRejected, UploadTooLarge

_MULTIPART_OVERHEAD = 64 * 1024  # headers and boundaries around the one file part


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    data: bytes


async def read_upload(request: Request, *, field_name: str, max_bytes: int) -> UploadedFile:
    """The one file in multipart field `field_name`; 413 as soon as it passes `max_bytes`."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise UploadRejected(
            f"send the report as multipart/form-data with a file field {field_name!r}"
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + _MULTIPART_OVERHEAD:
        raise UploadTooLarge(_too_large(int(declared), max_bytes))

    parts: list[_Part] = []
    header: list[bytes] = [b"", b""]

    def on_part_begin() -> None:
        parts.append(_Part())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        parts[-1].headers[header[0].lower()] = header[1]
        header[0], header[1] = b"", b""

    def on_headers_finished() -> None:
        part = parts[-1]
        _, disp = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = disp.get(b"name", b"").decode("utf-8", "replace")
        raw = disp.get(b"filename")
        part.filename = raw.decode("utf-8", "replace") if raw is not None else None

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part = parts[-1]
        part.size += end - start
        if part.name == field_name:
            if part.size > max_bytes:
                raise UploadTooLarge(_too_large(part.size, max_bytes, so_far=True))
            part.chunks.append(data[start:end])

    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
        },
    )
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes + _MULTIPART_OVERHEAD:
            raise UploadTooLarge(_too_large(received, max_bytes, so_far=True))
        parser.write(chunk)
    parser.finalize()

    files = [p for p in parts if p.name == field_name]
    if not files:
        raise UploadRejected(f"no file in multipart field {field_name!r}")
    if len(files) > 1:
        raise UploadRejected(f"send one file per request in field {field_name!r}")
    part = files[0]
    return UploadedFile(filename=part.filename or "upload", data=b"".join(part.chunks))


def _too_large(size: int, cap: int, *, so_far: bool = False) -> str:
    amount = f"more than {size:,}" if so_far else f"{size:,}"
    return f"the upload is {amount} bytes; the limit is {cap:,} bytes"
