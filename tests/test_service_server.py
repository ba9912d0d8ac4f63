"""``expectkit serve`` for real: uvicorn in a subprocess on 127.0.0.1, called over HTTP."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("prometheus_client")

from typer.testing import CliRunner

from expectkit import Policy
from expectkit.cli import app
from expectkit.state import policy_version
from serving import POLICY_YAML, TOKENS, TOKENS_TEXT, auth, free_port, serve_command, server
from test_cli import assert_one_line_error

pytestmark = pytest.mark.integration  # starts processes: see CONTRIBUTING.md

NEW_POLICY = "rules: [{name: everyone, first_response: {promise: '2 hours'}}]\n"


def _files(tmp: Path) -> tuple[Path, Path, str]:
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY_YAML)
    tokens = tmp / "tokens"
    tokens.write_text(TOKENS_TEXT)
    return policy, tokens, str(tmp / "sla.db")


def test_serve_answers_over_http(tmp_path: Path) -> None:
    policy, tokens, db = _files(tmp_path)
    with server(tmp_path, policy, db, "--tokens-file", str(tokens)) as srv:
        quoted = httpx.post(
            srv.url + "/v1/quote",
            json={"channel": "email", "at": "2026-11-20T16:30:00+01:00", "locale": "en"},
            headers=auth("read"),
        )
        assert quoted.status_code == 200, quoted.text
        fr = quoted.json()["metrics"]["first_response"]
        assert fr["promised_at"] == "2026-11-25T17:00:00+01:00"
        assert fr["text"] == "We'll reply by Wednesday 25 November, 17:00 CET."
        event = {
            "ticket": "T1",
            "type": "created",
            "at": "2026-11-23T09:00:00+01:00",
            "channel": "email",
        }
        ingested = httpx.post(
            srv.url + "/v1/events", json={"events": [event]}, headers=auth("write")
        )
        assert ingested.json()["applied"] == 1
        status = httpx.get(
            srv.url + "/v1/tickets/T1/status",
            params={"at": "2026-11-23T10:00:00+01:00"},
            headers=auth("read"),
        )
        assert status.json()["metrics"]["first_response"]["state"] == "on_track"
        assert httpx.get(srv.url + "/v1/due").status_code == 401
        spec = httpx.get(srv.url + "/openapi.json").json()
        assert "/v1/quote" in spec["paths"]
        assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
        metrics = httpx.get(srv.url + "/metrics", headers=auth("read")).text
        assert 'route="/v1/events",status="200"' in metrics
        assert "server" not in {k.lower() for k in quoted.headers}  # no version banner


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ((), "no bearer tokens: give --tokens-file or EXPECTKIT_TOKENS"),
        (("--no-auth", "--host", "0.0.0.0"), "--no-auth: refused on '0.0.0.0'"),
        (("--tokens-file", "missing-tokens"), "missing-tokens: cannot read the tokens file"),
        (("--tokens-file", "short"), "short, token 1: a token needs at least 16 characters"),
    ],
)
def test_refuses_to_start_and_says_why(
    tmp_path: Path, extra: tuple[str, ...], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # These stop before the server binds, so they run in this process.
    policy, _, db = _files(tmp_path)
    (tmp_path / "short").write_text("abc read\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EXPECTKIT_TOKENS", raising=False)
    args = serve_command(policy, db, free_port(), *extra)[3:]  # a second --host wins
    assert_one_line_error(CliRunner().invoke(app, args), message)


def test_a_bad_policy_file_stops_the_start_naming_it(tmp_path: Path) -> None:
    policy, tokens, db = _files(tmp_path)
    policy.write_text("rules: [{name: x, first_response: {promise: 'soon'}}]\n")
    args = serve_command(policy, db, free_port(), "--tokens-file", str(tokens))[3:]
    assert_one_line_error(CliRunner().invoke(app, args), str(policy), "'soon'")


def _version(url: str) -> str:
    return str(httpx.get(url + "/v1/policy", headers=auth("read")).json()["version"])


def _wait_for(check: object, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_sighup_reloads_and_a_bad_file_keeps_the_old_policy(tmp_path: Path) -> None:
    policy, _, db = _files(tmp_path)
    old = policy_version(Policy.loads(POLICY_YAML))
    new = policy_version(Policy.loads(NEW_POLICY))
    env = {"EXPECTKIT_TOKENS": f"{TOKENS['read']} read"}  # tokens from the environment
    with server(tmp_path, policy, db, env=env) as srv:
        assert _version(srv.url) == old
        assert httpx.get(srv.url + "/v1/policy", headers=auth("admin")).status_code == 401
        policy.write_text("rules: [{name: x, first_response: {promise: 'soon'}}]\n")
        srv.proc.send_signal(signal.SIGHUP)
        assert _wait_for(lambda: "reload refused" in srv.output()), srv.output()
        assert "'soon'" in srv.output()
        assert _version(srv.url) == old
        policy.write_text(NEW_POLICY)
        srv.proc.send_signal(signal.SIGHUP)
        assert _wait_for(lambda: _version(srv.url) == new), srv.output()
        quoted = httpx.post(
            srv.url + "/v1/quote", json={"channel": "web"}, headers=auth("read")
        ).json()
        assert quoted["rule"] == "everyone"
        assert "Traceback" not in srv.output()
