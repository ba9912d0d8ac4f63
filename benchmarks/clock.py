"""Benchmark the SLA clock: replay generated ticket events and ask every ticket's status.

    python benchmarks/clock.py [--quick] [--tickets N] [--seed N] [--json PATH]

The workload is written to a temporary JSON Lines file first (not timed): N tickets
(default 100 000; 2 000 with ``--quick``) of 10 events each, on the policy of
DESIGN.md extended with resolution, next-response, follow-up and requester-wait
targets. Tickets are created over four weeks at any hour (so nights and weekends
occur), on email (60 %), chat (20 %) or social media (20 %, a quarter of them
complaints), and lines are written in global time order, as a helpdesk export
would be, with 0.5 % exact duplicates and 0.5 % lines moved out of order.

Measured, each once, in one process:

* **replay**: ``Clock(policy).replay(path)`` — reading, validating, sorting and
  storing every event;
* **status, cold**: ``clock.status(ticket, at)`` for every ticket at the end of the
  period, with an empty quote cache (every quote computed);
* **status, warm**: a tenth of the tickets asked again, every quote from the cache
  (scaled to all tickets);
* **next_deadline**: for 1 000 tickets at their creation instant.

Memory: the growth of the process's peak resident set during the replay (the
workload is written by a child process, so the peak is the replay's), and the size
of what the clock keeps (measured with ``tracemalloc`` on a 10 % sample replayed
apart, scaled up). Times are wall-clock and CPU (``process_time``); the goal is
judged on CPU time, which a busy machine disturbs less.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from expectkit.clock import Clock
from expectkit.policy import Policy

POLICY = """\
schedules:
  berlin: {tz: Europe/Berlin, weekly: {mon-fri: ["09:00-17:00"]}, holidays: {country: DE, subdiv: BE}}
channels:
  email:  {kind: email,  mode: async, schedule: berlin}
  chat:   {kind: chat,   mode: live,  schedule: berlin, offline: email}
  social: {kind: social, mode: async, schedule: berlin}
rounding: 15min
rules:
  - name: social-complaint
    match: {channel: social, tags: [complaint]}
    first_response: {promise: "3-5 hours"}
    next_response: {promise: "4 hours"}
    resolution: {promise: "2 days"}
  - name: email
    match: {channel: email}
    first_response: {promise: "1-3 business days", target: "1 business day"}
    next_response: {promise: "1 business day"}
    resolution: {promise: "5 business days", buffer: {ratio: 0.6}}
    follow_up: {promise: "1 week"}
    requester_wait: {promise: "3 business days"}
  - name: chat
    match: {channel: chat}
    first_response: {promise: "30 seconds", clock: business, rounding: none}
    resolution: {promise: "1 business day"}
  - name: default
    first_response: {promise: "2 business days", buffer: {ratio: 0.5}}
    resolution: {promise: "1 week"}
