"""Building the Litestar application: every framework setting in one visible place."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from server import demo
from server.auth import invites as invite_routes
from server.auth import routes as auth_routes
from server.auth.csrf import csrf_middleware
from server.auth.headers import add_security_headers
from server.auth.dependencies import current_viewer
from server.db.engine import close_pool, migrate, open_pool, use_database
from server.health import health
from server.input_limits import CheckedRequest, check_parameters
from server.notify import routes as mail_routes
from server.people import routes as people_routes
from server.photos import routes as photo_routes
from server.problems import EXCEPTION_HANDLERS
from server.replies import routes as reply_routes
from server.reports import routes as report_routes
from server.settings import Settings, settings_from_env
from server.sync_api import routes as sync_routes


@asynccontextmanager
async def _in_background(job: Coroutine[Any, Any, None] | None) -> AsyncIterator[None]:
    """Run ``job`` for as long as the app runs (nothing when there is none), cancelled at shutdown."""
    if job is None:
        yield
        return
    task = asyncio.create_task(job)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or settings_from_env()

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        engine = use_database(settings)
        await open_pool(engine)
        try:
            await migrate()
            if settings.demo:
                await demo.load_demo_data()
            yield
        finally:
            await close_pool(engine)

    @asynccontextmanager
    async def mail_sender(app: Litestar) -> AsyncIterator[None]:
        """Send queued e-mail in the background (safe with several workers: rows are claimed)."""
        from server.notify.sender import run_forever
        from server.replies.addresses import ReplyKeys

        async with _in_background(run_forever(settings.smtp_url, settings.mail_interval_seconds,
                                              settings.mail_lease_seconds, ReplyKeys.from_settings(settings))
                                  if settings.smtp_url else None):
            yield

    @asynccontextmanager
    async def mail_fetcher(app: Litestar) -> AsyncIterator[None]:
        """Fetch replies from the IMAP mailbox in the background (safe with several workers: one reads at a time,
        and each message is taken once)."""
        from server.replies.poller import fetch_forever

        wanted = settings.imap_url and settings.replies_enabled and settings.imap_interval_seconds > 0
        async with _in_background(fetch_forever(settings) if wanted else None):
            yield

    route_handlers: list = [health, *auth_routes.ROUTES, *sync_routes.ROUTES, *photo_routes.ROUTES,
                          *invite_routes.ROUTES, *people_routes.ROUTES,
                          *report_routes.ROUTES, *mail_routes.ROUTES, *reply_routes.ROUTES]
    if settings.pwa_dir.is_dir():
        route_handlers.append(
            create_static_files_router(path="/", directories=[settings.pwa_dir], html_mode=True,
                                       name="pwa", include_in_schema=False)
        )

    return Litestar(
        route_handlers=route_handlers,
        lifespan=[database, mail_sender, mail_fetcher],
        dependencies={"viewer": Provide(current_viewer)},
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        # Cookie-authenticated writes must come from our own pages (server/auth/csrf.py explains why this way).
        middleware=[csrf_middleware],
        # CSP and the other security headers on every answer, the phone app's files included.
        before_send=[add_security_headers],
        request_max_body_size=settings.max_body_bytes,
        # Depth, characters, lengths, ranges and strict types of every JSON body and parameter: one layer.
        request_class=CheckedRequest,
        before_request=check_parameters,
        # A first pull is JSON that gzips about 12 times smaller: it matters on a cheap phone plan. Level 3, not
        # the usual 6: 10% more bytes for less than half the CPU (docs/benchmarks.md, "First pull"). Photos are
        # already compressed and are left alone.
        compression_config=CompressionConfig(backend="gzip", gzip_compress_level=3, minimum_size=1024,
                                             exclude=["/api/photos", "/api/uploads"]),
        state=State({"settings": settings}),
        openapi_config=OpenAPIConfig(
            title="Estatewalk",
            version="0.1.0",
            description="Sync server for joint estate inspections. See docs/sync-protocol.md.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer",
                                         description="the token from POST /api/auth/login"),
                "session_cookie": SecurityScheme(type="apiKey", name="estatewalk_session",
                                                 security_scheme_in="cookie"),
            }),
        ),
        debug=False,
    )
