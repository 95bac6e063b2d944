"""Parsed HCL of terraform/ and packer/, and the property checks the tests run over it."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
PACKER = ROOT / "packer"

OPTIONS = SerializationOptions(
    with_comments=False,
    explicit_blocks=False,
    strip_string_quotes=True,
    preserve_heredocs=False,
)

_REF = re.compile(r"^\$\{(var|local)\.([A-Za-z0-9_-]+)\}$")


def parse_text(text: str) -> dict[str, Any]:
    return hcl2.loads(text, serialization_options=OPTIONS)


def parse_file(path: Path) -> dict[str, Any]:
    return parse_text(path.read_text())


def tf_files() -> list[Path]:
    return sorted(p for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts)


def packer_files() -> list[Path]:
    return sorted(PACKER.rglob("*.pkr.hcl"))


@dataclass(frozen=True)
class Block:
    """One top-level block: kind is resource, data, module, variable, output, provider,
    terraform, locals, packer or source; type is the resource/data/source type, else ''."""

    kind: str
    type: str
    name: str
    body: dict[str, Any]
    path: Path

    @property
    def where(self) -> str:
        rel = self.path.relative_to(ROOT) if self.path.is_absolute() else self.path
        label = ".".join(x for x in (self.type, self.name) if x)
        return f"{rel}: {self.kind} {label}"


def blocks(doc: dict[str, Any], path: Path) -> list[Block]:
    out: list[Block] = []
    for kind, entries in doc.items():
        for entry in entries:
            if kind in ("resource", "data", "source"):
                for rtype, named in entry.items():
                    for name, body in named.items():
                        out.append(Block(kind, rtype, name, body, path))
            elif kind in ("module", "variable", "output", "provider"):
                for name, body in entry.items():
                    out.append(Block(kind, "", name, body, path))
            else:
                out.append(Block(kind, "", "", entry, path))
    return out


@functools.cache
def dir_blocks(directory: Path) -> tuple[Block, ...]:
    """Every block of the .tf files directly in a directory (one Terraform module)."""
    found: list[Block] = []
    for path in sorted(directory.glob("*.tf")):
        found.extend(blocks(parse_file(path), path))
    return tuple(found)


def module_dirs() -> list[Path]:
    return sorted({p.parent for p in tf_files()})


def all_blocks() -> list[Block]:
    return [b for d in module_dirs() for b in dir_blocks(d)]


def packer_blocks() -> list[Block]:
    return [b for p in packer_files() for b in blocks(parse_file(p), p)]


def first(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The first nested block called key ({} when absent)."""
    value = body.get(key)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    if isinstance(value, dict):
        return value
    return {}


def nested(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """All nested blocks called key, including the content of dynamic "key" blocks."""
    found: list[dict[str, Any]] = []
    value = body.get(key)
    if isinstance(value, list):
        found.extend(v for v in value if isinstance(v, dict))
    elif isinstance(value, dict):
        found.append(value)
    for dyn in body.get("dynamic", []):
        content = first(dyn.get(key, {}), "content")
        if content:
            found.append(content)
    return found


def defaults(bs: list[Block] | tuple[Block, ...]) -> dict[str, Any]:
    """Variable defaults and locals of one module, to resolve ${var.x} and ${local.x}."""
    values: dict[str, Any] = {}
    for b in bs:
        if b.kind == "variable" and "default" in b.body:
            values[f"var.{b.name}"] = b.body["default"]
        elif b.kind == "locals":
            for key, value in b.body.items():
                values[f"local.{key}"] = value
    return values


def resolve(value: Any, values: dict[str, Any]) -> Any:
    """Replace a whole-value ${var.x}/${local.x} reference by its default, recursively."""
    if isinstance(value, str):
        m = _REF.match(value)
        if m and f"{m.group(1)}.{m.group(2)}" in values:
            return resolve(values[f"{m.group(1)}.{m.group(2)}"], values)
        return value
    if isinstance(value, list):
        flat: list[Any] = []
        for item in value:
            r = resolve(item, values)
            flat.extend(r if isinstance(r, list) and isinstance(item, str) else [r])
        return flat
    return value


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, leaf value) for every leaf of a parsed body."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from walk(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner, path)
    else:
        yield path, value


