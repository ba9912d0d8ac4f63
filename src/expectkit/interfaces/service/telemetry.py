"""Prometheus metrics of one service process: requests, latencies, ingests, tickets, breaches.

Each app has its own registry (several apps in one process never collide). Ticket
gauges are counted at scrape time from the store over at most ``ticket_limit``
tickets, cached for ``ttl`` seconds, so a scrape stays cheap on a large store.
"""

from __future__ import annotations

import threading
import time
from collections import Counter as Tally
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from expectkit._core.errors import ExpectkitError
from expectkit.interfaces.service.runtime import Runtime
from expectkit.sla.state import IngestCounts

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _Tickets(Collector):
    """Tickets by metric and state, and tickets with a breached metric, at scrape time."""

    def __init__(self, runtime: Runtime, ticket_limit: int, ttl: float) -> None:
        self.runtime = runtime
        self.ticket_limit = ticket_limit
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cached: tuple[float, Tally[tuple[str, str]], int, int] | None = None

    def _count(self) -> tuple[Tally[tuple[str, str]], int, int]:
        store = self.runtime.serving.store
        now = datetime.now(UTC)
        states: Tally[tuple[str, str]] = Tally()
        breached = 0
        tickets = store.tickets()[: self.ticket_limit]
        for ticket in tickets:
            try:
                statuses = store.status(ticket, now)
            except ExpectkitError:  # a ticket whose created event has not arrived
                continue
            for metric, status in statuses.items():
                states[(metric, status.state)] += 1
            breached += any(s.state == "breached" for s in statuses.values())
        return states, breached, len(tickets)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > self.ttl:
                self._cached = (time.monotonic(), *self._count())
            _, states, breached, counted = self._cached
        by_state = GaugeMetricFamily(
            "expectkit_tickets",
            "Tickets by metric and state (of the counted tickets)",
            labels=["metric", "state"],
        )
        for (metric, state), n in sorted(states.items()):
            by_state.add_metric([metric, state], n)
        yield by_state
        yield GaugeMetricFamily(
            "expectkit_breached_tickets", "Tickets with a breached metric", value=breached
        )
        yield GaugeMetricFamily(
            "expectkit_counted_tickets", "Tickets the gauges were counted over", value=counted
        )


class Telemetry:
    """The metrics of one app, and the ASGI middleware that measures its requests.

    >>> import tempfile, os
    >>> from expectkit.promises.policy import Policy
    >>> policy = Policy(rules=[{"name": "r", "first_response": {"promise": "4 hours"}}])
    >>> runtime = Runtime(policy, os.path.join(tempfile.mkdtemp(), "sla.db"))
    >>> b"expectkit_breached_tickets 0.0" in Telemetry(runtime).render()
    True
    >>> runtime.close()
    """

    def __init__(self, runtime: Runtime, *, ticket_limit: int = 2000, ttl: float = 15.0) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "expectkit_http_requests",
            "HTTP requests by method, route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "expectkit_http_request_seconds",
            "HTTP request latency by method and route",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.ingested = Counter(
            "expectkit_ingested_events",
            "Events ingested by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.reloads = Counter(
            "expectkit_policy_reloads",
            "Policy reloads by result",
            ["result"],
            registry=self.registry,
        )
        self.registry.register(_Tickets(runtime, ticket_limit, ttl))

    def count_ingest(self, counts: IngestCounts) -> None:
        """Add an ingest's counts."""
        for outcome, n in counts.as_dict().items():
            if outcome != "in" and n:
                self.ingested.labels(outcome).inc(n)

    def render(self) -> bytes:
        """Return the metrics in the Prometheus text format."""
        return generate_latest(self.registry)

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """Wrap `app` so each HTTP request is counted and timed by its route template."""
        return MeasuredRequests(app, self)


class MeasuredRequests:
    """ASGI middleware: count and time each HTTP request by method, route template and status."""

    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, then count and time it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            route = scope.get("route")
            template: str = getattr(route, "path", None) or "unmatched"
            method = str(scope.get("method", ""))
            self.telemetry.requests.labels(method, template, str(status)).inc()
            self.telemetry.latency.labels(method, template).observe(time.perf_counter() - started)


__all__ = ["CONTENT_TYPE", "MeasuredRequests", "Telemetry"]
