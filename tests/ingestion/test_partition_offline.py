"""unstructured runs offline: no partition call opens a connection or resolves a name (sockets
blocked), its telemetry is off, its sentence splitter is the installed blank pipeline, and the
pins that make this so are the ones installed."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GUARDED_RUN = textwrap.dedent(
    """
    import socket, sys
    attempts = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append((name, repr(args)[:120]))
            raise OSError(f"network use blocked in this test: {name}")
        return blocked

    socket.socket.connect = refuse("connect")
    socket.socket.connect_ex = refuse("connect_ex")
    socket.socket.sendto = refuse("sendto")
    socket.create_connection = refuse("create_connection")
    socket.getaddrinfo = refuse("getaddrinfo")

    # The guard works: a deliberate connection is caught.
    try:
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    except OSError:
        pass
    assert attempts, "the socket guard caught nothing"
    attempts.clear()

    from devtools.corpus.surveys import KINDS, make_export
    from devtools.corpus.content import generate_surveys, project
    from devtools.corpus.html_blue import render_blue_html
    from ingestion.parse import parse_report
    from ingestion.parsers.survey import UploadFields
    from ingestion.parsers import partition

    survey = next(s for s in generate_surveys(20, 5) if s.pdf_layout == "blue" and s.comments)
    page = parse_report(render_blue_html(project(survey, "blue-html"), seed=1), filename="r.html")
    assert page.comments
    for kind in KINDS:
        export = make_export(kind, seed=2, in_file=False)
        parse_report(export.data, filename=export.filename, fields=UploadFields(**export.fields))
    # Long prose goes through the sentence splitter (the path that would download a model).
    blocks = partition.partition_text(
        "What went well? " + "The lectures were clear and the examples were worked. " * 30,
        grouper=lambda text: text,
    )
    assert blocks
    import spacy
    import unstructured.nlp.tokenize as tokenize
    nlp = tokenize._get_nlp()
    assert nlp.pipe_names == ["sentencizer"], nlp.pipe_names
    import en_core_web_sm
    assert en_core_web_sm.BLANK
    import os
    assert os.environ["DO_NOT_TRACK"] == "true"
    print("ATTEMPTS", attempts)
    sys.exit(1 if attempts else 0)
    """
)


def test_no_partition_call_touches_the_network() -> None:
    """A fresh process (first import, first model load) with every socket call refused."""
    env = {k: v for k, v in os.environ.items() if k not in ("DO_NOT_TRACK", "SCARF_NO_ANALYTICS")}
    result = subprocess.run(
        [sys.executable, "-c", GUARDED_RUN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "ATTEMPTS []" in result.stdout


def test_the_offline_pins_are_the_installed_versions() -> None:
    assert importlib.metadata.version("unstructured") == "0.27.35"
    assert importlib.metadata.version("langdetect") == "1.0.9"
    stand_in = importlib.metadata.version("en_core_web_sm")
    assert stand_in.endswith("+tracelens.blank"), stand_in
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"unstructured[csv,docx]==0.27.35"' in pyproject
    assert '"langdetect==1.0.9"' in pyproject
    assert "packaging/en_core_web_sm" in (ROOT / "Makefile").read_text()


def test_the_parse_sandbox_starts_with_telemetry_off() -> None:
    from ingestion.sandbox import CHILD_ENV

    assert CHILD_ENV["DO_NOT_TRACK"] == "true"
    assert CHILD_ENV["SCARF_NO_ANALYTICS"] == "true"
