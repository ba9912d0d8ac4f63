"""The real server under bounded load, and killed with SIGKILL in the middle of ingestion.

The load loop is the benchmark's (``benchmarks/service.py``), with a fixed count and a
time limit; these tests assert only that nothing failed and nothing was lost — the
figures belong to the benchmark.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from expectkit.store import Store
from serving import free_port, server
from test_clock_properties import CALENDAR
from test_store import _fresh, assert_equal_to_replay, postgres, ticket_events

pytestmark = pytest.mark.integration  # starts processes: see CONTRIBUTING.md


def _benchmark() -> Any:
    """The benchmark module (``benchmarks/service.py``), whose load loop these tests use."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "service.py"
    spec = importlib.util.spec_from_file_location("expectkit_service_benchmark", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _benchmark()

__all__ = ["postgres"]  # the PostgreSQL server fixture, shared with the store's tests


def test_bounded_load_has_no_errors_and_loses_no_event(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(bench.POLICY_YAML)
    db = str(tmp_path / "sla.db")
    batches = bench.event_batches(10)  # 1 000 events, 100 tickets
    quote = {"channel": "email", "at": "2026-11-20T16:30:00+01:00"}
    with server(tmp_path, policy, db, "--no-auth") as srv:

        async def drive() -> tuple[Any, Any]:
            async with httpx.AsyncClient(base_url=srv.url, timeout=60) as client:
                quotes = bench.fixed_rate(
                    client, "POST", "/v1/quote", count=300, rate=50, body=quote
                )
                events = bench.send_batches(client, batches, in_flight=4)
                return await asyncio.wait_for(asyncio.gather(quotes, events), 240)

        quotes, events = asyncio.run(drive())
        again = asyncio.run(_resend(srv.url, batches))
    assert quotes.sent == 300
    assert quotes.errors == 0
    assert events.errors == 0
    assert events.balanced
    assert events.events == events.applied == 1000
    assert again.duplicates == 1000  # re-sent: every one known
    with Store(db) as store:
        assert store.counts()["events"] == 1000
        assert len(store.tickets()) == 100


class _Resent:
    def __init__(self) -> None:
        self.events_in = 0
        self.duplicates = 0
        self.applied = 0
        self.pending = 0


async def _resend(url: str, batches: list[list[dict[str, Any]]]) -> _Resent:
    out = _Resent()
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for batch in batches:
            reply = await client.post("/v1/events", json={"events": batch})
            reply.raise_for_status()
            counts = reply.json()
            out.events_in += counts["in"]
            out.duplicates += counts["duplicates"]
            out.applied += counts["applied"]
            out.pending += counts["pending"]
    return out


class _Sender(threading.Thread):
    """Send batches in order until told to stop; note which ones got an answer."""

    def __init__(self, url: str, batches: list[list[dict[str, Any]]]) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.batches = batches
        self.answered = 0
        self.failed = 0
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            for batch in self.batches:
                if self.stop.is_set():
                    return
                try:
                    client.post("/v1/events", json={"events": batch}).raise_for_status()
                    self.answered += 1
                except httpx.HTTPError:
                    self.failed += 1
                    return


def _workers(pid: int) -> list[int]:
    """The worker processes of a uvicorn supervisor (its spawned children)."""
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        if b"spawn_main" in cmdline:
            found.append(int(child))
    return found


def _kill_mid_ingestion(
    tmp: Path, db: str, batches: list[list[dict[str, Any]]], *, workers: int, kills: int
) -> None:
    policy = tmp / "policy.json"
    policy.write_text(CALENDAR.model_dump_json())
    extra = ("--no-auth", "--workers", str(workers))
    for round_ in range(kills):
        port = free_port()
        with server(tmp, policy, db, *extra, port=port) as srv:
            sender = _Sender(srv.url, batches)
            sender.start()
            deadline = time.monotonic() + 120
            while sender.answered < 2 + 2 * round_ and time.monotonic() < deadline:
                time.sleep(0.02)
            assert sender.is_alive(), "the batches were all sent before the kill"
            victim = _workers(srv.proc.pid)[0] if workers > 1 else srv.proc.pid
            time.sleep(0.05 * round_)  # a different point of the next request each round
            Path(tmp / "killed").write_text(json.dumps({"round": round_, "pid": victim}))
            os.kill(victim, signal.SIGKILL)
            sender.stop.set()
            sender.join(timeout=120)
    # restart and re-send everything: each event is counted once
    with server(tmp, policy, db, *extra) as srv:
        resent = asyncio.run(_resend(srv.url, batches))
    total = sum(len(b) for b in batches)
    assert resent.events_in == total
    assert resent.applied + resent.duplicates + resent.pending == total
    with Store(db) as store:
        assert store.counts()["events"] == total
        events = [e for b in batches for e in b]
        assert_equal_to_replay(store, events, CALENDAR)


def _calendar_batches() -> list[list[dict[str, Any]]]:
    events = ticket_events(60, 20, seed=3)  # 1 200 events
    events.sort(key=lambda e: e["at"])  # arrival order: tickets interleaved
    return [events[i : i + 100] for i in range(0, len(events), 100)]


def test_sigkill_mid_ingestion_then_resend_counts_each_event_once_sqlite(tmp_path: Path) -> None:
    _kill_mid_ingestion(tmp_path, str(tmp_path / "sla.db"), _calendar_batches(), workers=1, kills=1)


def test_sigkill_a_worker_of_two_then_resend_postgresql(postgres: str, tmp_path: Path) -> None:
    url = _fresh(postgres, "serve_kill")
    _kill_mid_ingestion(tmp_path, url, _calendar_batches(), workers=2, kills=1)


@pytest.mark.slow
def test_sigkill_five_times_then_resend_sqlite(tmp_path: Path) -> None:
    _kill_mid_ingestion(tmp_path, str(tmp_path / "sla.db"), _calendar_batches(), workers=1, kills=5)


def test_readiness_and_routes_say_503_when_the_database_goes_away(
    postgres: str, tmp_path: Path
) -> None:
    import psycopg

    from expectkit import Policy
    from expectkit.interfaces.service import create_app
    from serving import Client

    url = _fresh(postgres, "serve_gone")
    app = create_app(Policy.loads(bench.POLICY_YAML), url, no_auth=True)
    client = Client(app)
    assert client.get("/readyz").status_code == 200
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'serve_gone'"
        )
        conn.execute('ALTER DATABASE "serve_gone" RENAME TO "serve_gone_away"')
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["database"] is False
        due = client.get("/v1/due")
        assert due.status_code == 503
        assert due.json()["detail"] == "the store is not available"
        assert "serve_gone" not in due.text  # no driver message to the client
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute('ALTER DATABASE "serve_gone_away" RENAME TO "serve_gone"')
    try:
        assert client.get("/readyz").status_code == 200  # back once the database is
    finally:
        app.state.runtime.close()
