"""LLM providers for answer synthesis: one LangChain chat model chosen by settings, or none.

Every provider package is imported only when chosen, so the extractive default needs none of them
(and the Vertex AI SDK, which takes seconds to import, is never loaded unless asked for).
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from core.errors import ConfigError
from core.settings import Settings

MAX_RETRIES = 1
"""One retry at most: a slow answer is worse than the extractive one it falls back to."""

NO_KEY = "not-needed"
"""Sent as the API key to OpenAI-compatible servers that need none (vLLM, Ollama, llama.cpp)."""

_PACKAGES = {
    "openai": "langchain-openai",
    "ollama": "langchain-ollama",
    "vertexai": "langchain-google-vertexai",
}


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model `settings.llm_provider` names; None means the offline extractive answerer."""
    provider = settings.llm_provider
    if provider == "extractive":
        return None
    if not settings.llm_model:
        raise ConfigError(f"llm_provider {provider!r} needs llm_model")
    try:
        if provider == "openai":
            return _openai(settings, settings.llm_model)
        if provider == "ollama":
            return _ollama(settings, settings.llm_model)
        if provider == "vertexai":
            return _vertexai(settings, settings.llm_model)
    except ImportError as exc:
        raise ConfigError(
            f"llm_provider {provider!r} needs the {_PACKAGES[provider]} package: "
            f"pip install {_PACKAGES[provider]}"
        ) from exc
    raise ConfigError(f"unknown llm_provider {provider!r}")


def _openai(settings: Settings, model: str) -> BaseChatModel:
    """Any OpenAI-compatible server (vLLM, Ollama's /v1, llama.cpp) or OpenAI itself."""
    # chosen by settings: a provider's package loads only when it is the one in use
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if key is None and settings.llm_base_url is not None:
        key = NO_KEY  # self-hosted servers ignore the key, but the client insists on one
    if key is None:
        raise ConfigError(
            "llm_provider 'openai' without llm_base_url talks to OpenAI and needs llm_api_key"
        )
    # OpenAI itself takes the limit as max_completion_tokens (what langchain-openai sends for
    # max_tokens); self-hosted servers (vLLM, llama.cpp, Ollama's /v1) all read max_tokens.
    limit = settings.llm_max_tokens
    self_hosted = settings.llm_base_url is not None
    return ChatOpenAI(
        model=model,
        base_url=settings.llm_base_url,
        api_key=SecretStr(key),
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_s,
        max_retries=MAX_RETRIES,
        max_tokens=None if self_hosted else limit,
        extra_body={"max_tokens": limit} if self_hosted else None,
    )


def _ollama(settings: Settings, model: str) -> BaseChatModel:
    """Ollama's native /api/chat; base_url None means Ollama's default (127.0.0.1:11434)."""
    # chosen by settings: a provider's package loads only when it is the one in use
    from langchain_ollama import ChatOllama

    base_url = settings.llm_base_url
    if base_url is not None:
        # The same server's OpenAI-compatible URL ends in /v1; the native API lives above it.
        base_url = base_url.rstrip("/").removesuffix("/v1")
    return ChatOllama(
        model=model,
        base_url=base_url,
        temperature=settings.llm_temperature,
        num_predict=settings.llm_max_tokens,
        client_kwargs={"timeout": settings.llm_timeout_s},
    )


def _vertexai(settings: Settings, model: str) -> BaseChatModel:
    """Gemini on Vertex AI, with application-default credentials for the settings' project."""
    # chosen by settings: a provider's package loads only when it is the one in use
    from langchain_google_vertexai import ChatVertexAI

    return ChatVertexAI(
        model=model,
        project=settings.gcp_project,
        location=settings.gcp_location,
        temperature=settings.llm_temperature,
        max_output_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout_s,
        max_retries=MAX_RETRIES,
    )


def answerer_name(chat_model: BaseChatModel) -> str:
    """How an answer records the model that wrote it, e.g. 'openai-chat:llama3.1:8b'."""
    model = getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None)
    return f"{chat_model._llm_type}:{model}" if model else chat_model._llm_type
