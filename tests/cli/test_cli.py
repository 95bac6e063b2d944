"""The `tracelens` command line as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import truth_of


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120
    )


def test_parse_json_prints_the_contract_as_json_lines(corpus: Path) -> None:
    files = sorted(corpus.glob("*.pdf"))[:2] + sorted(corpus.glob("*.xlsx"))[:1]
    result = _cli("parse", "--json", *map(str, files))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [json.loads(line) for line in lines] == [truth_of(f) for f in files]
    assert list(json.loads(lines[0])) == list(truth_of(files[0]))  # the documented key order


def test_parse_failure_is_an_error_object_and_nonzero_exit(tmp_path: Path, corpus: Path) -> None:
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a report")
    good = sorted(corpus.glob("*.pdf"))[0]
    result = _cli("parse", "--json", str(good), str(bad))
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == truth_of(good)
    assert second["file"] == "notes.pdf" and "plain text" in second["error"]


def test_demo_corpus_writes_reports_with_truth(tmp_path: Path) -> None:
    result = _cli("demo-corpus", "--reports", "4", "--seed", "3", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    reports = sorted(p for p in tmp_path.iterdir() if p.suffix in (".pdf", ".xlsx", ".html"))
    assert len(reports) == 4
    exports = sorted(p for p in tmp_path.iterdir() if p.suffix in (".csv", ".xlsx", ".docx"))
    assert any(p.suffix == ".csv" for p in exports), "a survey export beside the reports"
    assert all(p.with_suffix(".json").exists() for p in [*reports, *exports])


def test_help_lists_the_tooling_commands_devtools_plugs_in() -> None:
    result = _cli("--help")
    assert result.returncode == 0, result.stderr
    for command in ("demo-corpus", "run", "eval", "bench", "parse", "search", "backup"):
        assert command in result.stdout, command


def test_tooling_commands_without_the_dev_extra_say_what_to_install(tmp_path: Path) -> None:
    """With reportlab (the dev extra's generator) not importable, the tooling commands print
    what they need instead of a traceback, and the product commands still run."""
    blocked = tmp_path / "blocked" / "reportlab"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text('raise ImportError("not installed (test)")\n')
    env = {**os.environ, "PYTHONPATH": f"{blocked.parent}{os.pathsep}{os.getcwd()}"}
    for args in (
        ["demo-corpus", "--out", str(tmp_path / "c")],
        ["eval", "retrieval", "--no-track"],
        ["bench", "parse", "--corpus", str(tmp_path)],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env
        )
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "needs the dev extra" in result.stderr and "reportlab" in result.stderr, args
        assert "Traceback" not in result.stderr, args
    assert not (tmp_path / "c").exists()
    help_ = subprocess.run(
        [sys.executable, "-m", "cli", "parse", "--help"], capture_output=True, text=True, env=env
    )
    assert help_.returncode == 0, help_.stderr
