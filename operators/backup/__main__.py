"""`python -m operators.backup`: the operator's composition root (the image's entry point).

Watches PostgresBackup and PostgresRestore in every namespace; liveness on :8080/healthz;
metrics on TRACELENS_METRICS_PORT (bound to TRACELENS_API_HOST, so 0.0.0.0 in a pod).
"""

from __future__ import annotations

import kopf

import operators.backup.handlers  # noqa: F401 - registers the handlers with kopf
from core.observability import configure_logging, start_metrics_server
from core.settings import Settings
from operators.backup.context import InClusterSecrets, KopfEvents, OperatorContext

LIVENESS = "http://0.0.0.0:8080/healthz"


def main() -> None:
    settings = Settings()
    configure_logging(settings)
    start_metrics_server(settings)
    ctx = OperatorContext(settings=settings, secrets=InClusterSecrets(), events=KopfEvents())
    kopf.run(
        clusterwide=True,
        standalone=True,  # one replica; two would still not run a backup twice (the lease)
        liveness_endpoint=LIVENESS,
        memo=kopf.Memo(ctx=ctx),
    )


if __name__ == "__main__":
    main()
