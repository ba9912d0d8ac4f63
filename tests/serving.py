"""Shared parts of the service tests: a policy, tokens, an in-process client, a real server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

POLICY_YAML = """\
schedules:
  berlin:
    tz: Europe/Berlin
    weekly: {mon-fri: ["09:00-17:00"]}
    holidays: {country: DE, subdiv: BE}
channels:
  email:  {kind: email,  mode: async, schedule: berlin}
  chat:   {kind: chat,   mode: live,  schedule: berlin, offline: email}
  social: {kind: social, mode: async, schedule: berlin}
rounding: 15min
rules:
  - name: social-complaint
    match: {channel: social, tags: [complaint]}
    first_response: {promise: "3-5 hours"}
  - name: email
    match: {channel: email}
    first_response: {promise: "1-3 business days", target: "1 business day"}
    resolution: {promise: "5 business days"}
  - name: chat
    match: {channel: chat}
    first_response: {promise: "30 seconds", clock: business, rounding: none}
  - name: default
    first_response: {promise: "2 business days", buffer: {ratio: 0.5}}
"""

TOKENS = {
    "read": "r3ad-t0ken-0000000000000001",
    "write": "wr1te-t0ken-000000000000001",
    "admin": "adm1n-t0ken-000000000000001",
}
TOKENS_TEXT = "".join(f"{token} {scope}\n" for scope, token in TOKENS.items())


def auth(scope: str) -> dict[str, str]:
    """The Authorization header of the token with `scope`."""
    return {"Authorization": f"Bearer {TOKENS[scope]}"}


class Client:
    """A synchronous client over an ASGI app in this process (httpx's ASGITransport)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://sla") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(call())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``expectkit serve`` process."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def serve_command(policy: Path, db: str, port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "expectkit",
        "serve",
        "--policy",
        str(policy),
        "--db",
        db,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        *extra,
    ]


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not become ready:\n{log.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers: its own process group, which it leads."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=60)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # workers left behind, if any
    proc.wait(timeout=30)


@contextmanager
def server(
    tmp: Path,
    policy: Path,
    db: str,
    *extra: str,
    env: dict[str, str] | None = None,
    port: int | None = None,
) -> Iterator[Server]:
    """Start ``expectkit serve`` on 127.0.0.1 and a free port; stop it afterwards."""
    port = port or free_port()
    log = tmp / f"server-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            serve_command(policy, db, port, *extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=tmp,
            start_new_session=True,  # its own process group: stop() ends the workers too
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log)
        yield Server(url, proc, log)
    finally:
        stop(proc)
