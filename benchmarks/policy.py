"""Benchmark quoting and loading promise policies.

    python benchmarks/policy.py [--quick]

Goals: ``quote()`` on a 20-rule policy ≤ 20 µs per request; ``Policy.load`` of a
100-rule file ≤ 50 ms. Prints per-request times for requests that match early and
late rules, on the business and the calendar clock, and the load time of generated
YAML files.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from time import perf_counter_ns
from zoneinfo import ZoneInfo

from expectkit import Policy, quote

BERLIN = ZoneInfo("Europe/Berlin")
HEADER = """\
schedules:
  berlin:
    tz: Europe/Berlin
    weekly: {mon-fri: ["09:00-17:00"]}
    holidays: {country: DE, subdiv: BE}
channels:
  email:  {kind: email,  mode: async, schedule: berlin}
  chat:   {kind: chat,   mode: live,  schedule: berlin, offline: email}
  social: {kind: social, mode: async, schedule: berlin}
  phone:  {kind: phone,  mode: live,  schedule: berlin, offline: email}
rounding: 15min
rules:
"""
PROMISES = ["1-3 business days", "4-8 business hours", "3-5 hours", "2 business days", "48h"]


def policy_text(rules: int) -> str:
    """Return a policy whose first `rules - 1` rules match by tag and the last by default."""
    lines = [HEADER]
    for k in range(rules - 1):
        promise = PROMISES[k % len(PROMISES)]
        channel = ["email", "chat", "social", "phone"][k % 4]
        lines.append(
            f"  - name: rule-{k}\n"
            f"    match: {{channel: {channel}, tags: [t{k}]}}\n"
            f'    first_response: {{promise: "{promise}", buffer: {{ratio: 0.5}}}}\n'
            f'    resolution: {{promise: "5 business days"}}\n'
        )
    lines.append(
        "  - name: default\n"
        '    first_response: {promise: "1-3 business days", target: "1 business day"}\n'
        '    resolution: {promise: "5 business days"}\n'
    )
    return "".join(lines)


def per_call_us(fn: Callable[[], object], n: int, repeats: int) -> float:
    """Median over `repeats` passes of the time per call, in µs."""
    passes = []
    for _ in range(repeats):
        start = perf_counter_ns()
        for _ in range(n):
            fn()
        passes.append((perf_counter_ns() - start) / n / 1000)
    return statistics.median(passes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark quote() and Policy.load.")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    n, repeats = (200, 3) if args.quick else (2000, 5)

    policy = Policy.loads(policy_text(20))
    rng = random.Random(7)
    base = datetime(2026, 1, 5, tzinfo=BERLIN)
    instants = [base + timedelta(minutes=rng.randrange(0, 60 * 24 * 300)) for _ in range(n)]
    cases: dict[str, dict[str, object]] = {
        "first rule (tag match, ratio buffer)": {"channel": "email", "tags": ["t0"]},
        "last rule (default, business days)": {"channel": "email"},
        "live chat after hours -> email": {"channel": "chat"},
        "calendar window (3-5 hours)": {"channel": "social", "tags": ["t2"]},
    }
    print("quote() on a 20-rule policy, per request (median of passes):")
    worst = 0.0
    for label, request in cases.items():
        at = iter(instants * (repeats + 1))

        def one(request: dict[str, object] = request, at: Iterator[datetime] = at) -> object:
            return quote(policy, request, at=next(at))

        us = per_call_us(one, n, repeats)
        worst = max(worst, us)
        print(f"  {label:<40} {us:8.1f} µs")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "policy.yaml"
        path.write_text(policy_text(100), encoding="utf-8")
        load_ms = per_call_us(lambda: Policy.load(path), 5 if args.quick else 20, repeats) / 1000
    print(f"Policy.load of a 100-rule YAML file: {load_ms:.1f} ms")
    print()
    print("goals:")
    for ok, goal, measured in (
        (worst <= 20, "quote() <= 20 µs per request", f"worst {worst:.1f} µs"),
        (load_ms <= 50, "Policy.load of 100 rules <= 50 ms", f"{load_ms:.1f} ms"),
    ):
        print(f"  {'PASS' if ok else 'MISS'}  {goal:<36} {measured}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
