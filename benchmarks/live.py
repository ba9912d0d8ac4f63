"""Live SLA figures: apply-and-persist latency, batch ingest rate, due() over many tickets.

Run alone (``python benchmarks/live.py [--quick] [--pg URL]``) or through
``benchmarks/run.py``, which prints these figures with the other ratios. Measured on
SQLite (a WAL file in a temporary directory) and, given ``--pg``, on PostgreSQL:

* apply one event and persist it (one ``ingest`` call, one transaction): p50, p99;
* batch ingest: events a second over fresh tickets of 10 events each;
* ``due(before)`` over N ticket rows (rows written directly, as an index read);
* state bytes a ticket (its JSON row) and the ``Clock``'s lock: uncontended cost of a
  ``status()`` call against the fold without the lock.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from time import perf_counter_ns
from typing import Any

from expectkit import Clock, Policy

POLICY = Policy.loads("""\
rules:
  - name: all
    first_response: {promise: "4 hours"}
    next_response: {promise: "2 hours"}
    resolution: {promise: "2 days", target: "30 hours", pause_on: [pending]}
""")
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


@dataclass(frozen=True)
class LiveSizes:
    """How much each measurement does."""

    singles: int
    batch_tickets: int
    due_tickets: int


FULL = LiveSizes(singles=2000, batch_tickets=10_000, due_tickets=1_000_000)
QUICK = LiveSizes(singles=200, batch_tickets=500, due_tickets=20_000)


def events(tickets: int, per: int = 10, prefix: str = "T") -> list[dict[str, Any]]:
    rng = random.Random(5)
    kinds = [{"type": "customer_message"}, {"type": "agent_reply"}]
    out: list[dict[str, Any]] = []
    for i in range(tickets):
        start = T0 + timedelta(minutes=rng.randrange(60 * 24))
        out.append(
            {"ticket": f"{prefix}{i}", "type": "created", "at": start.isoformat(), "channel": "web"}
        )
        for k in range(1, per):
            at = start + timedelta(minutes=20 * k)
            out.append({"ticket": f"{prefix}{i}", "at": at.isoformat(), **kinds[k % 2]})
    return out


def measure_store(url: str, sizes: LiveSizes) -> dict[str, float]:
    from sqlalchemy import insert

    from expectkit.sla.store._schema import tickets
    from expectkit.store import Store

    out: dict[str, float] = {}
    with Store(url, POLICY) as store:
        # apply one event and persist it, on tickets that already have a few events
        base = events(50, 5, prefix="S")
        store.ingest(base)
        lat: list[float] = []
        for n in range(sizes.singles):
            i = n % 50
            at = T0 + timedelta(days=3, seconds=n)
            e = {"ticket": f"S{i}", "type": "customer_message", "at": at.isoformat()}
            t = perf_counter_ns()
            store.ingest([e])
            lat.append((perf_counter_ns() - t) / 1e6)
        lat.sort()
        out["apply_p50_ms"] = statistics.median(lat)
        out["apply_p99_ms"] = lat[int(0.99 * (len(lat) - 1))]
        batch = events(sizes.batch_tickets, prefix="B")
        t = perf_counter_ns()
        store.ingest(batch, batch_size=5000)
        out["ingest_events_per_s"] = len(batch) / ((perf_counter_ns() - t) / 1e9)
        with store.engine.connect() as conn:
            row = conn.execute(tickets.select().where(tickets.c.ticket == "B0")).first()
            assert row is not None
            out["state_bytes_per_ticket"] = float(len(row.state))
        # due(before) from the index over many ticket rows
        rng = random.Random(7)
        with store.engine.begin() as conn:
            step = 50_000
            for lo in range(0, sizes.due_tickets, step):
                conn.execute(
                    insert(tickets),
                    [
                        {
                            "ticket": f"D{i}",
                            "state": "{}",
                            "version": 1,
                            "policy_version": store.policy_version,
                            "next_deadline": 1_767_600_000_000_000 + rng.randrange(10**12),
                            "next_metric": "resolution",
                            "next_kind": "promise",
                        }
                        for i in range(lo, min(lo + step, sizes.due_tickets))
                    ],
                )
        before = datetime.fromtimestamp(1_767_600_000 + 600, UTC)  # the first 10 minutes
        runs = []
        for _ in range(20):
            t = perf_counter_ns()
            store.due(before, limit=1000)
            runs.append((perf_counter_ns() - t) / 1e6)
        out["due_ms"] = statistics.median(runs)
        out["due_tickets"] = float(sizes.due_tickets)
    return out


def measure_lock(sizes: LiveSizes) -> dict[str, float]:
    clock = Clock(POLICY)
    clock.replay(events(200, prefix="L"))
    at = T0 + timedelta(days=1)
    names = list(clock.tickets)
    for name in names:
        clock.status(name, at)
    repeats = max(5, sizes.singles // 100)
    with_lock = without = 0
    from expectkit.sla.engine import _as_instant

    for _ in range(repeats):
        t = perf_counter_ns()
        for name in names:
            clock.status(name, at)
        with_lock += perf_counter_ns() - t
        t = perf_counter_ns()
        for name in names:
            clock._evaluate(clock._ticket(name), _as_instant(at), latest=True)
        without += perf_counter_ns() - t
    n = repeats * len(names)
    return {"status_us": with_lock / n / 1e3, "fold_only_us": without / n / 1e3}


def measure_apply() -> dict[str, float]:
    """Apply an in-order (parsed) event to a ticket of 10 and of 4 000 events; poll after it.

    Medians of 300 calls each: the figure the O(1) append is about, without parsing.
    """
    from expectkit.sla.state import TicketState, to_event

    clock = Clock(POLICY)
    out: dict[str, float] = {}
    kinds = ["customer_message", "agent_reply"]
    for size in (10, 4000):
        state = TicketState.empty("A", clock).apply(
            {"ticket": "A", "type": "created", "at": T0.isoformat(), "channel": "web"}
        )
        for k in range(1, size):
            at = (T0 + timedelta(seconds=k)).isoformat()
            state = state.apply({"ticket": "A", "type": kinds[k % 2], "at": at})
        state.status(T0 + timedelta(seconds=size))
        applied: list[int] = []
        polled: list[int] = []
        for k in range(300):
            at = T0 + timedelta(seconds=size + k)
            event = to_event({"ticket": "A", "type": kinds[k % 2], "at": at.isoformat()})
            t = perf_counter_ns()
            state = state.apply(event)
            applied.append(perf_counter_ns() - t)
            t = perf_counter_ns()
            state.status(at)
            polled.append(perf_counter_ns() - t)
        out[f"apply_us_{size}"] = statistics.median(applied) / 1e3
        out[f"poll_us_{size}"] = statistics.median(polled) / 1e3
    return out


def run_live(sizes: LiveSizes, pg: str | None = None) -> dict[str, Any]:
    """Run the live measurements and return them as plain data."""
    results: dict[str, Any] = {
        "sizes": asdict(sizes),
        "lock": measure_lock(sizes),
        "apply": measure_apply(),
    }
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:  # pragma: no cover - the store extra is missing
        results["sqlite"] = None
        return results
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = measure_store(os.path.join(folder, "bench.db"), sizes)
    results["postgresql"] = measure_store(pg, sizes) if pg else None
    return results


def report_live(results: dict[str, Any]) -> str:
    """Format the live figures."""
    lines = ["live state and store:"]
    lock = results["lock"]
    lines.append(
        f"  Clock.status {lock['status_us']:.1f} us a call with its lock,"
        f" {lock['fold_only_us']:.1f} us the fold alone"
        f" ({lock['status_us'] - lock['fold_only_us']:+.2f} us)"
    )
    a = results.get("apply")
    if a:
        lines.append(
            f"  TicketState.apply in order: {a['apply_us_10']:.1f} us on a ticket of 10 events,"
            f" {a['apply_us_4000']:.1f} us of 4 000 ({a['apply_us_4000'] / a['apply_us_10']:.2f}x);"
            f" status after it {a['poll_us_10']:.0f} us / {a['poll_us_4000']:.0f} us"
        )
    for name in ("sqlite", "postgresql"):
        r = results.get(name)
        if not r:
            continue
        lines.append(
            f"  {name:<10} apply+persist p50 {r['apply_p50_ms']:.2f} ms,"
            f" p99 {r['apply_p99_ms']:.2f} ms; ingest {r['ingest_events_per_s']:,.0f} events/s;"
            f" due() over {r['due_tickets']:,.0f} tickets {r['due_ms']:.2f} ms;"
            f" state {r['state_bytes_per_ticket']:.0f} B a ticket (10 events)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--pg", metavar="URL", help="also measure on this PostgreSQL database")
    args = parser.parse_args(argv)
    print(report_live(run_live(QUICK if args.quick else FULL, args.pg)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
