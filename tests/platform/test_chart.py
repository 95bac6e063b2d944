"""The chart through Helm's own engine: lint clean, every scenario renders, the schema refuses bad
values and covers every value, prod refuses images without digests, values hold no secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import helm_python as helm
import pytest

from tests.platform.conftest import (
    CHART,
    KUBERNETES_VERSION,
    NAMESPACE,
    Manifest,
    load_values,
    merge,
    pipeline_digests,
    render,
    scenario_values,
)

SCHEMA: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text())
LINT_SCENARIOS = ("default", "dev", "prod")


@pytest.mark.parametrize("scenario", LINT_SCENARIOS)
def test_lint_is_clean(scenario: str) -> None:
    report = helm.lint(
        CHART,
        scenario_values()[scenario],
        strict=True,
        namespace=NAMESPACE,
        kube_version=f"v{KUBERNETES_VERSION}.0",
    )
    assert report["total_charts_linted"] == 1
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert not problems and not report["errors"], problems or report["errors"]


def test_every_scenario_renders_its_components(rendered: dict[str, list[Manifest]]) -> None:
    kinds = {name: {d["kind"] for d in docs} for name, docs in rendered.items()}
    core = {
        "Deployment",
        "Service",
        "ServiceAccount",
        "ConfigMap",
        "Job",
        "CronJob",
        "NetworkPolicy",
        "PodDisruptionBudget",
    }
    for name in rendered:
        assert core <= kinds[name], (name, core - kinds[name])
    assert {
        "Gateway",
        "VirtualService",
        "PeerAuthentication",
        "AuthorizationPolicy",
        "RequestAuthentication",
        "Certificate",
        "PodMonitoring",
        "Rules",
        "ExternalSecret",
        "SecretStore",
        "HorizontalPodAutoscaler",
    } <= kinds["default"]
    assert {
        "Cluster",
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
        "KafkaUser",
        "ScaledObject",
        "TriggerAuthentication",
        "ClusterIssuer",
    } <= kinds["prod"]
    assert {"ServiceMonitor", "PrometheusRule", "ClusterRole", "Role", "PostgresBackup"} <= kinds[
        "kafka-external"
    ]
    assert not {"Gateway", "PeerAuthentication", "Certificate"} & kinds["no-mesh"]
    reembed = [
        d
        for d in rendered["kafka-external"]
        if d["kind"] == "Job"
        and d["metadata"]["labels"]["app.kubernetes.io/component"] == "reembed"
    ]
    assert reembed and reembed[0]["spec"]["completionMode"] == "Indexed"


def test_migrations_run_as_a_hook_before_the_rollout(rendered: dict[str, list[Manifest]]) -> None:
    """pre-install/pre-upgrade, with what the Job needs (its KSA, the database Secret) first."""
    docs = rendered["default"]
    job = next(
        d for d in docs if d["kind"] == "Job" and d["metadata"]["name"].endswith("migrations")
    )
    hooks = {
        (d["kind"], d["metadata"]["name"]): int(d["metadata"]["annotations"]["helm.sh/hook-weight"])
        for d in docs
        if "helm.sh/hook" in d["metadata"].get("annotations", {})
    }
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    job_weight = hooks[("Job", job["metadata"]["name"])]
    secret_name = next(
        e["valueFrom"]["secretKeyRef"]["name"]
        for e in job["spec"]["template"]["spec"]["containers"][0]["env"]
        if e["name"] == "TRACELENS_DATABASE_URL"
    )
    assert hooks[("ExternalSecret", secret_name)] < job_weight
    assert hooks[("ServiceAccount", job["spec"]["template"]["spec"]["serviceAccountName"])] < (
        job_weight
    )
    # With the CloudNativePG cluster in the release the database exists only after install.
    prod_job = next(d for d in rendered["prod"] if d["kind"] == "Job")
    assert prod_job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"


BAD_VALUES: list[tuple[str, dict[str, Any]]] = [
    ("an unknown key", {"api": {"replicaCount": 2}}),
    ("a wrong type", {"worker": {"replicas": "two"}}),
    ("an unknown queue", {"config": {"queueBackend": "redis"}}),
    ("a malformed digest", {"images": {"api": {"digest": "sha256:1234"}}}),
    ("a secret in extraEnv", {"api": {"extraEnv": [{"name": "DB_PASSWORD", "value": "x"}]}}),
    ("a secret in config.extra", {"config": {"extra": {"LLM_API_KEY": "x"}}}),
    ("a PDB that blocks drains", {"podDisruptionBudget": {"maxUnavailable": 0}}),
    ("permissive mTLS", {"istio": {"peerAuthentication": {"mode": "PERMISSIVE"}}}),
    ("a malformed CIDR", {"networkPolicy": {"postgres": {"cidrs": ["10.0.0/8"]}}}),
    ("a container without limits", {"ui": {"resources": {"limits": None}}}),
    ("root", {"podSecurity": {"runAsUser": 0}}),
    ("an LLM provider without a model", {"config": {"llmProvider": "openai", "llmModel": ""}}),
]


@pytest.mark.parametrize(("case", "values"), BAD_VALUES, ids=[c for c, _ in BAD_VALUES])
def test_schema_refuses_bad_values(case: str, values: dict[str, Any]) -> None:
    with pytest.raises(helm.HelmValuesError):
        render(values)


def test_prod_refuses_images_without_digests() -> None:
    prod = load_values("values-prod.yaml")
    with pytest.raises(helm.HelmRenderError, match=r"images\.\w+\.digest is required"):
        render(prod)
    only_ours = merge(prod, {"images": pipeline_digests()["images"]})
    with pytest.raises(helm.HelmRenderError, match=r"postgres\.cluster\.imageName must be pinned"):
        render(only_ours)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SCHEMA
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _walk(values: Any, node: dict[str, Any], path: str) -> Iterator[str]:
    """Paths in `values` the schema does not describe (no node, or a node without description)."""
    node = _resolve(node)
    if "description" not in node:
        yield f"{path}: no description"
    if isinstance(values, dict) and "properties" in node:
        for key, value in values.items():
            if key not in node["properties"]:
                yield f"{path}.{key}: not in the schema"
            else:
                yield from _walk(value, node["properties"][key], f"{path}.{key}")
    elif isinstance(values, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(values):
            yield from _walk(item, node["items"], f"{path}[{i}]")


@pytest.mark.parametrize("name", ["values.yaml", "values-dev.yaml", "values-prod.yaml"])
def test_schema_describes_every_value(name: str) -> None:
    missing = list(_walk(load_values(name), {**SCHEMA, "description": "root"}, ""))
    assert not missing, "\n".join(missing)


def test_every_schema_key_has_a_default() -> None:
    """values.yaml sets every key the schema declares, so the defaults document them all."""
    defaults = load_values("values.yaml")

    def declared(node: dict[str, Any], value: Any, path: str) -> Iterator[str]:
        node = _resolve(node)
        if "properties" not in node or node.get("additionalProperties") is not False:
            return
        for key, sub in node["properties"].items():
            if not isinstance(value, dict) or key not in value:
                yield f"{path}.{key}"
            else:
                yield from declared(sub, value[key], f"{path}.{key}")

    absent = list(declared(SCHEMA, defaults, ""))
    assert not absent, "declared in values.schema.json but not set in values.yaml: " + ", ".join(
        absent
    )


SECRETISH = re.compile(r"password|secret|token|apikey|credential|privatekey", re.I)
NAMES_A_SECRET = {"existingSecret", "existingSecretKey"}


def _secret_values(values: Any, path: str = "") -> Iterator[str]:
    """Keys that look like secrets and hold a value: only Secret Manager ids (remoteKeys) and
    names of Secrets may appear in values files."""
    if isinstance(values, dict):
        for key, value in values.items():
            here = f"{path}.{key}"
            named = ".remoteKeys" in path or key in NAMES_A_SECRET
            secretish = SECRETISH.search(key.replace("_", "")) is not None
            if secretish and isinstance(value, str) and value and not named:
                yield here
            yield from _secret_values(value, here)
    elif isinstance(values, list):
        for i, item in enumerate(values):
            yield from _secret_values(item, f"{path}[{i}]")


def test_the_secret_check_can_fail() -> None:
    leaked = {"kafka": {"external": {"saslPassword": "hunter2"}}, "llmApiKey": "sk-1"}
    assert list(_secret_values(leaked)) == [".kafka.external.saslPassword", ".llmApiKey"]


@pytest.mark.parametrize("name", ["values.yaml", "values-dev.yaml", "values-prod.yaml"])
def test_values_files_hold_no_secret_values(name: str) -> None:
    text = (CHART / name).read_text()
    assert "postgresql://" not in text and "BEGIN " not in text
    assert not list(_secret_values(load_values(name)))


def _config(values: dict[str, Any]) -> dict[str, str]:
    (config,) = [
        d
        for d in render(values)
        if d["kind"] == "ConfigMap" and "data" in d and "TRACELENS_LLM_PROVIDER" in d["data"]
    ]
    data: dict[str, str] = config["data"]
    return data


def test_the_api_verifies_the_gateways_tokens_itself_when_an_audience_is_set() -> None:
    plain = _config({})
    assert plain["TRACELENS_LLM_MAX_TOKENS"] == "800"
    assert not any(k.startswith("TRACELENS_OIDC_") for k in plain)  # no audience: keys only
    oidc = {
        "enabled": True,
        "issuer": "https://issuer.example.edu",
        "jwksUri": "https://issuer.example.edu/jwks",
        "audiences": ["tracelens-api", "other"],
    }
    data = _config({"istio": {"oidc": oidc}})
    assert data["TRACELENS_OIDC_ISSUER"] == "https://issuer.example.edu"
    assert data["TRACELENS_OIDC_JWKS_URL"] == "https://issuer.example.edu/jwks"
    assert data["TRACELENS_OIDC_AUDIENCE"] == "tracelens-api"


def test_the_embedding_backends_offered_are_the_settings_own() -> None:
    """The schema's choice of TRACELENS_EMBEDDING_BACKEND is the settings' (it once lacked one)."""
    from typing import get_args

    from core.settings import Settings

    def find(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if "embeddingBackend" in node.get("properties", {}):
                yield node["properties"]["embeddingBackend"]
            for value in node.values():
                yield from find(value)
        elif isinstance(node, list):
            for value in node:
                yield from find(value)

    offered = [set(node["enum"]) for node in find(SCHEMA)]
    settings = set(get_args(Settings.model_fields["embedding_backend"].annotation))
    assert offered and all(choice == settings for choice in offered), (offered, settings)
