"""Every Terraform and Packer file parses as HCL2, and the tree has the shape the issue asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.platform_terraform import hcl

TF_FILES = hcl.tf_files()
PACKER_FILES = hcl.packer_files()


def _id(path: Path) -> str:
    return str(path.relative_to(hcl.ROOT))


@pytest.mark.parametrize("path", TF_FILES + PACKER_FILES, ids=_id)
def test_file_parses_as_hcl2(path: Path) -> None:
    doc = hcl.parse_file(path)
    assert doc, f"{_id(path)} parsed to nothing"


def test_tree_has_the_modules_and_roots() -> None:
    dirs = {_id(d) for d in hcl.module_dirs()}
    for root in ("gcp-dev", "gcp-prod", "aws-ci"):
        assert f"terraform/envs/{root}" in dirs
    modules = {d for d in dirs if d.startswith("terraform/modules/")}
    assert len(modules) >= 10, modules
    assert len(TF_FILES) >= 50
    assert [p.name for p in PACKER_FILES] == ["jenkins.pkr.hcl", "variables.pkr.hcl"]


def test_parser_rejects_broken_hcl() -> None:
    with pytest.raises(Exception):  # noqa: B017 - any parse error will do
        hcl.parse_text('resource "a" "b" {\n  x = \n}\n')
