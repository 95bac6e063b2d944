"""Regenerate the CRD field schemas the chart's custom resources are checked against.

Each upstream CRD's openAPIV3Schema (of the version the chart uses) is cut down to the fields the
chart sets in any test scenario, keeping types, enums, bounds and required lists. The checks in
test_kubernetes_schemas.py then reject any field the chart adds that is not in this cut-down
schema, so a new field means reading the CRD and running this again:

    python -m tests.platform.crd_schemas.prune CRD.yaml[=SOURCE] ...

where SOURCE names where the CRD came from (repository@commit:path), recorded in each output.

The sources (repository, commit, path) are recorded in each output file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.platform.conftest import render, scenario_values
from tests.platform.test_kubernetes_schemas import BUILTIN_GROUPS, IN_REPO_CRDS

OUT = Path(__file__).parent
KEEP = (
    "type",
    "enum",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "format",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "nullable",
)


def prune(schema: dict[str, Any], instances: list[Any]) -> dict[str, Any]:
    """The part of `schema` that `instances` (all values found at this point) exercise."""
    out = {k: schema[k] for k in KEEP if k in schema}
    if "required" in schema:
        out["required"] = schema["required"]
    objects = [i for i in instances if isinstance(i, dict)]
    if "properties" in schema and objects:
        used = sorted({key for obj in objects for key in obj})
        out["properties"] = {
            key: prune(schema["properties"][key], [o[key] for o in objects if key in o])
            for key in used
            if key in schema["properties"]
        }
        unknown = [key for key in used if key not in schema["properties"]]
        if unknown:
            print(f"  not in the CRD: {unknown}", file=sys.stderr)
    elif isinstance(schema.get("additionalProperties"), dict) and objects:
        values = [v for obj in objects for v in obj.values()]
        out["additionalProperties"] = prune(schema["additionalProperties"], values)
    lists = [i for i in instances if isinstance(i, list)]
    if "items" in schema and lists:
        out["items"] = prune(schema["items"], [item for lst in lists for item in lst])
    return out


def main(paths: list[str]) -> None:
    crds: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for arg in paths:
        path, _, label = arg.partition("=")
        for doc in yaml.safe_load_all(Path(path).read_text()):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            for version in doc["spec"]["versions"]:
                key = (f"{doc['spec']['group']}/{version['name']}", doc["spec"]["names"]["kind"])
                crds[key] = (version["schema"]["openAPIV3Schema"], label or path)
    found: dict[tuple[str, str], list[Any]] = {}
    for values in scenario_values().values():
        for obj in render(values):
            group = obj["apiVersion"].rpartition("/")[0]
            if group in BUILTIN_GROUPS or group in IN_REPO_CRDS:
                continue
            found.setdefault((obj["apiVersion"], obj["kind"]), []).append(obj)
    for (api_version, kind), objects in sorted(found.items()):
        if (api_version, kind) not in crds:
            print(f"no CRD given for {api_version} {kind}", file=sys.stderr)
            continue
        schema, source = crds[(api_version, kind)]
        print(f"{api_version} {kind}", file=sys.stderr)
        body = [
            {k: v for k, v in o.items() if k not in ("apiVersion", "kind", "metadata")}
            for o in objects
        ]
        pruned = prune(schema, body)
        pruned.get("properties", {}).pop("metadata", None)
        name = f"{api_version.replace('/', '_')}_{kind}.json"
        (OUT / name).write_text(
            json.dumps(
                {"apiVersion": api_version, "kind": kind, "source": source, "schema": pruned},
                indent=1,
                sort_keys=True,
            )
            + "\n"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
