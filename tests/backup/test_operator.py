"""The kopf handlers called directly with real resource bodies, the real library, no cluster.

The database is the embedded PostgreSQL, the bucket the GCS emulator; only the Kubernetes API
is replaced: a fixed secret reader, an event recorder and a fixed clock, handed in through the
same `memo` the operator fills at start-up. Status patches are merged into the body as the
API server would (JSON merge patch), so each call sees what the previous one wrote.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import kopf
import pytest
import yaml
from prometheus_client import REGISTRY

from core.backup import fingerprints, open_store, run_backup
from core.backup.lease import lease
from core.backup.pgtools import database_name
from core.db import Database, connect
from core.errors import ConfigError
from core.settings import Settings
from operators.backup import handlers
from operators.backup.backups import check_backup_spec
from operators.backup.context import OperatorContext
from tests.backup.conftest import BUCKET, Corpus, unique_prefix

OPERATOR = Path(__file__).resolve().parents[2] / "operators" / "backup"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Secrets:
    urls: dict[tuple[str, str, str], str]

    def read(self, namespace: str, name: str, key: str) -> str:
        try:
            return self.urls[(namespace, name, key)]
        except KeyError:
            raise ConfigError(f"secret {namespace}/{name} has no key {key!r}") from None


@dataclass
class Events:
    seen: list[tuple[str, str, str]] = field(default_factory=list)

    def emit(self, body: Mapping[str, Any], *, type: str, reason: str, message: str) -> None:
        assert body["metadata"]["name"]  # an object reference can be built from it
        self.seen.append((type, reason, message))

    def reasons(self) -> list[str]:
        return [r for _, r, _ in self.seen]


def load(path: str) -> dict[str, Any]:
    return dict(yaml.safe_load((OPERATOR / path).read_text()))


def crd_schema(plural: str) -> dict[str, Any]:
    crd = load(f"crds/{plural}.yaml")
    return dict(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"])


def resource(sample: str, *, created: datetime, **spec: Any) -> dict[str, Any]:
    """A body as the API server returns it: the sample, its spec changed, server fields added."""
    body = load(sample)
    body["spec"].update(spec)
    body["metadata"].update(
        uid=f"uid-{sample}", creationTimestamp=created.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    body.setdefault("status", {})
    validate(body)
    return body


def validate(body: Mapping[str, Any]) -> None:
    """Against the CRD's openAPIV3Schema (draft 4 semantics, as Kubernetes uses)."""
    schema = crd_schema(f"{body['kind'].lower()}s")
    jsonschema.Draft4Validator(schema).validate(body)