# ---------------------------------------------------------------- admin ports open to the world

ADMIN_PORTS = (22, 3389)
WORLD = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


def _is_world(cidr: Any) -> bool | None:
    """True for 0.0.0.0/0 or ::/0, None when the value is an unresolved expression."""
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.ip_network(cidr, strict=False) in WORLD
    except ValueError:
        return None


def _covers_admin(ports: list[tuple[int, int]]) -> list[int]:
    return [p for p in ADMIN_PORTS if any(lo <= p <= hi for lo, hi in ports)]


def _gcp_ports(allow: dict[str, Any]) -> list[tuple[int, int]]:
    if str(allow.get("protocol", "")).lower() not in ("tcp", "all", "6"):
        return []
    ports = allow.get("ports")
    if not ports:
        return [(0, 65535)]
    spans = []
    for p in ports:
        lo, _, hi = str(p).partition("-")
        spans.append((int(lo), int(hi or lo)))
    return spans


def _aws_ports(rule: dict[str, Any], proto_key: str) -> list[tuple[int, int]]:
    proto = str(rule.get(proto_key, "tcp")).lower()
    if proto in ("-1", "all"):
        return [(0, 65535)]
    if proto not in ("tcp", "6"):
        return []
    lo, hi = rule.get("from_port", 0), rule.get("to_port", 65535)
    try:
        return [(int(lo), int(hi))]
    except (TypeError, ValueError):
        return [(0, 65535)]  # an expression: assume the worst


def open_admin_ports(bs: list[Block] | tuple[Block, ...]) -> list[str]:
    """Firewall rules and security groups that open 22 or 3389 to the whole internet. Sources
    that cannot be resolved to a literal count as open: a check must not pass by not knowing."""
    values = defaults(bs)
    bad: list[str] = []

    def judge(where: str, cidrs: Any, ports: list[tuple[int, int]]) -> None:
        hit = _covers_admin(ports)
        if not hit:
            return
        cidrs = resolve(cidrs, values)
        for cidr in cidrs if isinstance(cidrs, list) else [cidrs]:
            world = _is_world(cidr)
            if world or world is None:
                bad.append(f"{where}: ports {hit} open to {cidr}")

    for b in bs:
        if b.type == "google_compute_firewall":
            if str(b.body.get("direction", "INGRESS")).upper() != "INGRESS":
                continue
            for allow in nested(b.body, "allow"):
                judge(b.where, b.body.get("source_ranges", ["0.0.0.0/0"]), _gcp_ports(allow))
        elif b.type == "aws_security_group":
            for rule in nested(b.body, "ingress"):
                cidrs = list(resolve(rule.get("cidr_blocks", []), values) or [])
                cidrs += list(resolve(rule.get("ipv6_cidr_blocks", []), values) or [])
                judge(b.where, cidrs, _aws_ports(rule, "protocol"))
        elif b.type == "aws_security_group_rule" and b.body.get("type") == "ingress":
            cidrs = list(resolve(b.body.get("cidr_blocks", []), values) or [])
            cidrs += list(resolve(b.body.get("ipv6_cidr_blocks", []), values) or [])
            judge(b.where, cidrs, _aws_ports(b.body, "protocol"))
        elif b.type == "aws_vpc_security_group_ingress_rule":
            cidrs = [b.body[k] for k in ("cidr_ipv4", "cidr_ipv6") if k in b.body]
            judge(b.where, cidrs, _aws_ports(b.body, "ip_protocol"))
        elif b.kind == "source" and b.type == "amazon-ebs":
            # Packer's temporary security group opens SSH to 0.0.0.0/0 unless told otherwise.
            if b.body.get("temporary_security_group_source_public_ip") is True:
                continue
            if b.body.get("security_group_id") or b.body.get("security_group_ids"):
                continue
            judge(
                b.where,
                b.body.get("temporary_security_group_source_cidrs", ["0.0.0.0/0"]),
                [(22, 22)],
            )
    return bad


# ---------------------------------------------------------------- secrets

