"""Properties every rendered manifest must have, in every scenario: probes, limits and the
restricted securityContext on every container, DNS in every egress-restricting NetworkPolicy,
Service targetPorts that exist on their pods, PDBs that allow a drain, no Secret data, images
pinned by digest in prod, probe paths the API really serves, metrics the app really exports.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from tests.platform.conftest import (
    CHART,
    SCENARIOS,
    Manifest,
    containers,
    pod_labels,
    pod_spec,
)

LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet")
WORKLOADS = (*LONG_RUNNING, "Job", "CronJob")
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
ISTIO_AGENT_PORT = 15020
"""Added to every pod by Istio's sidecar injector: the agent's merged-metrics port."""


def workloads(docs: list[Manifest], kinds: tuple[str, ...] = WORKLOADS) -> list[Manifest]:
    return [d for d in docs if d["kind"] in kinds]


def name(doc: Manifest) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_container_is_probed_bounded_and_locked_down(
    rendered: dict[str, list[Manifest]], scenario: str
) -> None:
    problems = []
    for doc in workloads(rendered[scenario]):
        spec = pod_spec(doc)
        assert spec is not None
        pod = spec["securityContext"]
        if not (
            pod.get("runAsNonRoot")
            and pod.get("seccompProfile", {}).get("type") == "RuntimeDefault"
        ):
            problems.append(f"{name(doc)}: pod securityContext")
        tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for c in containers(doc):
            where = f"{name(doc)}/{c['name']}"
            if doc["kind"] in LONG_RUNNING:
                missing = [
                    p for p in ("startupProbe", "livenessProbe", "readinessProbe") if p not in c
                ]
                if missing:
                    problems.append(f"{where}: no {', '.join(missing)}")
            for part in ("requests", "limits"):
                if set(c.get("resources", {}).get(part, {})) != {"cpu", "memory"}:
                    problems.append(f"{where}: resources.{part} must set cpu and memory")
            sc = c.get("securityContext", {})
            if not (
                sc.get("runAsNonRoot") is True
                and sc.get("runAsUser", 0) > 0
                and sc.get("readOnlyRootFilesystem") is True
                and sc.get("allowPrivilegeEscalation") is False
                and sc.get("privileged") is False
                and sc.get("capabilities", {}).get("drop") == ["ALL"]
                and not sc.get("capabilities", {}).get("add")
                and sc.get("seccompProfile", {}).get("type") == "RuntimeDefault"
            ):
                problems.append(f"{where}: securityContext {sc}")
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            if mounts.get("/tmp") not in tmp_volumes:
                problems.append(f"{where}: no emptyDir at /tmp under the read-only root")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_workload_has_its_own_service_account(
    rendered: dict[str, list[Manifest]], scenario: str
) -> None:
    docs = rendered[scenario]
    accounts = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ServiceAccount"}
    bindings = [d for d in docs if d["kind"] in ("RoleBinding", "ClusterRoleBinding")]
    used: dict[str, str] = {}
    for doc in workloads(docs):
        spec = pod_spec(doc)
        assert spec is not None
        sa = spec["serviceAccountName"]
        assert sa not in used, f"{name(doc)} shares {sa} with {used[sa]}"
        used[sa] = name(doc)
        assert sa in accounts, f"{name(doc)}: ServiceAccount {sa} is not rendered"
        annotations = accounts[sa]["metadata"].get("annotations", {})
        assert annotations.get("iam.gke.io/gcp-service-account", "").endswith(
            ".iam.gserviceaccount.com"
        ), f"{sa}: no Workload Identity annotation"
        bound = [b for b in bindings if any(s["name"] == sa for s in b["subjects"])]
        # A token is mounted only where the Kubernetes API is used, i.e. where RBAC is bound.
        assert bool(spec.get("automountServiceAccountToken")) == bool(bound), name(doc)
    for binding in bindings:
        assert binding["roleRef"]["name"] != "cluster-admin"


def test_rbac_is_limited_to_the_backup_operator(rendered: dict[str, list[Manifest]]) -> None:
    docs = rendered["kafka-external"]
    roles = [d for d in docs if d["kind"] in ("Role", "ClusterRole")]
    assert roles, "the scenario enables the backup operator"
    for role in roles:
        assert role["metadata"]["labels"]["app.kubernetes.io/component"] == "backup-operator"
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"]
            if "secrets" in rule["resources"]:
                assert rule["verbs"] == ["get"] and rule.get("resourceNames"), rule
    for scenario in ("default", "dev", "no-mesh"):
        assert not [d for d in rendered[scenario] if d["kind"] in ("Role", "ClusterRole")]


def _allows_dns(rule: dict[str, Any]) -> bool:
    ports = {(p.get("port"), p.get("protocol", "TCP")) for p in rule.get("ports", [])}
    return {(53, "UDP"), (53, "TCP")} <= ports and bool(rule.get("to"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_egress_restricting_network_policy_allows_dns(
    rendered: dict[str, list[Manifest]], scenario: str
) -> None:
    policies = [d for d in rendered[scenario] if d["kind"] == "NetworkPolicy"]
    assert policies
    for policy in policies:
        if "Egress" in policy["spec"].get("policyTypes", []):
            assert any(_allows_dns(r) for r in policy["spec"].get("egress", [])), name(policy)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_pod_is_under_a_default_deny_and_its_own_policy(
    rendered: dict[str, list[Manifest]], scenario: str
) -> None:
    policies = [d for d in rendered[scenario] if d["kind"] == "NetworkPolicy"]
    deny = [
        p
        for p in policies
        if p["spec"].get("ingress") == []
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and "app.kubernetes.io/component" not in p["spec"]["podSelector"]["matchLabels"]
    ]
    assert len(deny) == 1
    for doc in workloads(rendered[scenario]):
        labels = pod_labels(doc)
        assert selects(deny[0]["spec"]["podSelector"]["matchLabels"], labels), name(doc)
        own = [
            p
            for p in policies
            if p is not deny[0] and selects(p["spec"]["podSelector"]["matchLabels"], labels)
        ]
        assert len(own) == 1, f"{name(doc)}: {len(own)} component policies"


def test_api_and_ui_take_outside_traffic_only_from_the_gateway(
    rendered: dict[str, list[Manifest]],
) -> None:
    values_gateway = rendered["default"]
    for component in ("api", "ui"):
        policy = next(
            p
            for p in values_gateway
            if p["kind"] == "NetworkPolicy" and p["metadata"]["name"].endswith(f"-{component}")
        )
        for rule in policy["spec"]["ingress"]:
            for peer in rule["from"]:
                assert "ipBlock" not in peer
                if "namespaceSelector" in peer:
                    namespace = peer["namespaceSelector"]["matchLabels"][
                        "kubernetes.io/metadata.name"
                    ]
                    assert namespace in ("istio-ingress", "gmp-system"), namespace
                    if namespace == "istio-ingress":
                        assert peer["podSelector"]["matchLabels"] == {"istio": "ingressgateway"}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_service_target_port_exists_on_its_pods(
    rendered: dict[str, list[Manifest]], scenario: str
) -> None:
    docs = rendered[scenario]
    for service in (d for d in docs if d["kind"] == "Service"):
        selector = service["spec"]["selector"]
        pods = [w for w in workloads(docs, LONG_RUNNING) if selects(selector, pod_labels(w))]
        assert pods, f"{name(service)} selects no workload"
        for pod in pods:
            ports = [p for c in containers(pod) for p in c.get("ports", [])]
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                found = any(p.get("name") == target or p["containerPort"] == target for p in ports)
                assert found, f"{name(service)} targetPort {target} is not a port of {name(pod)}"


def _replicas(doc: Manifest, docs: list[Manifest]) -> int:
    for other in docs:
        target = other.get("spec", {}).get("scaleTargetRef", {}).get("name")
        if target == doc["metadata"]["name"]:
            if other["kind"] == "HorizontalPodAutoscaler":
                return int(other["spec"].get("minReplicas", 1))
            if other["kind"] == "ScaledObject":
                return int(other["spec"].get("minReplicaCount", 0))
    return int(doc["spec"].get("replicas", 1))


def _allowed_disruptions(pdb: Manifest, replicas: int) -> int:
    spec = pdb["spec"]
    if "maxUnavailable" in spec:
        value = spec["maxUnavailable"]
        if isinstance(value, str) and value.endswith("%"):
            return math.ceil(replicas * int(value[:-1]) / 100)
        return int(value)
    value = spec["minAvailable"]
    if isinstance(value, str) and value.endswith("%"):
        return replicas - math.ceil(replicas * int(value[:-1]) / 100)
    return replicas - int(value)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_pdb_allows_a_drain_at_default_replicas(
    rendered: dict[str, list[Manifest]], scenario: str
) -> None:
    docs = rendered[scenario]
    pdbs = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    assert pdbs
    for pdb in pdbs:
        selector = pdb["spec"]["selector"]["matchLabels"]
        targets = [w for w in workloads(docs, LONG_RUNNING) if selects(selector, pod_labels(w))]
        assert len(targets) == 1, name(pdb)
        replicas = _replicas(targets[0], docs)
        if replicas == 0:
            continue
        assert _allowed_disruptions(pdb, replicas) >= 1, f"{name(pdb)} at {replicas} replicas"


def test_the_pdb_check_can_fail() -> None:
    assert _allowed_disruptions({"spec": {"minAvailable": 2}}, 2) == 0
    assert _allowed_disruptions({"spec": {"minAvailable": "100%"}}, 3) == 0


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_secret_carries_data(rendered: dict[str, list[Manifest]], scenario: str) -> None:
    for doc in rendered[scenario]:
        if doc["kind"] == "Secret":
            assert not doc.get("data") and not doc.get("stringData"), name(doc)
        for c in containers(doc):
            for env in c.get("env", []):
                if re.search(r"PASSWORD|SECRET|TOKEN|API_KEY|DATABASE_URL|STORE_URI", env["name"]):
                    if "$(" in env.get("value", ""):
                        continue  # composed from secretKeyRef variables at start
                    assert "valueFrom" in env, f"{name(doc)}: {env['name']} has a literal value"


def test_every_image_is_pinned_by_digest_in_prod(rendered: dict[str, list[Manifest]]) -> None:
    images = [c["image"] for d in rendered["prod"] for c in containers(d)]
    images += [d["spec"]["imageName"] for d in rendered["prod"] if d["kind"] == "Cluster"]
    assert len(images) >= 8
    unpinned = [i for i in images if not DIGEST.search(i)]
    assert not unpinned, unpinned


def test_probe_paths_exist_in_the_api_openapi_schema(
    rendered: dict[str, list[Manifest]], tmp_path: Path
) -> None:
    from cli.wiring import api_components
    from core.settings import Settings
    from serving.app import create_app

    settings = Settings(state_dir=tmp_path)
    paths = set(create_app(settings, api_components(settings)).openapi()["paths"])
    api = next(
        d
        for d in rendered["default"]
        if d["kind"] == "Deployment"
        and d["metadata"]["labels"]["app.kubernetes.io/component"] == "api"
    )
    container = api["spec"]["template"]["spec"]["containers"][0]
    probed = {
        container[p]["httpGet"]["path"] for p in ("startupProbe", "livenessProbe", "readinessProbe")
    }
    assert probed == {"/healthz", "/readyz"}
    assert probed <= paths, probed - paths


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_probes_use_ports_the_container_declares(
    rendered: dict[str, list[Manifest]], scenario: str
) -> None:
    for doc in workloads(rendered[scenario], LONG_RUNNING):
        for c in containers(doc):
            names = {p["name"] for p in c.get("ports", [])}
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert c[probe]["httpGet"]["port"] in names, f"{name(doc)} {probe}"


def test_workers_and_relay_serve_metrics_where_they_are_probed(
    rendered: dict[str, list[Manifest]],
) -> None:
    """The worker's probes hit its metrics server, which only runs when TRACELENS_METRICS_PORT is
    set and binds TRACELENS_API_HOST (0.0.0.0, from the ConfigMap) so the kubelet can reach it."""
    docs = rendered["prod"]
    config = next(
        d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("-config")
    )
    assert config["data"]["TRACELENS_API_HOST"] == "0.0.0.0"
    for component in ("worker", "relay"):
        deployment = next(
            d
            for d in docs
            if d["kind"] == "Deployment"
            and d["metadata"]["labels"]["app.kubernetes.io/component"] == component
        )
        c = deployment["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e.get("value") for e in c["env"]}
        port = next(p["containerPort"] for p in c["ports"] if p["name"] == "metrics")
        assert env["TRACELENS_METRICS_PORT"] == str(port)
        assert c["args"] == [component]


def test_alerts_and_dashboards_use_metrics_the_app_exports(
    rendered: dict[str, list[Manifest]],
) -> None:
    from prometheus_client import REGISTRY

    import core.observability  # noqa: F401  (defines every series)

    exported = set()
    for metric in REGISTRY.collect():
        if metric.name.startswith("tracelens_"):
            suffixes = {
                "counter": ("_total",),
                "histogram": ("_bucket", "_count", "_sum"),
                "info": ("_info",),
            }.get(metric.type, ("",))
            exported |= {metric.name + s for s in suffixes}
    texts = [yaml_dump(d) for d in rendered["kafka-external"] if d["kind"] == "PrometheusRule"]
    texts += [p.read_text() for p in (CHART / "dashboards").glob("*.json")]
    used = {m for text in texts for m in re.findall(r"\btracelens_[a-z_]+", text)}
    assert len(used) >= 6
    assert used <= exported, used - exported


def yaml_dump(doc: Manifest) -> str:
    import yaml

    return yaml.safe_dump(doc)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_mesh_metrics_are_scraped_where_the_agent_serves_them(
    rendered: dict[str, list[Manifest]], scenario: str
) -> None:
    docs = rendered[scenario]
    meshed = any(d["kind"] == "PeerAuthentication" for d in docs)
    for monitor in (d for d in docs if d["kind"] == "PodMonitoring"):
        endpoint = monitor["spec"]["endpoints"][0]
        if meshed:
            assert (endpoint["port"], endpoint["path"]) == (ISTIO_AGENT_PORT, "/stats/prometheus")
        else:
            assert endpoint["path"] == "/metrics"