"""  # noqa: E501 -- the schedule line of DESIGN.md, verbatim

START = datetime(2026, 11, 2, tzinfo=UTC)
PERIOD = timedelta(days=28)
EVENTS_PER_TICKET = 10


def ticket_events(rng: random.Random, number: int) -> list[dict[str, Any]]:
    """Ten events of one ticket, in time order."""
    ticket = f"T{number:06d}"
    t = START + timedelta(seconds=rng.randrange(int(PERIOD.total_seconds())))
    roll = rng.random()
    created: dict[str, Any] = {"channel": "email"}
    if roll > 0.8:
        created = {"channel": "social", "tags": ["complaint"] if rng.random() < 0.25 else []}
    elif roll > 0.6:
        created = {"channel": "chat"}
    out: list[dict[str, Any]] = []

    def add(kind: str, gap_minutes: float, **fields: Any) -> None:
        nonlocal t
        t += timedelta(seconds=int(rng.expovariate(1 / (gap_minutes * 60))) + 1)
        out.append({"ticket": ticket, "type": kind, "at": t.isoformat(), **fields})

    add("created", 0.01, **created)
    if rng.random() < 0.3:
        add("priority_changed", 30, priority="high")
    else:
        add("agent_reply", 30, public=False)
    add("agent_reply", 240)
    add("status", 5, status="pending")
    add("customer_message", 600)
    add("status", 0.1, status="open")
    add("agent_reply", 300)
    add("status", 60, status="solved")
    add("agent_reply", 2000)
    add("status", 4000, status="closed")
    return out


def write_workload(path: Path, tickets: int, seed: int) -> tuple[int, datetime]:
    """Write the events in time order, with a few duplicates and displaced lines."""
    rng = random.Random(seed)
    events = [e for n in range(tickets) for e in ticket_events(rng, n)]
    events.sort(key=lambda e: e["at"])
    lines = [json.dumps(e) for e in events]
    for _ in range(len(lines) // 200):  # exact duplicates
        lines.insert(rng.randrange(len(lines)), lines[rng.randrange(len(lines))])
    for _ in range(len(lines) // 200):  # out of order
        lines.insert(rng.randrange(len(lines)), lines.pop(rng.randrange(len(lines))))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    last = max(datetime.fromisoformat(e["at"]) for e in events)
    return len(lines), last


def peak_rss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 000 tickets")
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20261102)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--write", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    tickets = args.tickets or (2_000 if args.quick else 100_000)
    if args.write is not None:  # the child process that writes the workload
        lines, last = write_workload(args.write, tickets, args.seed)
        print(lines, last.isoformat())
        return 0
    policy = Policy.loads(POLICY)
    figures: dict[str, Any] = {
        "tickets": tickets,
        "python": platform.python_version(),
        "expectkit": metadata.version("expectkit"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
    }
    print(f"expectkit {figures['expectkit']}, Python {figures['python']}, {figures['machine']}")

    def row(label: str, value: str) -> None:
        print(f"{label:<38}  {value:>10}", flush=True)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.jsonl"
        # Written by a child process, so that this one's peak memory is the clock's.
        command = [sys.executable, __file__, "--write", str(path), "--tickets", str(tickets)]
        command += ["--seed", str(args.seed)]
        written = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        count, when = written.split()
        lines, last = int(count), datetime.fromisoformat(when)
        figures["lines"] = lines
        figures["file_mb"] = round(path.stat().st_size / 1e6, 1)
        print(f"workload: {tickets:,} tickets, {lines:,} lines ({figures['file_mb']} MB)")

        gc.collect()
        rss_before = peak_rss_mb()
        clock = Clock(policy)
        began, cpu = perf_counter(), process_time()
        report = clock.replay(path)
        figures["replay_s"] = perf_counter() - began
        figures["replay_cpu_s"] = process_time() - cpu
        figures["replay_peak_rss_growth_mb"] = peak_rss_mb() - rss_before
        figures["report"] = str(report)
        assert report.events_in == report.events_used + report.duplicates_ignored == lines
        assert report.events_used == tickets * EVENTS_PER_TICKET
        print(f"  {report}")
        row("replay (read, validate, sort, store)", f"{figures['replay_s']:.2f} s")
        row("  CPU time", f"{figures['replay_cpu_s']:.2f} s")
        row("  CPU per event", f"{figures['replay_cpu_s'] / lines * 1e6:.1f} µs")
        row("  peak RSS growth", f"{figures['replay_peak_rss_growth_mb']:.0f} MB")

        # What the clock keeps, measured on a tenth replayed apart and scaled up.
        sample = list(clock.tickets[::10])
        kept = [e.to_json() for name in sample for e in clock.events(name)]
        tracemalloc.start()
        small = Clock(policy)
        small.replay(kept)
        retained = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        figures["kept_mb"] = retained * len(clock) / len(sample) / 1e6
        figures["kept_bytes_per_event"] = retained / len(kept)
        del small, kept
        row("  kept by the clock", f"{figures['kept_mb']:.0f} MB")
        row("  kept per event", f"{figures['kept_bytes_per_event']:.0f} B")

    at = last + timedelta(days=1)
    states: Counter[str] = Counter()
    names = clock.tickets
    began, cpu = perf_counter(), process_time()
    for name in names:
        for status in clock.status(name, at).values():
            states[f"{status.metric}:{status.state}"] += 1
    figures["status_cold_s"] = perf_counter() - began
    figures["status_cold_cpu_s"] = process_time() - cpu
    figures["quotes"] = clock._quotes.quoted
    row("status of every ticket, cold cache", f"{figures['status_cold_s']:.2f} s")
    row("  CPU per ticket", f"{figures['status_cold_cpu_s'] / tickets * 1e6:.0f} µs")
    row("  quote() calls", f"{figures['quotes']:,}")
    # The cache keeps the latest 100 000 quotes: ask a tenth of the tickets again.
    some = names[::10]
    for name in some:
        clock.status(name, at)
    began, cpu = perf_counter(), process_time()
    for name in some:
        clock.status(name, at)
    figures["status_warm_s"] = (perf_counter() - began) * len(names) / len(some)
    figures["status_warm_cpu_s"] = (process_time() - cpu) * len(names) / len(some)
    row("status, every quote cached (a tenth)", f"{figures['status_warm_s']:.2f} s")
    row("  CPU per ticket", f"{figures['status_warm_cpu_s'] / tickets * 1e6:.0f} µs")
    sample_next = names[:1000]
    began = perf_counter()
    for name in sample_next:
        first = clock.events(name)[0].at
        clock.next_deadline(name, first)
    figures["next_deadline_ms_each"] = (perf_counter() - began) / len(sample_next) * 1e3
    figures["states"] = dict(sorted(states.items()))
    row("next_deadline, per ticket", f"{figures['next_deadline_ms_each']:.2f} ms")
    goal = figures["replay_cpu_s"] <= 10 * tickets / 100_000
    scaled = "" if tickets == 100_000 else " (scaled to this size)"
    verdict = "PASS" if goal else "MISS"
    print(f"goal: replay of 100 000 tickets × 10 events ≤ 10 s CPU{scaled}: {verdict}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