SECRET_RESOURCE_TYPES = {
    "google_secret_manager_secret_version": "puts a secret value in the state",
    "aws_secretsmanager_secret_version": "puts a secret value in the state",
    "aws_ssm_parameter": "puts a parameter value in the state",
    "random_password": "puts a generated password in the state",
    "tls_private_key": "puts a private key in the state",
    "google_service_account_key": "puts a service account key in the state",
    "aws_iam_access_key": "puts an access key in the state",
    "kubernetes_secret": "puts a secret value in the state",
}
SECRET_KEY = re.compile(
    r"(^|_)(password|passwd|secret_data|secret_string|secret_binary|private_key|client_secret"
    r"|api_key|access_key|secret_key|token|auth_token|master_password)$",
    re.IGNORECASE,
)
CREDENTIAL_PATTERNS = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "GitHub token": re.compile(r"\b(ghp|gho|ghs|ghu)_[A-Za-z0-9]{36}\b|\bgithub_pat_\w{40,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "service account key": re.compile(r'"private_key_id"\s*:'),
}


def _literal(value: Any) -> bool:
    """A value written in the file rather than computed from a reference."""
    if value is None or value == "" or isinstance(value, bool):
        return False
    if isinstance(value, str):
        return not (value.startswith("${") and value.endswith("}"))
    return True


def secret_values(bs: list[Block] | tuple[Block, ...]) -> list[str]:
    """Resources that carry a secret value, secret-named attributes with a literal value, and
    secret-like or sensitive variables with a default."""
    bad: list[str] = []
    for b in bs:
        if b.kind == "resource" and b.type in SECRET_RESOURCE_TYPES:
            bad.append(f"{b.where}: {SECRET_RESOURCE_TYPES[b.type]}")
        if b.kind in ("resource", "data", "module", "provider", "source", "locals"):
            for key, value in walk(b.body):
                leaf = key.rsplit(".", 1)[-1]
                if SECRET_KEY.search(leaf) and _literal(value):
                    bad.append(f"{b.where}: {key} has a literal value")
        if b.kind == "variable" and b.body.get("default") not in (None, "", [], {}):
            if b.body.get("sensitive") is True or SECRET_KEY.search(b.name):
                bad.append(f"{b.where}: a secret variable has a default")
            for key, value in walk({"default": b.body["default"]}):
                if SECRET_KEY.search(key.rsplit(".", 1)[-1]) and _literal(value):
                    bad.append(f"{b.where}: default {key} is a literal secret")
    return bad


def credentials_in_text(text: str) -> list[str]:
    return [name for name, rx in CREDENTIAL_PATTERNS.items() if rx.search(text)]


# ---------------------------------------------------------------- IMDSv2, CMEK, buckets, GKE


def imds_violations(bs: list[Block] | tuple[Block, ...]) -> list[str]:
    bad = []
    for b in bs:
        if b.type in ("aws_instance", "aws_launch_template"):
            if first(b.body, "metadata_options").get("http_tokens") != "required":
                bad.append(f"{b.where}: metadata_options.http_tokens is not required")
        elif b.kind == "source" and b.type == "amazon-ebs":
            if first(b.body, "metadata_options").get("http_tokens") != "required":
                bad.append(f"{b.where}: the build instance does not require IMDSv2")
            if b.body.get("imds_support") != "v2.0":
                bad.append(f"{b.where}: the AMI is not registered IMDSv2-only")
    return bad


