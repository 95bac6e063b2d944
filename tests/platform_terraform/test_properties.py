"""Properties of the parsed Terraform and Packer trees: the security rules of issue 20."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from tests.platform_terraform import hcl

DIRS = hcl.module_dirs()
ROOTS = [d for d in DIRS if d.parent.name == "envs"]
MODULES = [d for d in DIRS if d.parent.name == "modules"]


def _id(path: Path) -> str:
    return str(path.relative_to(hcl.TERRAFORM))


def _per_module(check) -> list[str]:  # type: ignore[no-untyped-def]
    return [v for d in DIRS for v in check(hcl.dir_blocks(d))]


def test_gke_nodes_and_endpoint_are_private() -> None:
    clusters = [b for b in hcl.all_blocks() if b.type == "google_container_cluster"]
    assert clusters, "no GKE cluster found"
    assert _per_module(hcl.private_cluster_violations) == []


def test_no_world_access_to_ssh_or_rdp() -> None:
    assert _per_module(hcl.open_admin_ports) == []
    assert hcl.open_admin_ports(hcl.packer_blocks()) == []


def test_only_https_is_open_on_jenkins() -> None:
    groups = [b for b in hcl.all_blocks() if b.type == "aws_security_group"]
    assert groups
    for group in groups:
        ports = {(r.get("from_port"), r.get("to_port")) for r in hcl.nested(group.body, "ingress")}
        assert ports == {(443, 443)}, f"{group.where}: ingress {ports}"


def test_no_ssh_keys_or_public_addresses_on_instances() -> None:
    for b in hcl.all_blocks():
        if b.type == "aws_instance":
            assert "key_name" not in b.body, f"{b.where}: SSH key pair"
            assert b.body.get("associate_public_ip_address") is False, b.where
        if b.type == "google_compute_instance":
            for nic in hcl.nested(b.body, "network_interface"):
                assert "access_config" not in nic, f"{b.where}: external address"
            assert b.body.get("metadata", {}).get("enable-oslogin") == "TRUE", b.where


def test_cmek_on_cluster_buckets_and_every_store() -> None:
    kinds = {b.type for b in hcl.all_blocks()}
    assert {"google_container_cluster", "google_storage_bucket"} <= kinds
    assert _per_module(hcl.cmek_violations) == []


def test_buckets_enforce_public_access_prevention() -> None:
    buckets = [b for b in hcl.all_blocks() if b.type == "google_storage_bucket"]
    assert buckets
    assert _per_module(hcl.bucket_violations) == []


def test_no_secret_value_in_resources_or_variable_defaults() -> None:
    assert _per_module(hcl.secret_values) == []
    assert hcl.secret_values(hcl.packer_blocks()) == []


def test_no_credential_in_any_file() -> None:
    files = [p for p in [*hcl.TERRAFORM.rglob("*"), *hcl.PACKER.rglob("*")] if p.is_file()]
    found = {str(p): hcl.credentials_in_text(p.read_text(errors="replace")) for p in files}
    assert {p: f for p, f in found.items() if f} == {}


def test_jenkins_configuration_as_code_holds_placeholders_only() -> None:
    casc = yaml.safe_load((hcl.PACKER / "files" / "jenkins.yaml").read_text())
    secrets = [
        (key, value)
        for key, value in hcl.walk(casc)
        if re.search(r"(password|secret|token)$", key.rsplit(".", 1)[-1], re.IGNORECASE)
    ]
    assert secrets, "the JCasC file has no credential at all: the check would be vacuous"
    for key, value in secrets:
        assert re.fullmatch(r"\$\{[A-Z_]+\}", str(value)), f"{key} = {value!r} is not a ${{VAR}}"


def test_imdsv2_required() -> None:
    instances = [b for b in hcl.all_blocks() if b.type == "aws_instance"]
    assert instances
    assert hcl.imds_violations(hcl.all_blocks()) == []
    assert hcl.imds_violations(hcl.packer_blocks()) == []


@pytest.mark.parametrize("directory", DIRS, ids=_id)
def test_provider_versions_pinned(directory: Path) -> None:
    bs = hcl.dir_blocks(directory)
    declared = hcl.required_providers(bs)
    used = hcl.used_providers(bs)
    modules = [b for b in bs if b.kind == "module"]
    if not used and not modules:
        pytest.fail(f"{_id(directory)} declares nothing")
    assert hcl.required_version(bs), f"{_id(directory)} has no required_version"
    assert hcl.bounded(hcl.required_version(bs))
    for name in used:
        assert name in declared, f"{_id(directory)} uses provider {name} without pinning it"
    for name, spec in declared.items():
        assert spec.get("source", "").startswith("hashicorp/"), f"{name}: source {spec}"
        version = spec.get("version")
        if directory in ROOTS:
            assert hcl.exact_pin(version), f"{_id(directory)}: {name} = {version!r} is not exact"
        else:
            assert hcl.bounded(version), f"{_id(directory)}: {name} = {version!r} is unbounded"


def _module_calls(directory: Path) -> list[tuple[hcl.Block, Path]]:
    calls = []
    for b in hcl.dir_blocks(directory):
        if b.kind == "module":
            calls.append((b, (directory / b.body["source"]).resolve()))
    return calls


@pytest.mark.parametrize("root", ROOTS, ids=_id)
def test_root_pins_satisfy_every_module_it_uses(root: Path) -> None:
    pins = {
        n: hcl.exact_pin(s["version"])
        for n, s in hcl.required_providers(hcl.dir_blocks(root)).items()
    }
    seen, todo = set(), [root]
    while todo:
        current = todo.pop()
        for _, target in _module_calls(current):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen, f"{_id(root)} calls no module"
    for module in seen:
        for name, spec in hcl.required_providers(hcl.dir_blocks(module)).items():
            assert name in pins, f"{_id(root)} does not pin {name}, needed by {_id(module)}"
            assert hcl.satisfies(str(pins[name]), spec["version"]), (name, pins[name], module)


def test_packer_plugins_pinned() -> None:
    packer = [b for b in hcl.packer_blocks() if b.kind == "packer"]
    assert packer and hcl.bounded(packer[0].body.get("required_version"))
    plugins = hcl.first(packer[0].body, "required_plugins")
    assert plugins
    for name, spec in plugins.items():
        assert hcl.exact_pin(spec.get("version")), f"packer plugin {name} = {spec}"


def test_every_input_and_output_is_documented() -> None:
    assert _per_module(hcl.undocumented) == []
    assert hcl.undocumented(hcl.packer_blocks()) == []


@pytest.mark.parametrize("directory", DIRS, ids=_id)
def test_module_calls_match_module_inputs_and_outputs(directory: Path) -> None:
    """What `terraform validate` would catch first, checked without the providers: arguments
    that are not inputs, missing required inputs, outputs that do not exist."""
    meta = {"source", "count", "for_each", "depends_on", "providers", "version"}
    text = " ".join(p.read_text() for p in directory.glob("*.tf"))
    for call, target in _module_calls(directory):
        assert target.is_dir(), f"{call.where}: no module at {target}"
        inputs = {b.name: b for b in hcl.dir_blocks(target) if b.kind == "variable"}
        outputs = {b.name for b in hcl.dir_blocks(target) if b.kind == "output"}
        args = set(call.body) - meta
        assert args <= set(inputs), f"{call.where}: unknown inputs {sorted(args - set(inputs))}"
        required = {n for n, b in inputs.items() if "default" not in b.body}
        assert required <= args, f"{call.where}: missing inputs {sorted(required - args)}"
        used = set(re.findall(rf"module\.{call.name}(?:\[\d+\])?\.(\w+)", text))
        assert used <= outputs, f"{call.where}: unknown outputs {sorted(used - outputs)}"


@pytest.mark.parametrize("directory", DIRS, ids=_id)
def test_for_each_keys_are_known_at_plan_time(directory: Path) -> None:
    """`for_each = toset(var.x)` turns values into keys, which Terraform must know at plan time:
    a caller may not pass resource attributes or module outputs there (use a map with fixed
    keys instead)."""
    values = hcl.defaults(hcl.dir_blocks(directory))
    for call, target in _module_calls(directory):
        for name in hcl.toset_inputs(target) & set(call.body):
            assert not hcl.unknown_at_plan(call.body[name], values), (
                f"{call.where}: {name} is only known after apply but keys a for_each"
            )


@pytest.mark.parametrize("directory", DIRS, ids=_id)
def test_module_calls_form_no_cycle(directory: Path) -> None:
    """A module-level depends_on makes every resource of one module wait for all of another's:
    such edges must not close a cycle, or Terraform refuses to plan."""
    assert hcl.find_cycle(hcl.module_graph(hcl.dir_blocks(directory))) is None


def test_no_conditional_between_an_object_and_an_empty_one() -> None:
    """`cond ? { a = x } : {}` fails at plan ("inconsistent conditional result types")."""
    pattern = re.compile(r"\?\s*\{[^{}]*\w[^{}]*\}\s*:\s*\{\s*\}|\?\s*\{\s*\}\s*:\s*\{[^{}]*\w")
    assert pattern.search("x = var.on ? { a = 1 } : {}")
    offenders = [str(p) for p in hcl.tf_files() if pattern.search(p.read_text())]
    assert offenders == []


@pytest.mark.parametrize("directory", DIRS, ids=_id)
def test_references_to_variables_and_locals_are_declared(directory: Path) -> None:
    bs = hcl.dir_blocks(directory)
    variables = {b.name for b in bs if b.kind == "variable"}
    locals_ = {k for b in bs if b.kind == "locals" for k in b.body}
    text = " ".join(p.read_text() for p in directory.glob("*.tf"))
    assert set(re.findall(r"\bvar\.(\w+)", text)) <= variables
    assert set(re.findall(r"\blocal\.(\w+)", text)) <= locals_


def test_gke_minor_version_pinned_in_one_place() -> None:
    gke = hcl.TERRAFORM / "modules" / "gcp-gke"
    version = {b.name: b for b in hcl.dir_blocks(gke) if b.kind == "variable"}["kubernetes_version"]
    assert version.body["default"] == "1.35"
    cluster = next(b for b in hcl.dir_blocks(gke) if b.type == "google_container_cluster")
    assert cluster.body["min_master_version"] == "${var.kubernetes_version}"
    assert hcl.first(cluster.body, "release_channel").get("channel") == "${var.release_channel}"
    pinned = [p for p in hcl.tf_files() if re.search(r'"1\.\d+"', p.read_text())]
    assert pinned == [gke / "variables.tf"], pinned
    for b in hcl.all_blocks():
        assert "kubernetes_version" not in b.body or b.path.parent == gke, b.where
        assert "node_version" not in b.body, b.where
        if b.type == "google_container_node_pool":
            assert "version" not in b.body, b.where
    kubectl = {b.name: b for b in hcl.packer_blocks() if b.kind == "variable"}["kubectl_version"]
    assert kubectl.body["default"].startswith("v1.33."), "kubectl must match the cluster minor"


def test_gke_maintenance_window_leaves_gke_enough_time() -> None:
    """GKE refuses windows shorter than 4 hours or under 48 hours in 32 days."""
    gke = hcl.TERRAFORM / "modules" / "gcp-gke"
    window = {b.name: b for b in hcl.dir_blocks(gke) if b.kind == "variable"}[
        "maintenance_window"
    ].body["default"]
    start, end = (datetime.fromisoformat(window[k]) for k in ("start_time", "end_time"))
    hours = (end - start).total_seconds() / 3600
    days = re.search(r"BYDAY=([A-Z,]+)", window["recurrence"])
    assert window["recurrence"].startswith("FREQ=WEEKLY") and days
    per_week = hours * len(days.group(1).split(","))
    assert hours >= 4 and per_week * 32 / 7 >= 48, (hours, per_week)


def test_kubernetes_service_accounts_are_the_charts() -> None:
    wi = hcl.TERRAFORM / "modules" / "gcp-workload-identity"
    variables = {b.name: b for b in hcl.dir_blocks(wi) if b.kind == "variable"}
    assert variables["kubernetes_namespace"].body["default"] == "tracelens"
    names = variables["kubernetes_service_accounts"].body["default"]
    assert sorted(names.values()) == sorted(
        f"tracelens-{c}"
        for c in ("api", "worker", "relay", "ui", "mlflow", "reembed", "backup-operator")
    )


def test_storage_roles_are_bucket_scoped_and_no_primitive_roles() -> None:
    for b in hcl.all_blocks():
        text = repr(b.body)
        if b.type.startswith("google_project_iam"):
            assert "roles/storage." not in text, f"{b.where}: project-wide storage role"
        assert not re.search(r"roles/(owner|editor|viewer|storage\.admin)\b", text), b.where
    wi = hcl.TERRAFORM / "modules" / "gcp-workload-identity"
    grants = {b.name: b for b in hcl.dir_blocks(wi) if b.kind == "variable"}["bucket_roles"]
    roles = {r for per in grants.body["default"].values() for rs in per.values() for r in rs}
    assert roles <= {"roles/storage.objectViewer", "roles/storage.objectCreator",
                     "roles/storage.objectUser"}  # fmt: skip
    members = [b for b in hcl.dir_blocks(wi) if b.type == "google_storage_bucket_iam_member"]
    assert members, "workloads get no bucket role at all"


def test_remote_state_backends() -> None:
    expected = {"gcp-dev": "gcs", "gcp-prod": "gcs", "aws-ci": "s3"}
    for root in ROOTS:
        backends = [
            hcl.first(b.body, "backend")
            for b in hcl.dir_blocks(root)
            if b.kind == "terraform" and "backend" in b.body
        ]
        assert len(backends) == 1, _id(root)
        ((kind, config),) = backends[0].items()
        assert kind == expected[root.name], _id(root)
        assert config.get("bucket"), _id(root)
        if kind == "gcs":
            assert config.get("prefix") == f"envs/{root.name}"
        else:
            assert config.get("encrypt") is True and config.get("use_lockfile") is True


def test_wildcard_resources_only_in_kms_key_policies() -> None:
    """Compensates the CKV_AWS_109/111/356 skips: '*' resources only where '*' means the key."""
    for directory in DIRS:
        bs = hcl.dir_blocks(directory)
        users: dict[str, set[str]] = {}
        for b in bs:
            for key, value in hcl.walk(b.body):
                for name in re.findall(r"data\.aws_iam_policy_document\.(\w+)", str(value)):
                    users.setdefault(name, set()).add(f"{b.type}.{key.rsplit('.', 1)[-1]}")
        for b in bs:
            if b.type != "aws_iam_policy_document":
                continue
            wildcard = any("*" in s.get("resources", []) for s in hcl.nested(b.body, "statement"))
            if wildcard:
                assert users.get(b.name) == {"aws_kms_key.policy"}, (b.where, users.get(b.name))


def test_federation_is_restricted_to_the_jenkins_role() -> None:
    """Compensates the CKV_GCP_125 skip."""
    providers = [
        b for b in hcl.all_blocks() if b.type == "google_iam_workload_identity_pool_provider"
    ]
    assert providers
    for b in providers:
        values = hcl.defaults(hcl.dir_blocks(b.path.parent))
        condition = re.sub(
            r"\$\{(local\.\w+)\}",
            lambda m, values=values: str(values.get(m.group(1), m.group(0))),
            b.body.get("attribute_condition", ""),
        )
        assert re.fullmatch(
            r"attribute\.aws_role == 'arn:aws:sts::\$\{var\.aws_account_id\}:assumed-role/"
            r"\$\{var\.aws_role_name\}'",
            condition,
        ), f"{b.where}: {condition}"
