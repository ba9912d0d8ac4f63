"""The HTTP service under load: ``POST /v1/quote`` latency at a fixed rate, events a second.

Run alone: ``python benchmarks/service.py [--quick] [--pg URL]``. It starts
``expectkit serve`` on 127.0.0.1 and a free port (one worker, SQLite; with ``--pg`` also
two workers on PostgreSQL), then drives it from an asyncio httpx loop in this process:

* ``POST /v1/quote`` at a fixed arrival rate (open loop: request *i* is sent at *i / rate*
  seconds whatever the answers before it), p50 / p99 / max latency and errors; the same
  rate against ``/healthz`` gives the floor of the HTTP stack on this machine, and the
  quote's p99 is reported as a multiple of it;
* ``POST /v1/events`` in batches of 100 events (fresh tickets of 10 events each), a few
  batches in flight: events a second, against ``Store.ingest`` of the same batches in
  one process without HTTP (a ratio, measured in the same run).

Load and server share the machine's cores, so figures are for this machine at the time;
the ratios are what to compare. Every request loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

POLICY_YAML = """\
schedules:
  office: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}}
channels:
  email: {kind: email, schedule: office}
rules:
  - name: standard
    first_response: {promise: "8 business hours", target: "4 business hours"}
    next_response: {promise: "4 business hours"}
    resolution: {promise: "3 business days", pause_on: [pending]}
