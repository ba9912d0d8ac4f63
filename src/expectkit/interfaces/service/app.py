"""The app factory: :func:`create_app` for embedding, :func:`create_app_from_env` for workers."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from expectkit._core.errors import ExpectkitError, ServiceError
from expectkit.interfaces.service.openapi_doc import problem_openapi
from expectkit.interfaces.service.problems import BodyLimit, install_handlers
from expectkit.interfaces.service.routes_live import router as live_router
from expectkit.interfaces.service.routes_ops import router as ops_router
from expectkit.interfaces.service.routes_policy import router as policy_router
from expectkit.interfaces.service.routes_quote import router as quote_router
from expectkit.interfaces.service.runtime import Runtime
from expectkit.interfaces.service.settings import ENV_PREFIX, Settings
from expectkit.interfaces.service.telemetry import MeasuredRequests, Telemetry
from expectkit.interfaces.service.tokens import Tokens
from expectkit.promises.policy import Policy

_log = logging.getLogger("expectkit.serve")

_DESCRIPTION = """\
Promises and SLA clocks over a live store. Every `/v1` route needs a bearer token with
its scope: `read` (quote, status, due, policy, lint, schema; also `/metrics`), `write`
(events, metric events) or `admin` (policy reload); each scope includes the ones before.
Errors are RFC 9457 problem documents (`application/problem+json`).
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("expectkit")
    except PackageNotFoundError:  # pragma: no cover - a source tree not installed
        return "0.0.0"


def _on_sighup(runtime: Runtime, telemetry: Telemetry) -> Callable[[], None]:
    def reload() -> None:
        try:
            done = runtime.reload()
        except ExpectkitError as exc:
            telemetry.reloads.labels("refused").inc()
            _log.error("SIGHUP: %s", exc)
            return
        telemetry.reloads.labels("done").inc()
        _log.info("SIGHUP: policy %s serving (was %s)", done.version, done.previous_version)

    def handler() -> None:
        threading.Thread(target=reload, name="expectkit-reload", daemon=True).start()

    return handler


def create_app(
    policy: Policy | str | os.PathLike[str],
    db: str,
    *,
    tokens: Tokens | None = None,
    no_auth: bool = False,
    settings: Settings | None = None,
    sighup: bool = False,
) -> FastAPI:
    """Build the service over the store `db`, serving `policy`.

    The app is a plain FastAPI app: mount it in another (``parent.mount("/sla", app)``)
    or run it with any ASGI server. The store is opened here, so a bad policy or an
    unreachable database fails now rather than at the first request.

    Args:
        policy: A policy file (reloadable) or a :class:`~expectkit.Policy`.
        db: An SQLite file path or ``sqlite:///`` URL, or a ``postgresql://`` URL.
        tokens: The bearer tokens accepted; required unless `no_auth`.
        no_auth: Let every request in; only for a server bound to loopback.
        settings: Limits and options; default :class:`Settings`.
        sighup: Reload the policy file on SIGHUP (in the main thread's event loop).

    Returns:
        The app.

    Raises:
        ServiceError: No tokens and not `no_auth`.
        PolicyError: The policy file is unreadable or invalid.
        StoreError: The database cannot be opened.

    >>> import asyncio, httpx, tempfile, os
    >>> policy = Policy(rules=[{"name": "all", "first_response": {"promise": "2 hours"}}])
    >>> app = create_app(policy, os.path.join(tempfile.mkdtemp(), "sla.db"),
    ...                  tokens=Tokens.parse("r3ad-t0ken-0000001 read"))
    >>> async def ask() -> httpx.Response:
    ...     transport = httpx.ASGITransport(app=app)
    ...     async with httpx.AsyncClient(transport=transport, base_url="http://sla") as client:
    ...         return await client.post(
    ...             "/v1/quote", json={"channel": "web", "at": "2026-01-05T09:00:00Z"},
    ...             headers={"Authorization": "Bearer r3ad-t0ken-0000001"})
    >>> reply = asyncio.run(ask())
    >>> reply.status_code, reply.json()["metrics"]["first_response"]["promised_at"]
    (200, '2026-01-05T11:00:00Z')
    >>> app.state.runtime.close()

    """
    if tokens is None and not no_auth:
        msg = (
            "no bearer tokens: give a tokens file or EXPECTKIT_TOKENS "
            "(or no_auth on a loopback address only)"
        )
        raise ServiceError(msg)
    settings = settings or Settings()
    runtime = Runtime(policy, db)
    telemetry = Telemetry(runtime, ticket_limit=settings.metrics_ticket_limit)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        hooked = False
        if sighup and threading.current_thread() is threading.main_thread():
            loop.add_signal_handler(signal.SIGHUP, _on_sighup(runtime, telemetry))
            hooked = True
        try:
            yield
        finally:
            if hooked:
                loop.remove_signal_handler(signal.SIGHUP)
            runtime.close()

    app = FastAPI(
        title="expectkit",
        version=_version(),
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.tokens = None if no_auth else tokens
    app.state.settings = settings
    app.state.telemetry = telemetry
    install_handlers(app)
    app.openapi = lambda: problem_openapi(app)  # type: ignore[method-assign]
    for router in (quote_router, live_router, policy_router, ops_router):
        app.include_router(router)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(MeasuredRequests, telemetry=telemetry)
    return app


def create_app_from_env(environ: Mapping[str, str] | None = None) -> FastAPI:
    """Build the app from ``EXPECTKIT_SERVE_*`` variables: what each uvicorn worker runs.

    ``EXPECTKIT_SERVE_POLICY`` (a file), ``EXPECTKIT_SERVE_DB``, optionally
    ``EXPECTKIT_SERVE_TOKENS_FILE`` (else ``EXPECTKIT_TOKENS``), ``EXPECTKIT_SERVE_NO_AUTH=1``
    and the :class:`Settings` variables. SIGHUP reloads the policy.

    Raises:
        ServiceError: A variable is missing or wrong.

    >>> create_app_from_env({})
    Traceback (most recent call last):
    expectkit.errors.ServiceError: EXPECTKIT_SERVE_POLICY is not set

    """
    env = os.environ if environ is None else environ
    needed = {}
    for name in ("POLICY", "DB"):
        value = env.get(ENV_PREFIX + name)
        if not value:
            raise ServiceError(f"{ENV_PREFIX}{name} is not set")
        needed[name] = value
    tokens_file = env.get(ENV_PREFIX + "TOKENS_FILE")
    no_auth = env.get(ENV_PREFIX + "NO_AUTH") == "1"
    tokens = None
    if not no_auth:
        tokens = Tokens.from_file(tokens_file) if tokens_file else Tokens.from_env(dict(env))
    return create_app(
        Path(needed["POLICY"]),
        needed["DB"],
        tokens=tokens,
        no_auth=no_auth,
        settings=Settings.from_env(env),
        sighup=True,
    )


__all__ = ["create_app", "create_app_from_env"]
