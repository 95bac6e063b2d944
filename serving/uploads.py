"""Reading a multipart upload as it streams in, so the size cap holds before the body is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from core.errors import UploadRejected, UploadTooLarge

if TYPE_CHECKING:  # a typing-only name of python-multipart
    from python_multipart.multipart import MultipartCallbacks

_MULTIPART_OVERHEAD = 64 * 1024  # headers and boundaries around the one file part
MAX_FIELD_BYTES = 1024
"""A text field beside the file (a survey's course, term or title) is short."""


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
    fields: dict[str, str] = field(default_factory=dict)
    """Text fields sent beside the file, among those asked for."""


async def read_upload(
    request: Request,
    *,
    field_name: str,
    max_bytes: int,
    text_fields: tuple[str, ...] = (),
) -> UploadedFile:
    """The one file in multipart field `field_name`, and the `text_fields` sent beside it (each
    at most MAX_FIELD_BYTES of UTF-8); 413 as soon as the file passes `max_bytes`."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise UploadRejected(
            f"send the report as multipart/form-data with a file field {field_name!r}"
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + _MULTIPART_OVERHEAD:
        raise UploadTooLarge(_too_large(int(declared), max_bytes))
    parts = _Parts(field_name=field_name, max_bytes=max_bytes, text_fields=text_fields)
    parser = MultipartParser(params[b"boundary"], parts.callbacks())
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes + _MULTIPART_OVERHEAD:
            raise UploadTooLarge(_too_large(received, max_bytes, so_far=True))
        parser.write(chunk)
    parser.finalize()
    return parts.upload()


@dataclass
class _Parts:
    """The parser's callbacks: each part's headers and data, the file's and text fields' kept."""

    field_name: str
    max_bytes: int
    text_fields: tuple[str, ...]
    parts: list[_Part] = field(default_factory=list)
    header: list[bytes] = field(default_factory=lambda: [b"", b""])

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
        }

    def on_part_begin(self) -> None:
        self.parts.append(_Part())

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header[0] += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header[1] += data[start:end]

    def on_header_end(self) -> None:
        self.parts[-1].headers[self.header[0].lower()] = self.header[1]
        self.header[0], self.header[1] = b"", b""

    def on_headers_finished(self) -> None:
        part = self.parts[-1]
        _, disp = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = disp.get(b"name", b"").decode("utf-8", "replace")
        raw = disp.get(b"filename")
        part.filename = raw.decode("utf-8", "replace") if raw is not None else None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.parts[-1]
        part.size += end - start
        if part.name == self.field_name:
            if part.size > self.max_bytes:
                raise UploadTooLarge(_too_large(part.size, self.max_bytes, so_far=True))
            part.chunks.append(data[start:end])
        elif part.name in self.text_fields:
            if part.size > MAX_FIELD_BYTES:
                raise UploadRejected(f"field {part.name!r} is longer than {MAX_FIELD_BYTES} bytes")
            part.chunks.append(data[start:end])

    def upload(self) -> UploadedFile:
        """The one file part and the text fields, once the body is read."""
        files = [p for p in self.parts if p.name == self.field_name]
        if not files:
            raise UploadRejected(f"no file in multipart field {self.field_name!r}")
        if len(files) > 1:
            raise UploadRejected(f"send one file per request in field {self.field_name!r}")
        part = files[0]
        fields: dict[str, str] = {}
        for p in self.parts:
            if p.name in self.text_fields and p.filename is None:
                try:
                    fields[p.name] = b"".join(p.chunks).decode("utf-8")
                except UnicodeDecodeError:
                    raise UploadRejected(f"field {p.name!r} is not UTF-8 text") from None
        return UploadedFile(
            filename=part.filename or "upload", data=b"".join(part.chunks), fields=fields
        )


def _too_large(size: int, cap: int, *, so_far: bool = False) -> str:
    amount = f"more than {size:,}" if so_far else f"{size:,}"
    return f"the upload is {amount} bytes; the limit is {cap:,} bytes"
