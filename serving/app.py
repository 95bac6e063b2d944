"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from core.auth.keys import KeyVerifier
from core.auth.oidc import oidc_verifier
from core.settings import Settings
from ingestion.deletion import collect_blobs
from serving.auth import authorize, document_auth
from serving.components import Components
from serving.errors import ERROR_RESPONSES, install_error_handlers
from serving.limits import BodyLimitMiddleware, RateLimits
from serving.middleware import ObservabilityMiddleware, metrics_endpoint
from serving.routes import (
    admin,
    ask,
    audit,
    catalog,
    comments,
    dashboards,
    health,
    me,
    reports,
    search,
)
from serving.services import Services, open_services


def create_app(
    settings: Settings, components: Components, *, services: Services | None = None
) -> FastAPI:
    """Build the app from what the composition root hands it; it opens its services at
    start-up unless the caller hands them in."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        app.state.services = (
            services if services is not None else open_services(settings, components)
        )
        with app.state.services.pool.connection() as conn:  # deletes a crash left half done
            collect_blobs(conn, app.state.services.blobs)
        try:
            yield
        finally:
            if owned:
                app.state.services.close()

    app = FastAPI(
        title="TraceLens",
        version="0.1.0",
        description="Upload TRACE course-evaluation reports and read what they hold.",
        lifespan=lifespan,
        dependencies=[Depends(authorize)],
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.key_verifier = KeyVerifier()
    app.state.oidc = oidc_verifier(settings)
    install_error_handlers(app)
    app.state.rate_limits = RateLimits(settings)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(ObservabilityMiddleware)
    if settings.cors_origins:  # off unless a browser front end on another origin needs it
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,
        )
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    app.include_router(health.router)
    app.include_router(reports.router, responses=ERROR_RESPONSES)
    app.include_router(catalog.router, responses=ERROR_RESPONSES)
    app.include_router(search.router, responses=ERROR_RESPONSES)
    app.include_router(ask.router, responses=ERROR_RESPONSES)
    app.include_router(dashboards.router, responses=ERROR_RESPONSES)
    app.include_router(admin.router, responses=ERROR_RESPONSES)
    app.include_router(audit.router, responses=ERROR_RESPONSES)
    app.include_router(comments.router, responses=ERROR_RESPONSES)
    app.include_router(me.router, responses=ERROR_RESPONSES)
    document_auth(app)
    return app
