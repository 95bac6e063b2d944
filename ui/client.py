"""A small typed client for the TraceLens REST API: the UI's only way to the data.

Every failure (no server, a timeout, an error status) becomes an `ApiError` whose message is fit
to show a person, so pages can `st.error(str(exc))` and never print JSON or a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

JSON = dict[str, Any]


class ApiError(Exception):
    """The API could not be reached or answered with an error; `str()` is the user's message."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class StreamEvent:
    """One server-sent event of /v1/ask/stream: `checking` (data.facts, while a model's answer
    is checked), `token` (data.text) or `final` (data.answer, data.replaced)."""

    kind: str
    data: JSON


def _message(response: httpx.Response) -> tuple[str, str | None]:
    """The API's `{"error": {"code", "message"}}`, or a short version of whatever came back."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", "")), body["error"].get("code")
    if isinstance(body, dict) and "detail" in body:  # FastAPI's own 404/405 bodies
        return str(body["detail"]), None
    text = response.text.strip()
    return (text[:200] or response.reason_phrase), None


class TraceLensApi:
    """Typed calls to /v1; one pooled HTTP client per base URL."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout_s, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def _unreachable(self, exc: httpx.TransportError) -> ApiError:
        if isinstance(exc, httpx.TimeoutException):
            return ApiError(f"The TraceLens API at {self.base_url} did not answer in time.")
        return ApiError(
            f"The TraceLens API at {self.base_url} is not reachable. "
            "Is it running? `make run` starts it."
        )

    def _check(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        message, code = _message(response)
        raise ApiError(
            f"The API refused the request ({response.status_code}): {message}",
            status=response.status_code,
            code=code,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from exc
        self._check(response)
        return response.json()

    def me(self) -> JSON:
        """Who the API takes this app for: subject, roles, whether comments may be read."""
        found: JSON = self._call("GET", "/v1/me")
        return found

    # -- ask and search

    def ask(
        self,
        question: str,
        *,
        conversation_id: str | None = None,
        fresh: bool = False,
        filters: JSON | None = None,
    ) -> JSON:
        body: JSON = {"question": question, "conversation_id": conversation_id, "fresh": fresh}
        if filters:
            body["filters"] = filters
        answer: JSON = self._call("POST", "/v1/ask", json=body)
        return answer

    def ask_stream(
        self,
        question: str,
        *,
        conversation_id: str | None = None,
        fresh: bool = False,
        filters: JSON | None = None,
    ) -> Iterator[StreamEvent]:
        """A `checking` event when a model writes, token events with the answer's text, then the
        final event; `error` events raise.

        `fresh`: the question inherits no scope from earlier turns of the conversation;
        `filters`: exact filters every answer holds to (`{"source": "survey"}`)."""
        body: JSON = {"question": question, "conversation_id": conversation_id, "fresh": fresh}
        if filters:
            body["filters"] = filters
        try:
            with self._http.stream("POST", "/v1/ask/stream", json=body) as response:
                if not response.is_success:
                    response.read()
                    self._check(response)
                kind = "message"
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:"):
                        data = json.loads(line[5:].strip())
                        if kind == "error":
                            raise ApiError(f"The answer failed: {data.get('message', data)}")
                        yield StreamEvent(kind=kind, data=data)
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from exc

    def search(self, query: str, *, k: int = 10, filters: JSON | None = None) -> JSON:
        body = {"query": query, "k": k, "filters": filters or {}}
        result: JSON = self._call("POST", "/v1/search", json=body)
        return result

    # -- reports

    def upload(self, filename: str, data: bytes, *, fields: dict[str, str] | None = None) -> JSON:
        """202 (accepted) or 200 (the same bytes were uploaded before): {id, status, duplicate}.
        `fields` are a survey export's course, term and title (empty ones are not sent)."""
        form = {k: v for k, v in (fields or {}).items() if v.strip()}
        accepted: JSON = self._call(
            "POST", "/v1/reports", files={"file": (filename, data)}, data=form or None
        )
        return accepted

    def report(self, report_id: int) -> JSON:
        report: JSON = self._call("GET", f"/v1/reports/{report_id}")
        return report

    # -- catalog and dashboards

    def courses(self, *, q: str | None = None, limit: int = 500) -> list[JSON]:
        params: JSON = {"limit": limit, **({"q": q} if q else {})}
        items: list[JSON] = self._call("GET", "/v1/courses", params=params)["items"]
        return items

    def instructors(self, *, q: str | None = None, limit: int = 500) -> list[JSON]:
        params: JSON = {"limit": limit, **({"q": q} if q else {})}
        items: list[JSON] = self._call("GET", "/v1/instructors", params=params)["items"]
        return items

    def course_dashboard(self, code: str) -> JSON:
        body: JSON = self._call("GET", f"/v1/dashboards/courses/{code}")
        return body

    def course_themes(self, code: str) -> JSON:
        body: JSON = self._call("GET", f"/v1/dashboards/courses/{code}/themes")
        return body

    def instructor_dashboard(self, instructor_id: int) -> JSON:
        body: JSON = self._call("GET", f"/v1/dashboards/instructors/{instructor_id}")
        return body
