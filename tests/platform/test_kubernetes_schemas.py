"""Every rendered object against its schema: built-in kinds with kubernetes-validate (strict, the
Kubernetes version the Terraform pins), custom resources against the fields of their CRDs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.platform.conftest import CHART, KUBERNETES_VERSION, ROOT, SCENARIOS, Manifest

BUILTIN_GROUPS = frozenset(
    {"", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io"}
)
IN_REPO_CRDS = {"tracelens.io": ROOT / "operators" / "backup" / "crds"}
"""Custom resources whose CRDs live in this repository: checked against the full CRD schema."""

CRD_SCHEMAS = Path(__file__).parent / "crd_schemas"


def group_of(obj: Manifest) -> str:
    return str(obj["apiVersion"]).rpartition("/")[0]


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """A CRD's structural schema as JSON Schema that refuses fields the CRD does not declare
    (the API server would silently prune them, which hides typos)."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: strict(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = strict(value)
        elif key in (
            "type",
            "enum",
            "required",
            "minimum",
            "maximum",
            "minItems",
            "maxItems",
            "minLength",
            "maxLength",
        ):
            out[key] = value
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def crd_schema(obj: Manifest) -> dict[str, Any]:
    """The schema a custom resource is checked against, from the repo's CRD or the cut-down one."""
    group, _, version = str(obj["apiVersion"]).rpartition("/")
    if group in IN_REPO_CRDS:
        for path in sorted(IN_REPO_CRDS[group].glob("*.yaml")):
            crd = yaml.safe_load(path.read_text())
            if crd["spec"]["names"]["kind"] == obj["kind"]:
                for served in crd["spec"]["versions"]:
                    if served["name"] == version:
                        schema: dict[str, Any] = served["schema"]["openAPIV3Schema"]
                        return schema
        raise AssertionError(f"no CRD in {IN_REPO_CRDS[group]} serves {obj['apiVersion']}")
    path = CRD_SCHEMAS / f"{group}_{version}_{obj['kind']}.json"
    assert path.exists(), (
        f"{obj['apiVersion']} {obj['kind']} has no CRD schema in {CRD_SCHEMAS}: read its CRD "
        "and run tests/platform/crd_schemas/prune.py"
    )
    loaded: dict[str, Any] = json.loads(path.read_text())["schema"]
    return loaded


def test_kubernetes_version_matches_terraform() -> None:
    """The chart is checked against the GKE minor the Terraform pins (when the Terraform exists)."""
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["annotations"]["tracelens.io/validated-kubernetes-version"] == KUBERNETES_VERSION
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert values["kubernetesVersion"] == KUBERNETES_VERSION
    variables = ROOT / "terraform" / "modules" / "gcp-gke" / "variables.tf"
    if not variables.exists():
        pytest.skip("terraform/modules/gcp-gke is not in this tree")
    import re

    block = re.search(r'variable\s+"kubernetes_version"\s*\{(.*?)\n\}', variables.read_text(), re.S)
    assert block, f"no kubernetes_version variable in {variables}"
    default = re.search(r'default\s*=\s*"([^"]+)"', block.group(1))
    assert default and default.group(1) == KUBERNETES_VERSION


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_builtin_objects_validate(rendered: dict[str, list[Manifest]], scenario: str) -> None:
    failures = []
    checked = 0
    for obj in rendered[scenario]:
        if group_of(obj) not in BUILTIN_GROUPS:
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.path)
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {path}: {exc.message}")
        checked += 1
    assert checked > 10
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_custom_resources_use_only_crd_fields(
    rendered: dict[str, list[Manifest]], scenario: str
) -> None:
    failures = []
    for obj in rendered[scenario]:
        if group_of(obj) in BUILTIN_GROUPS:
            continue
        body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
        schema = strict(crd_schema(obj))
        for envelope in ("apiVersion", "kind", "metadata"):
            schema.get("properties", {}).pop(envelope, None)
            if envelope in schema.get("required", []):
                schema["required"] = [r for r in schema["required"] if r != envelope]
        for error in jsonschema.Draft7Validator(schema).iter_errors(body):
            path = "/".join(str(p) for p in error.path)
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {path}: {error.message}")
    assert not failures, "\n".join(failures)


def test_strict_crd_check_refuses_an_unknown_field(rendered: dict[str, list[Manifest]]) -> None:
    """The custom-resource check can fail: a misspelt field is caught."""
    gateway = next(o for o in rendered["default"] if o["kind"] == "Gateway")
    schema = strict(crd_schema(gateway))
    body = {"spec": {**gateway["spec"], "selectr": {"istio": "ingressgateway"}}}
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(body))
    assert any("selectr" in e.message for e in errors)


def test_chart_ships_the_backup_operator_crds_unchanged() -> None:
    """The chart's crds/ are copies of operators/backup/crds (Helm installs them first)."""
    import helm_python as helm

    source = IN_REPO_CRDS["tracelens.io"]
    originals = sorted(source.glob("*.yaml")) if source.exists() else []
    copies = sorted((CHART / "crds").glob("*.yaml"))
    assert [p.name for p in copies] == [p.name for p in originals]
    for original, copy in zip(originals, copies, strict=True):
        assert copy.read_text() == original.read_text(), f"{copy} differs from {original}"
    with helm.Chart.load(CHART) as chart:
        assert len(chart.crds) == len(originals)


def test_backup_operator_crds_are_valid_crds() -> None:
    for path in sorted((CHART / "crds").glob("*.yaml")):
        kubernetes_validate.validate(yaml.safe_load(path.read_text()), KUBERNETES_VERSION, True)
