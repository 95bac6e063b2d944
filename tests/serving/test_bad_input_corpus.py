"""A corpus of ≥ 60 hostile and broken inputs through the real API and worker: every file and
body gets its documented answer, nothing answers 5xx, and memory stays bounded.

Files (tests/serving/bad_inputs.py): refused at upload with their status and code, or accepted
and failed by the worker with their `error_code` — dimension and zip bombs, oversized sheets,
CSVs and documents, 10,000-page PDFs, deep and huge HTML, e-mail attachments. Bodies: deeply
nested and invalid JSON, a 100 MB body, and wildcards and SQL metacharacters in every query and
path parameter of every GET route of the live schema. Then twenty PDF uploads at once.

Memory bound (stated): the test process, which holds the API and runs the worker, peaks less
than 400 MiB above where it started over the whole file corpus (its peak is reset first, through
/proc/self/clear_refs); each parse child is held to `parse_memory_mb` (1024 MiB) by RLIMIT_AS
(tests/ingestion/test_sandbox.py shows a child over its cap failing the file).
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.db import connect, with_database
from core.settings import Settings
from tests.conftest import _TEMPLATE as TEMPLATE
from tests.conftest import LiveServer, work_queue
from tests.serving.bad_inputs import FORM, HOSTILE_COMMENTS, BadFile, bad_files

MEMORY_GROWTH_MIB = 400
META = ("%", "_", "\\", "'", '"', "';--", "%%%", "a%b_c", "1 OR 1=1", "\u200b", "../../etc")


def _status_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak since the last reset) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from VmRSS


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, pg_server
) -> Iterator[tuple[httpx.Client, Settings]]:  # type: ignore[no-untyped-def]
    name = "bad_input_corpus"
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=tmp_path_factory.mktemp("state"),
        database_url=with_database(pg_server.url, name),
        worker_backoff_s=0.05,
        worker_poll_s=0.2,
        parse_timeout_s=30,
        embedding_backend="fake",
        rate_limit_upload="100000/minute",
        rate_limit_search="100000/minute",
        upload_quota_per_day=100000,
    )
    with LiveServer(settings) as server, server.client(timeout=120) as client:
        yield client, settings


def _upload(api: httpx.Client, case: BadFile) -> httpx.Response:
    survey = not case.name.endswith((".pdf", ".html", ".htm"))
    return api.post(
        "/v1/reports", files={"file": (case.name, case.data)}, data=FORM if survey else None
    )


def test_every_bad_file_gets_its_documented_answer(live: tuple[httpx.Client, Settings]) -> None:
    api, settings = live
    _reset_peak()
    before = _status_mib("VmRSS")
    cases = bad_files()
    assert len(cases) >= 40
    accepted: dict[str, tuple[BadFile, str]] = {}
    wrong: list[str] = []
    for case in cases:
        response = _upload(api, case)
        if response.status_code != case.status:
            wrong.append(f"{case.name}: upload {response.status_code} {response.text[:200]}")
        elif case.status == 202:
            accepted[case.name] = (case, response.json()["status_url"])
        elif response.json()["error"]["code"] != case.code:
            wrong.append(f"{case.name}: {response.json()['error']}")
    work_queue(settings)
    for name, (case, url) in accepted.items():
        report = api.get(url).json()
        if report["status"] != "failed" or report["error_code"] != case.code:
            wrong.append(f"{name}: {report['status']} {report['error_code']} {report['error']}")
        elif not report["error"]:
            wrong.append(f"{name}: failed without a message")
    assert not wrong, "\n".join(wrong)
    assert api.get("/healthz").status_code == 200
    assert _status_mib("VmHWM") - before < MEMORY_GROWTH_MIB


def test_hostile_comment_text_is_stored_verbatim(live: tuple[httpx.Client, Settings]) -> None:
    api, settings = live
    out = io.StringIO()
    table = csv.writer(out)
    table.writerow(["Timestamp", "What should change?"])
    table.writerows([f"2025/10/0{i + 1}", c] for i, c in enumerate(HOSTILE_COMMENTS))
    data = out.getvalue().encode()
    response = api.post("/v1/reports", files={"file": ("hostile.csv", data)}, data=FORM)
    assert response.status_code == 202, response.text
    work_queue(settings)
    report = api.get(response.json()["status_url"]).json()
    assert report["status"] == "processed", report["error"]
    found = api.post(
        "/v1/search",
        json={"query": "labs homework course", "k": 20, "filters": {"source": "survey"}},
    )
    texts = {h["text"] for h in found.json()["hits"]}
    assert set(HOSTILE_COMMENTS) <= texts


def _bodies() -> list[tuple[str, bytes, str]]:
    deep = b'{"query": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    return [
        ("nested 100,000 deep", deep, "application/json"),
        ("invalid UTF-8", b'{"query": "\xff\xfe\xfd"}', "application/json"),
        ("a list", b'["query"]', "application/json"),
        ("a number", b"42", "application/json"),
        ("null", b"null", "application/json"),
        ("not JSON", b"query=homework", "application/json"),
        ("form-encoded", b"query=homework", "application/x-www-form-urlencoded"),
        ("NUL in a string", b'{"query": "home\\u0000work"}', "application/json"),
        ("k as a string", b'{"query": "x", "k": "ten"}', "application/json"),
        ("k huge", b'{"query": "x", "k": 99999999999999999999999}', "application/json"),
        ("unknown field", b'{"query": "x", "sql": "DROP TABLE comments"}', "application/json"),
    ]


@pytest.mark.parametrize(("what", "body", "media"), _bodies(), ids=[b[0] for b in _bodies()])
def test_bad_bodies_are_4xx(
    live: tuple[httpx.Client, Settings], what: str, body: bytes, media: str
) -> None:
    api, _ = live
    for route in ("/v1/search", "/v1/ask"):
        response = api.post(route, content=body, headers={"content-type": media})
        assert 400 <= response.status_code < 500, (what, route, response.text[:300])
        assert response.json()["error"]["code"]


def test_a_100_mb_body_is_413_without_being_read(live: tuple[httpx.Client, Settings]) -> None:
    api, _ = live
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"query": "'
        for _ in range(100):
            sent += 1
            yield b"x" * (1024 * 1024)
        yield b'"}'

    try:
        response = api.post(
            "/v1/search", content=chunks(), headers={"content-type": "application/json"}
        )
    except httpx.HTTPError:  # the server may close the connection as soon as it refuses
        response = None
    if response is not None:
        assert response.status_code == 413
    assert api.get("/healthz").status_code == 200


def _get_routes(api: httpx.Client) -> list[tuple[str, list[str]]]:
    schema = api.get("/openapi.json").json()
    out = []
    for path, operations in schema["paths"].items():
        if "get" not in operations or path in ("/metrics",):
            continue
        params = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        out.append((path, params))
    return out


def test_metacharacters_in_every_get_parameter_never_5xx(
    live: tuple[httpx.Client, Settings],
) -> None:
    api, _ = live
    routes = _get_routes(api)
    assert len(routes) >= 10
    seen = 0
    for path, params in routes:
        for value in META:
            url = path
            for name in path.split("{")[1:]:
                url = url.replace(
                    "{" + name.split("}")[0] + "}", httpx.URL(value).raw_path.decode() or "x"
                )
            query = {p: value for p in params}
            response = api.get(url, params=query)
            seen += 1
            assert response.status_code < 500, (url, query, response.text[:300])
    assert seen >= len(routes) * len(META)


def test_twenty_pdf_uploads_at_once(live: tuple[httpx.Client, Settings], corpus: Path) -> None:
    api, settings = live
    pdfs = sorted(corpus.glob("*.pdf"))
    assert pdfs
    # distinct bytes (a PDF comment after the end) so none is answered as "uploaded before"
    files = [
        (f"copy{i}.pdf", pdfs[i % len(pdfs)].read_bytes() + b"\n%%copy %d\n" % i) for i in range(20)
    ]
    statuses: list[int] = []

    def send(name: str, data: bytes) -> None:
        statuses.append(api.post("/v1/reports", files={"file": (name, data)}).status_code)

    threads = [threading.Thread(target=send, args=f) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert statuses == [202] * 20
    assert api.get("/healthz").status_code == 200
    work_queue(settings)
    listed = api.get("/v1/reports", params={"limit": 100}).json()["items"]
    copies = [r for r in listed if r["filename"].startswith("copy")]
    assert len(copies) == 20 and all(r["status"] == "processed" for r in copies), copies
