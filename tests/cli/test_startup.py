"""Start-up cost of the commands people type most: they import only what they use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "sentence_transformers", "mlflow", "langchain", "langchain_core", "streamlit")
"""Packages that take seconds to import and that --help, parse and a fake-model search never use."""

_PROBE = """
import atexit, json, sys
def _report():
    heavy = {heavy!r}
    print("LOADED=" + json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
atexit.register(_report)
sys.argv = ["tracelens", *{args!r}]
from cli.app import app
app()
"""


def _loaded(*args: str, env: dict[str, str] | None = None) -> tuple[list[str], str]:
    """Run `tracelens ARGS` in a fresh interpreter; the heavy packages it imported, and stdout."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY, args=list(args))],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    marker = [line for line in result.stderr.splitlines() if line.startswith("LOADED=")]
    assert marker, result.stderr
    return json.loads(marker[-1].removeprefix("LOADED=")), result.stdout


def test_help_imports_no_model_tracking_or_ui_stack() -> None:
    loaded, out = _loaded("--help")
    assert "parse" in out and "search" in out  # the probe ran the real app
    assert loaded == []


def test_search_help_and_parse_import_nothing_heavy(corpus: Path) -> None:
    loaded, out = _loaded("search", "--help")
    assert "--course" in out and loaded == []
    pdf = sorted(corpus.glob("*.pdf"))[0]
    loaded, out = _loaded("parse", str(pdf))
    assert pdf.name in out and loaded == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The probe itself can fail: a command that does import torch is reported."""
    code = _PROBE.format(heavy=HEAVY, args=["--help"]).replace(
        "from cli.app import app", "import torch\nfrom cli.app import app"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert 'LOADED=["torch"]' in result.stderr


def test_search_with_a_fake_model_imports_no_model_tracking_or_ui_stack(
    db_url: str, tmp_path: Path
) -> None:
    import os

    env = {
        **os.environ,
        "TRACELENS_DATABASE_URL": db_url,
        "TRACELENS_EMBEDDING_BACKEND": "fake",
        "TRACELENS_STATE_DIR": str(tmp_path / "state"),
    }
    env.pop("TRACELENS_EMBEDDING_MODEL", None)
    loaded, out = _loaded("search", "homework load", "--json", env=env)
    assert json.loads(out) == []  # an empty database: the search ran and found nothing
    assert loaded == []