def merge(target: dict[str, Any], patch: Mapping[str, Any]) -> None:
    """RFC 7386 JSON merge patch, as the API server applies kopf's patches."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = copy.deepcopy(dict(value) if isinstance(value, Mapping) else value)


def call(
    handler: Callable[..., Any], body: dict[str, Any], ctx: OperatorContext, **kw: Any
) -> dict[str, Any]:
    """Call a handler with the kwargs kopf passes, then apply its patch to the body."""
    patch = kopf.Patch()
    meta = body["metadata"]
    try:
        handler(
            body=body,
            spec=body["spec"],
            status=body["status"],
            meta=meta,
            name=meta["name"],
            namespace=meta["namespace"],
            patch=patch,
            memo=kopf.Memo(ctx=ctx),
            logger=logging.getLogger("test.operator"),
            **kw,
        )
    finally:
        merge(body, patch)
    return dict(patch)


@pytest.fixture
def ctx(corpus_db: Corpus, pg_server: Database, gcs_emulator: str) -> OperatorContext:
    settings = Settings(_env_file=None, gcs_endpoint=gcs_emulator)  # type: ignore[call-arg]
    return OperatorContext(
        settings=settings,
        secrets=Secrets({("tracelens", "tracelens-db", "url"): pg_server.url}),
        events=Events(),
        clock=Clock(at(10, 15, 30)),
    )


def test_sample_backup_is_daily_keeping_14() -> None:
    sample = load("samples/postgresbackup.yaml")
    validate(sample)
    assert sample["spec"]["schedule"] == "0 2 * * *"
    assert check_backup_spec(sample["spec"]) == (14, timedelta(days=30))
    bad = copy.deepcopy(sample)
    bad["spec"]["retention"]["keep"] = 0
    with pytest.raises(jsonschema.ValidationError, match="less than the minimum"):
        validate(bad)
    bad["spec"] = {**sample["spec"], "compression": "xz"}
    with pytest.raises(jsonschema.ValidationError, match="does not match"):
        validate(bad)
    validate(load("samples/postgresrestore.yaml"))


def test_scheduled_backups_with_retention(ctx: OperatorContext) -> None:
    clock, events = ctx.clock, ctx.events
    assert isinstance(clock, Clock) and isinstance(events, Events)
    prefix = unique_prefix("operator")
    body = resource(
        "samples/postgresbackup.yaml",
        created=at(10, 15, 30),
        database="backup_corpus",
        bucket=BUCKET,
        prefix=prefix,
        retention={"keep": 2},
    )
    call(handlers.backup_accepted, body, ctx, reason="create")
    assert body["status"]["nextRun"] == "2026-03-11T02:00:00Z"
    assert body["status"]["conditions"][0]["type"] == "Ready"
    assert body["status"]["conditions"][0]["status"] == "True"

    clock.now = at(11, 1, 59)
    call(handlers.backup_tick, body, ctx)
    assert "phase" not in body["status"]

    store = open_store(f"gs://{BUCKET}/{prefix}", ctx.settings)
    for day in (11, 12, 13):
        clock.now = at(day, 2, 0, 20)
        call(handlers.backup_tick, body, ctx)
        assert body["status"]["phase"] == "Running"
        assert body["status"]["currentRun"]["slot"] == f"2026-03-{day}T02:00:00Z"
        clock.now = at(day, 2, 0, 50)
        call(handlers.backup_tick, body, ctx)
        status = body["status"]
        assert status["phase"] == "Succeeded" and "currentRun" not in status
        assert status["lastScheduleTime"] == f"2026-03-{day}T02:00:00Z"
        assert status["nextRun"] == f"2026-03-{day + 1}T02:00:00Z"
        stored = store.stat(status["lastObject"].rsplit("/", 1)[1])
        assert status["checksum"] == f"sha256:{stored.sha256}"
        assert status["sizeBytes"] == stored.size
        assert status["lastSuccess"] == f"2026-03-{day}T02:00:50Z"
        assert status["lastRun"]["outcome"] == "Succeeded" and status["durationSeconds"] > 0

    names = sorted(b.name for b in store.list())
    assert names == [f"backup_corpus-202603{day}T020050Z.pgdump" for day in (12, 13)]
    assert events.reasons() == ["BackupSucceeded", "BackupSucceeded", "Pruned", "BackupSucceeded"]
    assert events.seen[2][2] == "deleted backup_corpus-20260311T020050Z.pgdump"
    succeeded = [c for c in body["status"]["conditions"] if c["type"] == "BackupSucceeded"]
    assert succeeded[0]["status"] == "True"
    assert (
        REGISTRY.get_sample_value(
            "tracelens_backup_size_bytes", {"backup": "tracelens/tracelens-daily"}
        )
        == body["status"]["sizeBytes"]
    )
    validate(body)  # the status the handlers wrote fits the CRD's schema


def test_a_run_cut_short_by_a_restart_is_done_after_it(
    ctx: OperatorContext, corpus_db: Corpus
) -> None:
    clock, events = ctx.clock, ctx.events
    assert isinstance(clock, Clock) and isinstance(events, Events)
    prefix = unique_prefix("resume")
    body = resource(
        "samples/postgresbackup.yaml",
        created=at(1, 9),
        database="backup_corpus",
        bucket=BUCKET,
        prefix=prefix,
    )
    # What the API server holds after an operator died during the 11 March run.
    body["status"] = {
        "phase": "Running",
        "currentRun": {"slot": "2026-03-11T02:00:00Z", "trigger": "schedule",
                       "startedAt": "2026-03-11T02:00:20Z"},
        "lastScheduleTime": "2026-03-10T02:00:00Z",
    }  # fmt: skip
    clock.now = at(11, 2, 40)
    call(handlers.backup_accepted, body, ctx, reason="resume")
    assert events.reasons() == ["RunInterrupted"]
    assert body["status"]["phase"] == "Running"

    key = f"tracelens-backup gs://{BUCKET}/{prefix}".rstrip("/")
    with lease(corpus_db.url, key=key, what="another replica's backup"):
        call(handlers.backup_tick, body, ctx)
    assert events.reasons()[-1] == "BackupWaiting" and body["status"]["phase"] == "Running"

    clock.now = at(11, 3)
    call(handlers.backup_tick, body, ctx)
    status = body["status"]
    assert status["phase"] == "Succeeded"
    assert status["lastScheduleTime"] == "2026-03-11T02:00:00Z"
    assert status["lastRun"]["startedAt"] == "2026-03-11T02:00:20Z"
    assert [b.name for b in open_store(f"gs://{BUCKET}/{prefix}", ctx.settings).list()] == [
        "backup_corpus-20260311T030000Z.pgdump"
    ]


def test_missed_slots_and_a_failing_run_are_recorded(ctx: OperatorContext) -> None:
    clock, events = ctx.clock, ctx.events
    assert isinstance(clock, Clock) and isinstance(events, Events)
    prefix = unique_prefix("failing")
    body = resource(
        "samples/postgresbackup.yaml",
        created=at(5, 12),
        database="no_such_database",
        bucket=BUCKET,
        prefix=prefix,
    )
    clock.now = at(9, 8)
    call(handlers.backup_tick, body, ctx)
    assert body["status"]["currentRun"]["slot"] == "2026-03-09T02:00:00Z"
    assert events.seen[-1][:2] == ("Warning", "MissedSchedule")
    assert events.seen[-1][2].startswith("3 scheduled runs passed")  # the 6th, 7th and 8th
    call(handlers.backup_tick, body, ctx)
    status = body["status"]
    assert status["phase"] == "Failed" and "no_such_database" in status["lastRun"]["message"]
    assert status["lastScheduleTime"] == "2026-03-09T02:00:00Z"  # not retried in a loop
    assert "lastSuccess" not in status
    failed = [c for c in status["conditions"] if c["type"] == "BackupSucceeded"]
    assert failed[0]["status"] == "False" and failed[0]["reason"] == "Failed"
    assert events.reasons()[-1] == "BackupFailed"
    assert open_store(f"gs://{BUCKET}/{prefix}", ctx.settings).list() == []

    # A manual run (annotation) after fixing nothing fails again, and says so.
    body["metadata"]["annotations"] = {handlers.RUN_NOW: "drill-1"}
    call(handlers.backup_tick, body, ctx)
    assert body["status"]["currentRun"]["trigger"] == "manual"
    assert body["status"]["manualRunToken"] == "drill-1"


def test_an_invalid_spec_is_reported_and_never_run(ctx: OperatorContext) -> None:
    events = ctx.events
    assert isinstance(events, Events)
    body = resource("samples/postgresbackup.yaml", created=at(1, 0), schedule="every day")
    with pytest.raises(kopf.PermanentError, match="cron expression"):
        call(handlers.backup_accepted, body, ctx, reason="create")
    [ready] = body["status"]["conditions"]
    assert (ready["type"], ready["status"], ready["reason"]) == ("Ready", "False", "InvalidSpec")
    assert events.reasons() == ["InvalidSpec"]
    assert call(handlers.backup_tick, body, ctx) == {}


def test_restores_verify_refuse_and_run_once(
    ctx: OperatorContext, corpus_db: Corpus, fresh_db: str
) -> None:
    events = ctx.events
    assert isinstance(events, Events)
    prefix = unique_prefix("restore")
    store = open_store(f"gs://{BUCKET}/{prefix}", ctx.settings)
    made = run_backup(source_url=corpus_db.url, store=store).backup
    target = database_name(fresh_db)
    body = resource(
        "samples/postgresrestore.yaml", created=at(11, 9), bucket=BUCKET, prefix=prefix,
        database=target,
    )  # fmt: skip
    call(handlers.restore_requested, body, ctx, reason="create")
    status = body["status"]
    assert status["phase"] == "Succeeded", status
    assert status["backupName"] == made.name and status["checksum"] == f"sha256:{made.sha256}"
    assert status["createdDatabase"] is True and status["tables"] > 15
    assert events.reasons() == ["Restored"]
    with connect(corpus_db.url) as a, connect(fresh_db) as b:
        assert fingerprints(b) == fingerprints(a)
    validate(body)

    assert call(handlers.restore_requested, body, ctx, reason="resume") == {}  # done: once

    second = resource(
        "samples/postgresrestore.yaml", created=at(11, 10), bucket=BUCKET, prefix=prefix,
        database=target, backupName=made.name,
    )  # fmt: skip
    with pytest.raises(kopf.PermanentError, match="not empty"):
        call(handlers.restore_requested, second, ctx, reason="create")
    assert second["status"]["phase"] == "Failed"
    assert second["status"]["conditions"][0]["reason"] == "RestoreRefused"
    assert events.reasons()[-1] == "RestoreRefused"

    forced = resource(
        "samples/postgresrestore.yaml", created=at(11, 11), bucket=BUCKET, prefix=prefix,
        database=target, backupName=made.name, force=True,
    )  # fmt: skip
    call(handlers.restore_requested, forced, ctx, reason="create")
    assert forced["status"]["phase"] == "Succeeded" and forced["status"]["replacedRelations"] > 0

    missing = resource(
        "samples/postgresrestore.yaml", created=at(11, 12), bucket=BUCKET, prefix=prefix,
        database=target, backupName="backup_corpus-20990101T000000Z.pgdump",
    )  # fmt: skip
    with pytest.raises(kopf.PermanentError, match="is not in gs://"):
        call(handlers.restore_requested, missing, ctx, reason="create")
    assert missing["status"]["conditions"][0]["reason"] == "NotFound"


def test_cluster_role_is_limited_to_its_resources_and_events() -> None:
    role = load("rbac/clusterrole.yaml")
    granted = {
        (group, res, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for res in rule["resources"]
        for verb in rule["verbs"]
    }
    resources = {res for _, res, _ in granted}
    assert resources == {
        "postgresbackups", "postgresrestores", "postgresbackups/status",
        "postgresrestores/status", "events",
    }  # fmt: skip
    assert {g for g, _, _ in granted} == {"tracelens.io", ""}
    assert {v for _, r, v in granted if r == "events"} == {"create"}
    assert {v for _, _, v in granted} <= {"get", "list", "watch", "patch", "create"}
    secret_role = yaml.safe_load_all((OPERATOR / "rbac/secret-reader-role.yaml").read_text())
    [rule] = next(iter(secret_role))["rules"]
    assert rule["resources"] == ["secrets"] and rule["verbs"] == ["get"] and rule["resourceNames"]


def test_startup_keeps_kopf_off_crds_namespaces_and_peering(ctx: OperatorContext) -> None:
    settings = kopf.OperatorSettings()
    memo = kopf.Memo(ctx=ctx)
    handlers.configure(settings=settings, memo=memo, logger=logging.getLogger("test"))
    assert settings.scanning.disabled is True
    assert isinstance(settings.persistence.progress_storage, kopf.AnnotationsProgressStorage)
    assert memo["ctx"] is ctx  # what __main__ (or a test) put there is kept


def test_in_cluster_secret_reader(tmp_path: Path) -> None:
    import base64

    import httpx

    from operators.backup.context import InClusterSecrets

    (tmp_path / "token").write_text("sa-token\n")
    seen: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v1/namespaces/tracelens/secrets/tracelens-db":
            url = base64.b64encode(b"postgresql://backup:pw@db:5432/postgres").decode()
            return httpx.Response(200, json={"data": {"url": url}})
        return httpx.Response(404, json={"reason": "NotFound"})

    reader = InClusterSecrets(
        api="https://kube.test", account=tmp_path, transport=httpx.MockTransport(api)
    )
    assert (
        reader.read("tracelens", "tracelens-db", "url") == "postgresql://backup:pw@db:5432/postgres"
    )
    assert seen[0].headers["Authorization"] == "Bearer sa-token"
    with pytest.raises(ConfigError, match="has no key 'uri'"):
        reader.read("tracelens", "tracelens-db", "uri")
    with pytest.raises(ConfigError, match=r"secret tracelens/other cannot be read \(404\)"):
        reader.read("tracelens", "other", "url")
