"""The one error hierarchy: every domain failure is a TraceLensError naming the value."""

from __future__ import annotations


class TraceLensError(Exception):
    """Base of every error TraceLens raises on purpose."""

    status_code = 400
    code = "error"


class ConfigError(TraceLensError):
    """A setting is missing or inconsistent."""

    code = "config_error"


class NotFound(TraceLensError):
    status_code = 404
    code = "not_found"


class Unauthorized(TraceLensError):
    """No credentials, or credentials that do not verify (unknown, revoked, expired, forged)."""

    status_code = 401
    code = "unauthorized"


class Forbidden(TraceLensError):
    """The caller is known but none of its roles may do this."""

    status_code = 403
    code = "forbidden"


class Conflict(TraceLensError):
    """The request does not fit the resource's state (retrying a report that has not failed)."""

    status_code = 409
    code = "conflict"


class RetryLater(TraceLensError):
    """A refusal that says when to come back: `retry_after` seconds (the Retry-After header)."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetryLater):
    """Too many requests from one principal or address."""

    status_code = 429
    code = "rate_limited"


class Overloaded(RetryLater):
    """The service is at a capacity limit of its own (answers being written at once)."""

    status_code = 503
    code = "busy"


class UploadRejected(TraceLensError):
    """An upload refused before it is stored (size, type, emptiness)."""

    code = "upload_rejected"


class UploadTooLarge(UploadRejected):
    status_code = 413
    code = "too_large"


class UnsupportedType(UploadRejected):
    status_code = 415
    code = "unsupported_type"


class ParseError(TraceLensError):
    """A report that cannot be read; the message names the field and page where it can.

    `reason` is a short stable code for summaries (`tracelens ingest`, the reports API): for
    example `not_trace`, `corrupt`, `encrypted`, `too_many_pages`, `missing_field`,
    `unknown_term`, `no_ratings`, `unreadable_table`, `comment_count`, `checksum`,
    `unclaimed_text`, `timeout`.
    """

    status_code = 422
    code = "parse_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        page: int | None = None,
        reason: str = "unreadable",
    ):
        where = []
        if field is not None:
            where.append(f"field {field!r}")
        if page is not None:
            where.append(f"page {page}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)
        self.field = field
        self.page = page
        self.reason = reason


class TransientError(TraceLensError):
    """A failure worth retrying (a store or network hiccup); the worker backs off and retries."""

    status_code = 503
    code = "unavailable"
