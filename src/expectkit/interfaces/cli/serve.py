"""``expectkit serve``: run the HTTP service with uvicorn.

It registers on :data:`expectkit.interfaces.cli.app` and needs the ``serve`` extra.
Everything is checked before the server starts (the policy, the database, the tokens,
the bind address), so a mistake is one line and exit code 2, not a worker crash.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from expectkit._core.errors import ServiceError
from expectkit.interfaces.cli._app import app

_APP = "expectkit.interfaces.service.app:create_app_from_env"


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine: ``localhost`` or a loopback address.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command("serve")
def serve_command(
    policy: Annotated[str, typer.Option("--policy", help="The policy file (reloaded on SIGHUP).")],
    db: Annotated[
        str,
        typer.Option("--db", help="The store: an SQLite file or sqlite:/// URL, or postgresql://."),
    ],
    host: Annotated[str, typer.Option("--host", help="The address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="The port.")] = 8080,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Worker processes (uvicorn).")
    ] = 1,
    tokens_file: Annotated[
        str | None,
        typer.Option(
            "--tokens-file",
            help="Bearer tokens, one 'TOKEN SCOPE[,SCOPE]' a line; default EXPECTKIT_TOKENS.",
        ),
    ] = None,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="No tokens: allowed only on a loopback address.")
    ] = False,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow this origin by CORS (repeatable); default off."),
    ] = None,
    max_body_bytes: Annotated[
        int, typer.Option("--max-body-bytes", min=1, help="Larger request bodies get 413.")
    ] = 4 << 20,
    log_level: Annotated[
        str, typer.Option("--log-level", help="uvicorn's log level: info, warning, ...")
    ] = "info",
) -> None:
    """Serve promises and SLA clocks over HTTP (FastAPI + uvicorn), with an OpenAPI document."""
    try:
        import uvicorn

        from expectkit.interfaces.service.settings import Settings
        from expectkit.interfaces.service.tokens import TOKENS_ENV, Tokens
        from expectkit.promises.policy import Policy
        from expectkit.sla.store import Store
    except ImportError as exc:  # pragma: no cover - the dev environment has the extra
        msg = "expectkit serve needs the 'serve' extra: pip install 'expectkit[serve]'"
        raise ServiceError(msg) from exc
    if no_auth and not is_loopback(host):
        msg = f"--no-auth: refused on {host!r}; without tokens bind a loopback address only"
        raise ServiceError(msg)
    if not no_auth:
        tokens = Tokens.from_file(tokens_file) if tokens_file else Tokens.from_env()
        if tokens is None:
            msg = f"no bearer tokens: give --tokens-file or {TOKENS_ENV} (or --no-auth on loopback)"
            raise ServiceError(msg)
    settings = Settings(max_body_bytes=max_body_bytes, cors_origins=tuple(cors_origin or ()))
    loaded = Policy.load(Path(policy))
    with Store(db, loaded):  # the database answers and takes the policy
        pass
    env = {
        "EXPECTKIT_SERVE_POLICY": str(Path(policy).resolve()),
        "EXPECTKIT_SERVE_DB": db,
        "EXPECTKIT_SERVE_NO_AUTH": "1" if no_auth else "0",
        **settings.to_env(),
    }
    if tokens_file:
        env["EXPECTKIT_SERVE_TOKENS_FILE"] = str(Path(tokens_file).resolve())
    os.environ.update(env)
    uvicorn.run(
        _APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_graceful_shutdown=30,
        server_header=False,
    )


__all__ = ["is_loopback", "serve_command"]