"""
T0 = datetime(2026, 11, 23, 8, tzinfo=UTC)


@dataclass
class Latencies:
    """What a fixed-rate run measured."""

    requested: int = 0
    sent: int = 0
    errors: int = 0
    unanswered: int = 0
    seconds: float = 0.0
    ms: list[float] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, float]:
        """p50, p99 and max in milliseconds, the achieved rate and the errors."""
        ordered = sorted(self.ms)
        if not ordered:
            return {"requested": self.requested, "sent": self.sent, "errors": self.errors}
        return {
            "requested": self.requested,
            "sent": self.sent,
            "errors": self.errors,
            "unanswered": self.unanswered,
            "rate_per_s": len(ordered) / self.seconds if self.seconds else 0.0,
            "p50_ms": statistics.median(ordered),
            "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
            "max_ms": ordered[-1],
        }


async def fixed_rate(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    count: int,
    rate: float,
    body: Any = None,
    timeout: float = 60.0,
) -> Latencies:
    """Send `count` requests at `rate` a second (open loop); at most `timeout` seconds.

    A request still unanswered at the timeout is cancelled and counted as an error.
    """
    out = Latencies(requested=count)
    start = time.perf_counter()

    async def one(i: int) -> None:
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        sent = time.perf_counter()
        out.sent += 1
        try:
            reply = await client.request(method, path, json=body)
            ok = reply.status_code == 200
        except httpx.HTTPError:
            ok = False
        out.ms.append((time.perf_counter() - sent) * 1000)
        out.errors += not ok

    tasks = [asyncio.ensure_future(one(i)) for i in range(count)]
    _, late = await asyncio.wait(tasks, timeout=timeout)
    for task in late:  # not answered in time: counted as errors, never waited for
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
    out.unanswered = len(late)
    out.errors += len(late)
    out.seconds = time.perf_counter() - start
    return out


def event_batches(
    batches: int, size: int = 100, per: int = 10, prefix: str = "B"
) -> list[list[dict[str, Any]]]:
    """`batches` batches of `size` events: fresh tickets of `per` events each."""
    events: list[dict[str, Any]] = []
    for t in range(batches * size // per):
        start = T0 + timedelta(minutes=t % 600)
        name = f"{prefix}{t}"
        events.append(
            {"ticket": name, "type": "created", "at": start.isoformat(), "channel": "email"}
        )
        for k in range(1, per):
            kind = "agent_reply" if k % 2 else "customer_message"
            at = start + timedelta(minutes=13 * k)
            events.append({"ticket": name, "type": kind, "at": at.isoformat()})
    return [events[i : i + size] for i in range(0, len(events), size)]


@dataclass
class Ingested:
    """What an event run measured."""

    events: int = 0
    applied: int = 0
    errors: int = 0
    balanced: bool = True
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        """Events a second, applied and errors."""
        return {
            "events": self.events,
            "applied": self.applied,
            "errors": self.errors,
            "balanced": self.balanced,
            "events_per_s": self.events / self.seconds if self.seconds else 0.0,
        }


async def send_batches(
    client: httpx.AsyncClient,
    batches: list[list[dict[str, Any]]],
    *,
    in_flight: int = 4,
    timeout: float = 300.0,
) -> Ingested:
    """Send every batch to ``POST /v1/events``, `in_flight` at a time; at most `timeout` s."""
    out = Ingested()
    queue = list(reversed(batches))
    start = time.perf_counter()

    async def worker() -> None:
        while queue:
            batch = queue.pop()
            try:
                reply = await client.post("/v1/events", json={"events": batch})
            except httpx.HTTPError:
                out.errors += 1
                continue
            if reply.status_code != 200:
                out.errors += 1
                continue
            counts = reply.json()
            out.events += counts["in"]
            out.applied += counts["applied"]
            parts = (
                counts["applied"] + counts["duplicates"] + counts["pending"] + counts["rejected"]
            )
            out.balanced &= counts["in"] == parts == len(batch)

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(in_flight))), timeout)
    out.seconds = time.perf_counter() - start
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    policy: Path, db: str, workers: int, folder: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``expectkit serve --no-auth`` on 127.0.0.1; return it and its URL once ready."""
    port = _free_port()
    log = (folder / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(
        [
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
            "--workers",
            str(workers),
            "--no-auth",
            "--log-level",
            "warning",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {(folder / f'server-{port}.log').read_text()}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not become ready")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started by :func:`start_server`."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass(frozen=True)
class Sizes:
    """How much each measurement does."""

    quotes: int
    rate: float
    batches: int


FULL = Sizes(quotes=1000, rate=200.0, batches=50)
QUICK = Sizes(quotes=400, rate=200.0, batches=10)


def _direct(db: str, batches: list[list[dict[str, Any]]]) -> float:
    from expectkit import Policy
    from expectkit.store import Store

    with Store(db, Policy.loads(POLICY_YAML)) as store:
        started = time.perf_counter()
        for batch in batches:
            store.ingest(batch)
        return sum(len(b) for b in batches) / (time.perf_counter() - started)


def measure(db: str, workers: int, sizes: Sizes, folder: Path, direct_db: str) -> dict[str, Any]:
    """Start a server over `db` and measure quotes, the HTTP floor and event ingest."""
    policy = folder / "policy.yaml"
    policy.write_text(POLICY_YAML)
    proc, url = start_server(policy, db, workers, folder)
    quote = {"channel": "email", "at": "2026-11-20T16:30:00+01:00"}
    try:

        async def drive() -> dict[str, Any]:
            limits = httpx.Limits(max_connections=64)
            async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
                await fixed_rate(client, "POST", "/v1/quote", count=50, rate=50, body=quote)  # warm
                floor = await fixed_rate(
                    client, "GET", "/healthz", count=sizes.quotes, rate=sizes.rate
                )
                quotes = await fixed_rate(
                    client, "POST", "/v1/quote", count=sizes.quotes, rate=sizes.rate, body=quote
                )
                events = await send_batches(client, event_batches(sizes.batches))
            return {
                "healthz": floor.summary(),
                "quote": quotes.summary(),
                "events": events.summary(),
            }

        figures = asyncio.run(drive())
    finally:
        stop_server(proc)
    figures["direct_events_per_s"] = _direct(direct_db, event_batches(sizes.batches, prefix="D"))
    figures["workers"] = workers
    return figures


def report(name: str, r: dict[str, Any]) -> str:
    """Format one backend's figures."""
    q, h, e = r["quote"], r["healthz"], r["events"]
    return "\n".join(
        [
            f"  {name} ({r['workers']} worker{'s' if r['workers'] > 1 else ''}):",
            f"    POST /v1/quote at {q['rate_per_s']:.0f} req/s: p50 {q['p50_ms']:.1f} ms,"
            f" p99 {q['p99_ms']:.1f} ms, max {q['max_ms']:.1f} ms,"
            f" {q['errors']} errors or unanswered of {q['requested']}"
            f"  (goal p99 <= 10 ms: {'PASS' if q['p99_ms'] <= 10 else 'MISS'})",
            f"    GET /healthz at the same rate: p99 {h['p99_ms']:.1f} ms;"
            f" quote p99 = {q['p99_ms'] / h['p99_ms']:.1f}x the HTTP floor",
            f"    POST /v1/events, batches of 100: {e['events_per_s']:,.0f} events/s,"
            f" {e['errors']} errors, counts balanced: {e['balanced']}"
            f"  (goal >= 5,000: {'PASS' if e['events_per_s'] >= 5000 else 'MISS'})",
            "    Store.ingest of the same batches without HTTP:"
            f" {r['direct_events_per_s']:,.0f} events/s;"
            f" HTTP keeps {e['events_per_s'] / r['direct_events_per_s']:.0%} of it",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--pg", metavar="URL", help="also measure 2 workers on this PostgreSQL database"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--rate", type=float, help="requests a second (default 200)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.rate:
        sizes = Sizes(quotes=sizes.quotes, rate=args.rate, batches=sizes.batches)
    results: dict[str, Any] = {"sizes": asdict(sizes), "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        results["sqlite"] = measure(
            str(folder / "serve.db"), 1, sizes, folder, str(folder / "direct.db")
        )
        if args.pg:
            results["postgresql"] = measure(args.pg, 2, sizes, folder, args.pg)
    print(f"service ({results['cores']} cores; load and server on the same machine):")
    for name in ("sqlite", "postgresql"):
        if name in results:
            print(report(name, results[name]))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