def _key_set(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def cmek_violations(bs: list[Block] | tuple[Block, ...]) -> list[str]:
    """Every resource that stores data names a customer-managed key."""
    bad = []
    for b in bs:
        body, t = b.body, b.type
        if t == "google_container_cluster":
            enc = first(body, "database_encryption")
            if enc.get("state") != "ENCRYPTED" or not _key_set(enc.get("key_name")):
                bad.append(f"{b.where}: etcd secrets are not encrypted with a KMS key")
            node = first(body, "node_config")
            if node and not _key_set(node.get("boot_disk_kms_key")):
                bad.append(f"{b.where}: node boot disks have no KMS key")
        elif t == "google_container_node_pool":
            if not _key_set(first(body, "node_config").get("boot_disk_kms_key")):
                bad.append(f"{b.where}: boot disks have no KMS key")
        elif t == "google_storage_bucket":
            if not _key_set(first(body, "encryption").get("default_kms_key_name")):
                bad.append(f"{b.where}: no default KMS key")
        elif t == "google_sql_database_instance":
            if not _key_set(body.get("encryption_key_name")):
                bad.append(f"{b.where}: no encryption_key_name")
        elif t == "google_artifact_registry_repository":
            if not _key_set(body.get("kms_key_name")):
                bad.append(f"{b.where}: no kms_key_name")
        elif t == "google_secret_manager_secret":
            replicas = nested(first(first(body, "replication"), "user_managed"), "replicas")
            if not replicas or not all(
                _key_set(first(r, "customer_managed_encryption").get("kms_key_name"))
                for r in replicas
            ):
                bad.append(f"{b.where}: replicas without customer-managed encryption")
        elif t == "google_compute_instance":
            if not _key_set(first(body, "boot_disk").get("kms_key_self_link")):
                bad.append(f"{b.where}: boot disk has no KMS key")
        elif t == "aws_instance":
            root = first(body, "root_block_device")
            if root.get("encrypted") is not True or not _key_set(root.get("kms_key_id")):
                bad.append(f"{b.where}: root volume not encrypted with a customer key")
        elif t == "aws_ebs_volume":
            if body.get("encrypted") is not True or not _key_set(body.get("kms_key_id")):
                bad.append(f"{b.where}: volume not encrypted with a customer key")
        elif t in ("aws_secretsmanager_secret", "aws_cloudwatch_log_group") and not _key_set(
            body.get("kms_key_id")
        ):
            bad.append(f"{b.where}: no kms_key_id")
    return bad


def bucket_violations(bs: list[Block] | tuple[Block, ...]) -> list[str]:
    bad = []
    for b in bs:
        if b.type != "google_storage_bucket":
            continue
        if b.body.get("public_access_prevention") != "enforced":
            bad.append(f"{b.where}: public_access_prevention is not enforced")
        if b.body.get("uniform_bucket_level_access") is not True:
            bad.append(f"{b.where}: uniform bucket-level access is off")
        if first(b.body, "versioning").get("enabled") is not True:
            bad.append(f"{b.where}: versioning is off")
        if not nested(b.body, "lifecycle_rule"):
            bad.append(f"{b.where}: no lifecycle rule")
    return bad


def private_cluster_violations(bs: list[Block] | tuple[Block, ...]) -> list[str]:
    bad = []
    for b in bs:
        if b.type == "google_container_cluster":
            pcc = first(b.body, "private_cluster_config")
            if pcc.get("enable_private_nodes") is not True:
                bad.append(f"{b.where}: nodes are not private")
            if pcc.get("enable_private_endpoint") is not True:
                bad.append(f"{b.where}: the control plane endpoint is not private")
            if not b.body.get("master_authorized_networks_config"):
                bad.append(f"{b.where}: no master authorized networks")
            if first(b.body, "master_global_access_config").get("enabled") is True:
                bad.append(f"{b.where}: global access to the private endpoint")
        elif b.type == "google_container_node_pool":
            net = first(b.body, "network_config")
            if net.get("enable_private_nodes") is False:
                bad.append(f"{b.where}: node pool overrides private nodes")
    return bad


# ---------------------------------------------------------------- versions and documentation

_VERSION = re.compile(r"^\s*(>=|<=|~>|!=|=|>|<)?\s*v?(\d+(?:\.\d+){0,2})\s*$")


def _parse_version(text: str) -> tuple[int, ...]:
    parts = [int(x) for x in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def constraint_parts(constraint: str) -> list[tuple[str, tuple[int, ...], int]]:
    """[(operator, version, number of components written)] of a constraint string."""
    parts = []
    for piece in constraint.split(","):
        m = _VERSION.match(piece)
        if not m:
            raise ValueError(f"not a version constraint: {constraint!r}")
        parts.append((m.group(1) or "=", _parse_version(m.group(2)), m.group(2).count(".") + 1))
    return parts


def satisfies(version: str, constraint: str) -> bool:
    v = _parse_version(version)
    for op, c, written in constraint_parts(constraint):
        if op == "~>":
            upper = list(c[: max(written - 1, 1)])
            upper[-1] += 1
            ok = v >= c and v < tuple(upper + [0] * (3 - len(upper)))
        else:
            ok = {"=": v == c, "!=": v != c, ">": v > c, ">=": v >= c, "<": v < c, "<=": v <= c}[op]
        if not ok:
            return False
    return True


def exact_pin(constraint: Any) -> str | None:
    """The version an exact pin names ('7.40.0' or '= 7.40.0'), else None."""
    if not isinstance(constraint, str):
        return None
    parts = constraint_parts(constraint) if _VERSION.match(constraint) else []
    if len(parts) == 1 and parts[0][0] == "=" and parts[0][2] == 3:
        return ".".join(map(str, parts[0][1]))
    return None


def bounded(constraint: Any) -> bool:
    """A range with a lower and an upper bound (>= a, < b) or a pessimistic ~> pin."""
    if not isinstance(constraint, str):
        return False
    try:
        parts = constraint_parts(constraint)
    except ValueError:
        return False
    ops = {op for op, _, _ in parts}
    return "~>" in ops or "=" in ops or (bool(ops & {">=", ">"}) and bool(ops & {"<", "<="}))


def required_providers(bs: list[Block] | tuple[Block, ...]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for b in bs:
        if b.kind == "terraform":
            for rp in nested(b.body, "required_providers"):
                found.update(rp)
    return found


def used_providers(bs: list[Block] | tuple[Block, ...]) -> set[str]:
    used = set()
    for b in bs:
        if b.kind in ("resource", "data"):
            provider = b.body.get("provider")
            if isinstance(provider, str) and provider.startswith("${"):
                used.add(provider.strip("${}").split(".")[0])
            else:
                used.add(b.type.split("_")[0])
        elif b.kind == "provider":
            used.add(b.name)
    return used


def required_version(bs: list[Block] | tuple[Block, ...]) -> str | None:
    for b in bs:
        if b.kind in ("terraform", "packer") and "required_version" in b.body:
            return str(b.body["required_version"])
    return None


def undocumented(bs: list[Block] | tuple[Block, ...]) -> list[str]:
    bad = []
    for b in bs:
        if b.kind == "variable":
            desc = b.body.get("description")
            if not isinstance(desc, str) or len(desc.strip()) < 10:
                bad.append(f"{b.where}: no description")
            if "type" not in b.body:
                bad.append(f"{b.where}: no type")
        elif b.kind == "output":
            desc = b.body.get("description")
            if not isinstance(desc, str) or len(desc.strip()) < 5:
                bad.append(f"{b.where}: no description")
    return bad


# ---------------------------------------------------------------- plan-time knowledge

_COMPUTED = re.compile(r"\bmodule\.\w+|\bdata\.\w+\.\w+|\b(?:google|aws)[\w-]*_\w+\.\w+\.\w+")


def unknown_at_plan(value: Any, values: dict[str, Any]) -> bool:
    """Whether an expression may be unknown until apply: it reads a module output, a data
    source or a resource attribute (locals are followed; variables count as known)."""
    text = repr(value)
    for ref in set(re.findall(r"\blocal\.(\w+)", text)):
        if unknown_at_plan(values.get(f"local.{ref}"), values):
            return True
    return bool(_COMPUTED.search(text))


def toset_inputs(directory: Path) -> set[str]:
    """Inputs of a module used as `for_each = toset(var.X)`: their values become the keys."""
    text = " ".join(p.read_text() for p in directory.glob("*.tf"))
    return set(re.findall(r"for_each\s*=\s*toset\(var\.(\w+)\)", text))


def module_graph(bs: list[Block] | tuple[Block, ...]) -> dict[str, set[str]]:
    """Module call -> the module calls it reads from or depends on (locals followed)."""
    values = defaults(bs)
    calls = {b.name: b for b in bs if b.kind == "module"}

    def refs(value: Any, seen: frozenset[str] = frozenset()) -> set[str]:
        text = repr(value)
        found = set(re.findall(r"\bmodule\.(\w+)", text))
        for name in set(re.findall(r"\blocal\.(\w+)", text)) - seen:
            found |= refs(values.get(f"local.{name}"), seen | {name})
        return found

    return {name: refs(call.body) & set(calls) - {name} for name, call in calls.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A dependency cycle of the graph (as a path), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None
