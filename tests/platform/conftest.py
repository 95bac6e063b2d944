"""Render the Helm chart with Helm's own engine (helm-python-sdk, no helm binary) once per session.

Scenarios cover every branch the values switch: the defaults, the dev and prod files (prod with
the image digests the pipeline would pass), Kafka outside the chart with every optional object
on, and a cluster without Istio.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "tracelens"
DOCKERFILE = ROOT / "Dockerfile"

KUBERNETES_VERSION = "1.35"
"""The Kubernetes minor the chart is validated against: the GKE minor the Terraform pins."""

RELEASE = "tracelens"
NAMESPACE = "tracelens"
IMAGE_ROLES = ("api", "worker", "ui", "mlflow", "tools", "operator")

Manifest = dict[str, Any]


def load_values(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CHART / name).read_text())
    return loaded


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's -f layering: maps merge key by key, everything else is replaced."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def fake_digest(name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def pipeline_digests() -> dict[str, Any]:
    """What the Jenkinsfile's deploy stage passes: the digest of each image it pushed, and the
    PostgreSQL image resolved to its digest (stand-in digests: nothing is pulled here)."""
    postgres = load_values("values.yaml")["postgres"]["cluster"]["imageName"]
    return {
        "images": {role: {"digest": fake_digest(role)} for role in IMAGE_ROLES},
        "postgres": {"cluster": {"imageName": f"{postgres}@{fake_digest(postgres)}"}},
    }


KAFKA_EXTERNAL: dict[str, Any] = {
    "config": {"queueBackend": "kafka", "llmProvider": "openai", "llmModel": "gpt-4o-mini"},
    "kafka": {
        "external": {
            "bootstrapServers": "kafka-0.kafka.example.internal:9093",
            "saslUsername": "tracelens",
        }
    },
    "externalSecrets": {
        "remoteKeys": {
            "llmApiKey": "tracelens-llm-api-key",
            "uiApiKey": "tracelens-ui-api-key",
            "kafkaSaslPassword": "tracelens-kafka-password",
        }
    },
    "networkPolicy": {
        "kafka": {"cidrs": ["10.20.0.0/24"]},
        "postgres": {"cidrs": ["10.30.0.0/24"]},
        "kubeApiServer": {"cidrs": ["172.16.0.0/28"]},
    },
    "worker": {"keda": {"enabled": True}},
    "monitoring": {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}},
    "reembed": {"enabled": True, "gateCorpus": "/opt/tracelens/gate-corpus"},
    "backupOperator": {"enabled": True},
    "istio": {"oidc": {"audiences": ["tracelens-api"]}},
}

NO_MESH: dict[str, Any] = {
    "istio": {"enabled": False},
    "mlflow": {"enabled": False, "externalTrackingUri": "https://mlflow.example.edu"},
    "database": {"existingSecret": "cloudsql-tracelens", "existingSecretKey": "DATABASE_URL"},
    "externalSecrets": {
        "secretStore": {"create": False, "kind": "ClusterSecretStore", "name": "gcp-secret-manager"}
    },
    "networkPolicy": {
        "dns": {"extraCidrs": ["169.254.20.10/32"]},
        "postgres": {"cidrs": ["10.30.0.0/24"]},
    },
    "monitoring": {"serviceMonitor": {"enabled": True}, "podMonitoring": {"enabled": False}},
    "api": {"autoscaling": {"enabled": False}, "replicas": 3},
}


def scenario_values() -> dict[str, dict[str, Any]]:
    """The values each scenario renders with (on top of the chart's values.yaml)."""
    return {
        "default": {},
        "dev": load_values("values-dev.yaml"),
        "prod": merge(load_values("values-prod.yaml"), pipeline_digests()),
        "kafka-external": KAFKA_EXTERNAL,
        "no-mesh": NO_MESH,
    }


SCENARIOS = tuple(scenario_values())


def render(values: dict[str, Any] | None = None) -> list[Manifest]:
    """Every object the chart renders (hooks included), parsed, in template order."""
    import helm_python as helm

    with helm.Chart.load(CHART) as chart:
        out = chart.render(values or {}, name=RELEASE, namespace=NAMESPACE, is_install=True)
    docs: list[Manifest] = []
    for path in sorted(out):
        if not path.endswith(".yaml"):
            continue
        docs.extend(d for d in yaml.safe_load_all(out[path]) if d)
    return docs


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[Manifest]]:
    return {name: render(values) for name, values in scenario_values().items()}


@pytest.fixture(scope="session")
def all_objects(rendered: dict[str, list[Manifest]]) -> list[tuple[str, Manifest]]:
    return [(scenario, doc) for scenario, docs in rendered.items() for doc in docs]


def pod_spec(doc: Manifest) -> dict[str, Any] | None:
    """The pod template's spec of a workload, or None for anything else."""
    kind = doc["kind"]
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        spec: dict[str, Any] = doc["spec"]["template"]["spec"]
        return spec
    if kind == "CronJob":
        spec = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        return spec
    return None


def pod_labels(doc: Manifest) -> dict[str, str]:
    if doc["kind"] == "CronJob":
        labels: dict[str, str] = doc["spec"]["jobTemplate"]["spec"]["template"]["metadata"][
            "labels"
        ]
        return labels
    labels = doc["spec"]["template"]["metadata"]["labels"]
    return labels


def containers(doc: Manifest) -> Iterator[dict[str, Any]]:
    spec = pod_spec(doc)
    if spec is None:
        return
    yield from spec.get("initContainers", [])
    yield from spec["containers"]
