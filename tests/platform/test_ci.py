"""The pipeline's own logic (.ci/commits.py) and the Jenkinsfile's shape."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest

from tests.platform.conftest import ROOT

spec = importlib.util.spec_from_file_location("ci_commits", ROOT / ".ci" / "commits.py")
assert spec and spec.loader
commits = importlib.util.module_from_spec(spec)
spec.loader.exec_module(commits)
JENKINSFILE = (ROOT / "Jenkinsfile").read_text()


@pytest.mark.parametrize(
    ("subject", "ok"),
    [
        ("feat(chart): KEDA ScaledObject for workers", True),
        ("fix: retry the relay on broker loss", True),
        ("refactor(db)!: one open_database", True),
        ("Merge pull request #12 from x/y", True),
        ("Update README", False),
        ("feat:missing space", False),
        ("feature(chart): not a type", False),
    ],
)
def test_conventional_subjects(subject: str, ok: bool) -> None:
    assert commits.is_conventional(subject) is ok


@pytest.mark.parametrize(
    ("current", "messages", "expected"),
    [
        ("0.1.0", ["docs: readme", "test: more"], "0.1.0"),
        ("0.1.0", ["fix: x", "docs: y"], "0.1.1"),
        ("0.1.3", ["fix: x", "feat(ui): y"], "0.2.0"),
        ("0.4.2", ["feat!: new API"], "0.5.0"),
        ("1.4.2", ["feat: a", "fix: b\n\nBREAKING CHANGE: settings renamed"], "2.0.0"),
        ("1.4.2", ["perf(search): faster"], "1.4.3"),
    ],
)
def test_next_version(current: str, messages: list[str], expected: str) -> None:
    assert commits.next_version(current, messages) == expected


def test_commit_check_runs_on_this_repository() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "commits.py"), "next-version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+\.\d+\.\d+\n", result.stdout)


def test_jenkinsfile_runs_every_stage_the_issue_names() -> None:
    assert JENKINSFILE.lstrip().startswith(("//", "pipeline")) and "pipeline {" in JENKINSFILE
    for needle in (
        "changeRequest()",
        "commits.py check",
        "ruff check",
        "ruff format --check",
        "mypy",
        "pytest",
        "tests/platform",
        "checkov",
        "hadolint",
        "branch 'main'",
        "buildctl",
        "cosign sign",
        "binauthz attestations",
        "commits.py next-version",
        "helm package",
        "helm push",
        "helm upgrade --install",
        "--atomic",
        "values-dev.yaml",
    ):
        assert needle in JENKINSFILE, needle
    for role in ("api", "worker", "ui", "mlflow", "tools", "operator"):
        assert re.search(rf"\b{role}\b", JENKINSFILE), role
